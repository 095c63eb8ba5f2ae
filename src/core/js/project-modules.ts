/**
 * Modules of the project seen from one entry's dataflow: a relative import or require of a
 * project file evaluates that file's top level once (in the same flow, so its functions run with
 * the entry's arguments when called) and binds its exports, ESM or CommonJS.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { ProjectContext } from '../analysers';
import { fileOfNode } from '../tree-util';
import { Env } from './env';
import { CLEAN, NOTHING, type Val } from './taint';

export interface ModuleRecord {
  path: string;
  env: Env;
  /** `module`: its `exports` property is what `require` returns. */
  moduleVal: Val;
  program: Node;
}

/** How many project modules one entry's flow evaluates at most. */
export const MAX_PROJECT_MODULES = 300;

const JS = new Set(['typescript', 'tsx', 'javascript']);

export class ProjectModules {
  private readonly records = new Map<string, ModuleRecord>();
  private readonly envs = new WeakMap<Tree, Env>();

  constructor(
    private readonly project: ProjectContext & { follows?: (path: string) => boolean },
    /** Evaluates a module's top level in its own environment. */
    private readonly evaluate: (program: Node, record: ModuleRecord) => void,
    /** Called when a module is left opaque because MAX_PROJECT_MODULES were evaluated (a budget note). */
    private readonly onTooMany: (path: string) => void = () => undefined,
  ) {}

  /** The entry itself is a module too (a file it imports may import it back). */
  entry(program: Node, env: Env): ModuleRecord {
    return this.record(this.project.path, program, env);
  }

  private record(path: string, program: Node, env: Env): ModuleRecord {
    const exportsVal: Val = { t: CLEAN, props: new Map() };
    const moduleVal: Val = { t: CLEAN, props: new Map([['exports', exportsVal]]) };
    env.vars.set('module', moduleVal);
    env.vars.set('exports', exportsVal);
    const r: ModuleRecord = { path, env, moduleVal, program };
    this.records.set(path, r);
    this.envs.set(program.tree, env);
    return r;
  }

  /** The module environment a node of a project file belongs to (class bodies, methods). */
  envOf(node: Node): Env | undefined {
    return this.envs.get(node.tree);
  }

  /** The project file a specifier names from the file of `at`, when it is one. */
  resolve(at: Node, spec: string): string | undefined {
    const from = fileOfNode(at) ?? this.project.path;
    return this.project.view.resolveModule(from, spec);
  }

  /** The exports of a project module, evaluating it on first use; undefined when it is not one. */
  load(path: string): Val | undefined {
    let r = this.records.get(path);
    if (!r) {
      if (this.records.size >= MAX_PROJECT_MODULES) {
        this.onTooMany(path);
        return opaque();
      }
      if (this.project.follows && !this.project.follows(path)) return opaque();
      const src = this.project.view.source(path);
      if (!src || !JS.has(src.language)) return opaque();
      r = this.record(path, src.tree.rootNode, new Env());
      this.evaluate(src.tree.rootNode, r);
    }
    return exportsOf(r);
  }

  /** The record a top-level `export` statement of `node`'s file writes to. */
  recordOf(node: Node): ModuleRecord | undefined {
    const path = fileOfNode(node) ?? this.project.path;
    return this.records.get(path);
  }
}

/** A project module not followed: its bindings are unknown values, through which inputs pass. */
const opaque = (): Val => ({ t: CLEAN, props: new Map() });

export function exportsOf(r: ModuleRecord): Val {
  return r.moduleVal.props?.get('exports') ?? NOTHING;
}

/** The binding an import names: `default` falls back to the whole CommonJS export. */
export function importedBinding(exports: Val, name: string): Val {
  if (name === 'default') return exports.props?.get('default') ?? exports;
  return exports.props?.get(name) ?? NOTHING;
}
