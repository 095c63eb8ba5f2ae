/**
 * Modules of the project seen from one entry's dataflow: an import of a project file (relative,
 * or absolute from the script's folder or a folder above it, as sys.path would find it) runs
 * that module's top level once, in the same flow and in its own module scope, so its functions
 * and classes run with the entry's arguments when called, and binds the module or its names.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { ProjectContext } from '../analysers';
import { fileOfNode } from '../tree-util';
import { Scope } from './scope';
import { CLEAN, type Val } from './values';

export interface PyModuleRecord {
  path: string;
  scope: Scope;
  program: Node;
}

/** How many project modules one entry's flow runs at most. */
export const MAX_PROJECT_MODULES = 300;

export class PyProjectModules {
  private readonly records = new Map<string, PyModuleRecord>();
  private readonly scopes = new WeakMap<Tree, Scope>();

  constructor(
    private readonly project: ProjectContext & { follows?: (path: string) => boolean },
    /** Runs a module's top level in its own scope. */
    private readonly evaluate: (program: Node, record: PyModuleRecord) => void,
  ) {}

  /** The entry is a module too (a file it imports may import it back). */
  entry(program: Node, scope: Scope): PyModuleRecord {
    return this.record(this.project.path, program, scope);
  }

  private record(path: string, program: Node, scope: Scope): PyModuleRecord {
    const r: PyModuleRecord = { path, scope, program };
    this.records.set(path, r);
    this.scopes.set(program.tree, scope);
    return r;
  }

  /** The module scope a node of a project file belongs to (its classes' bases, its methods). */
  scopeOf(node: Node): Scope | undefined {
    return this.scopes.get(node.tree);
  }

  /** The project file an import names from the file of `at`, when it is one. */
  resolve(at: Node, module: string, level: number): string | undefined {
    const from = fileOfNode(at) ?? this.project.path;
    return this.project.view.resolvePython(from, module, level);
  }

  /** The module record of a project file, running its top level on first use; undefined when it is not followed. */
  load(path: string): PyModuleRecord | undefined {
    let r = this.records.get(path);
    if (r) return r;
    if (this.records.size >= MAX_PROJECT_MODULES) return undefined;
    if (this.project.follows && !this.project.follows(path)) return undefined;
    const src = this.project.view.source(path);
    if (!src || src.language !== 'python') return undefined;
    r = this.record(path, src.tree.rootNode, new Scope(undefined, 'module'));
    this.evaluate(src.tree.rootNode, r);
    return r;
  }
}

/** The value of a module: its names, read when used (a module's globals may change after the import). */
export function moduleVal(r: PyModuleRecord): Val {
  return { t: CLEAN, module: { path: r.path, scope: r.scope } };
}
