/**
 * The JavaScript/TypeScript dataflow: an abstract interpreter over the tree-sitter tree. It walks
 * statements in order with scopes of values, runs functions of the same file at their call sites
 * (and once more on their own), and records where model output and the program's own path go.
 * It over-approximates: branches join, loops run twice once anything is tainted, unknown
 * calls pass their inputs on.
 *
 * One class in layers: flow-state.ts (state and what is recorded), flow-bind.ts (patterns),
 * flow-expr.ts (expressions), flow-invoke.ts (functions, constructors, tools),
 * flow-calls.ts (calls and what they return); this file holds the statements and passes.
 */
import type { Node } from 'web-tree-sitter';
import { Env, join } from './env';
import { CLEAN, deepTaint, extend, NOTHING, union, type Taints, type Val } from './taint';
import { calleeLabel, rangeOf, stringValue, unwrap } from './tree';
import { normalizePkg } from './modules';
import type { JsFlowResult } from './results';
import { FlowCalls } from './flow-calls';
import { exportsOf, importedBinding, MAX_PROJECT_MODULES, ProjectModules, type ModuleRecord } from './project-modules';
import { StateKeys } from './state-key';

/** Rounds of one loop before the dataflow gives up on its fixpoint (and says so). */
const MAX_LOOP_ROUNDS = 6;

export class JsFlow extends FlowCalls {
  private entryRecord: ModuleRecord | undefined;

  run(): JsFlowResult {
    if (this.project) {
      this.modules = new ProjectModules(
        this.project,
        (program, record) => this.evalModule(program, record),
        (path) => this.budget.note('files', undefined, `the dataflow stopped following imports into other files after ${MAX_PROJECT_MODULES} modules of the project (files); ${path} and the modules after it were not followed`),
      );
      this.entryRecord = this.modules.entry(this.program, this.root);
    }
    try {
      this.pass();
      if (this.tainted && this.spawnOnly) {
        // A model CLI answered: its output may travel through functions the spawn-only walk
        // skipped (`function plan(q) { return ask(q); }`), so the walk starts again following all.
        this.spawnOnly = false;
        this.restart();
        this.pass();
      }
      if (this.tainted && !this.spawnOnly) {
        // Callbacks run before a later assignment (`app.get(..., () => eval(latest))` above
        // `latest = answer`): a second pass starts from the values the first one ended with.
        this.secondPass = true;
        this.restart();
        this.pass();
      }
    } catch (e) {
      // Out of time or stack: what was found so far stands, and the note says where the walk stopped.
      this.budget.noteStop(e, 'the dataflow');
    }
    const byPos = <T extends { node: Node }>(xs: Iterable<T>) => [...xs].sort((a, b) => a.node.startIndex - b.node.startIndex);
    return {
      modelCalls: byPos(this.calls.values()),
      effects: byPos(this.effects.values()),
      spawns: byPos(this.spawns.values()),
      leaves: byPos(this.leaves.values()),
      fanouts: byPos(this.fanouts.values()),
    };
  }

  /** Forgets what the last pass evaluated (what it recorded stays) so that the next one walks everything again. */
  private restart(): void {
    this.memo.clear();
    this.evaluated.clear();
    this.seenFns.length = 0;
    this.seenIds.clear();
    this.loopStates.clear();
    this.evals = 0;
  }

  /** The top level of an imported project module, once, in its own scope. */
  private evalModule(program: Node, record: ModuleRecord): void {
    void record;
    this.block(this.nodes.kids(program), this.moduleEnvOf(program));
  }

  protected pass(): void {
    this.block(this.nodes.kids(this.program), this.root);
    // Functions met on the way but never called still hold calls worth reporting; evaluating
    // one can meet more, so the list grows while it is walked. Those of imported modules are
    // left to those modules' own analyses: here they run only when called.
    for (let i = 0; i < this.seenFns.length; i++) {
      const { node: f, env } = this.seenFns[i]!;
      if (this.evaluated.has(f.id)) continue;
      if (f.tree !== this.program.tree) continue;
      const cls = f.type === 'method_definition' ? f.parent?.parent : undefined;
      let self: Val | undefined;
      if (cls && /class/.test(cls.type)) {
        self = { t: CLEAN, instanceOf: cls };
        if (!this.classFields.has(cls.id)) this.initClass(cls, self, [], [], cls);
        if (this.evaluated.has(f.id)) continue;
      }
      this.sweeping = true;
      this.callFunction({ node: f, env, self }, [], [], f);
      this.sweeping = false;
    }
  }

  protected block(stmts: Node[], env: Env): void {
    // Hoisting: function declarations are callable before their line.
    for (const s of stmts) {
      const d = s.type === 'export_statement' ? (s.childForFieldName('declaration') ?? s) : s;
      if (d.type === 'function_declaration' || d.type === 'generator_function_declaration') {
        const name = d.childForFieldName('name')?.text;
        if (name) env.vars.set(name, { t: CLEAN, fn: { node: d, env } });
        this.noteFn(d, env);
      }
    }
    for (const s of stmts) this.stmt(s, env);
  }

  protected stmt(node: Node, env: Env): void {
    this.budget.tick(node);
    switch (node.type) {
      case 'comment':
      case 'function_declaration':
      case 'generator_function_declaration':
      case 'empty_statement':
      case 'break_statement':
      case 'continue_statement':
      case 'debugger_statement':
      case 'type_alias_declaration':
      case 'interface_declaration':
      case 'enum_declaration':
      case 'ambient_declaration':
        return;
      case 'import_statement':
        return this.importStmt(node, env);
      case 'expression_statement':
        for (const c of this.nodes.kids(node)) this.expr(c, env);
        return;
      case 'lexical_declaration':
      case 'variable_declaration':
        for (const d of this.nodes.kids(node)) {
          if (d.type !== 'variable_declarator') continue;
          const name = d.childForFieldName('name');
          const value = d.childForFieldName('value');
          const v = value ? this.expr(value, env) : NOTHING;
          if (name) this.bind(name, v, env, true);
        }
        return;
      case 'class_declaration':
      case 'abstract_class_declaration': {
        const name = node.childForFieldName('name')?.text;
        if (name) env.vars.set(name, { t: CLEAN, cls: node });
        this.noteClass(node, env);
        return;
      }
      case 'return_statement': {
        const arg = this.nodes.kids(node)[0];
        const v = arg ? this.expr(arg, env) : NOTHING;
        const f = this.frames[this.frames.length - 1];
        if (f) f.returns = join(f.returns, v);
        return;
      }
      case 'if_statement': {
        const cond = node.childForFieldName('condition');
        if (cond) this.expr(cond, env);
        this.weakly(() => {
          const c = node.childForFieldName('consequence');
          if (c) this.stmt(c, env);
          const a = node.childForFieldName('alternative');
          if (a) for (const x of this.nodes.kids(a)) this.stmt(x, env);
        });
        return;
      }
      case 'statement_block':
        return this.block(this.nodes.kids(node), new Env(env));
      case 'for_statement':
      case 'for_in_statement':
      case 'while_statement':
      case 'do_statement':
        return this.loop(node, env);
      case 'try_statement': {
        const body = node.childForFieldName('body');
        if (body) this.stmt(body, env);
        this.weakly(() => {
          const h = node.childForFieldName('handler');
          const hb = h?.childForFieldName('body');
          if (hb) this.stmt(hb, env);
          const fin = node.childForFieldName('finalizer');
          const fb = fin ? this.nodes.kids(fin)[0] : undefined;
          if (fb) this.stmt(fb, env);
        });
        return;
      }
      case 'switch_statement': {
        const v = node.childForFieldName('value');
        if (v) this.expr(v, env);
        const body = node.childForFieldName('body');
        this.weakly(() => {
          for (const c of body ? this.nodes.kids(body) : []) for (const s of c.childrenForFieldName('body')) if (s) this.stmt(s, env);
        });
        return;
      }
      case 'export_statement':
        return this.exportStmt(node, env);
      default:
        for (const c of this.nodes.kids(node)) {
          if (/statement|declaration|^statement_block$/.test(c.type)) this.stmt(c, env);
          else this.expr(c, env);
        }
    }
  }

  /**
   * A loop runs round after round until its state stops changing (once anything is tainted;
   * untainted state has nothing to carry around), at most MAX_LOOP_ROUNDS rounds. A loop
   * entered again from a state it already reached its fixpoint from is not walked again.
   */
  protected loop(node: Node, env: Env): void {
    this.weakly(() => {
      const frame = this.frames[this.frames.length - 1];
      const key = (e: Env) => this.keys.state(e, `${frame ? StateKeys.idOf(frame) : 0}|${this.tainted ? 1 : 0}|${this.keys.outside(this.classFields, this.written)}`);
      let seen = this.loopStates.get(node.id);
      if (!seen) this.loopStates.set(node.id, (seen = new Set()));
      const entry = key(env);
      if (seen.has(entry)) return;
      seen.add(entry);
      const inner = new Env(env);
      for (let round = 1; ; round++) {
        this.budget.tick(node);
        const before = key(inner);
        this.loopRound(node, inner);
        if (!this.tainted || key(inner) === before) break;
        if (round >= MAX_LOOP_ROUNDS) {
          this.budget.note('loop-rounds', node.child(0) ?? node, `the dataflow stopped following this loop after ${MAX_LOOP_ROUNDS} rounds (loop rounds) while values were still changing`);
          break;
        }
      }
      // Entered again from the state it leaves, the loop would change nothing either.
      seen.add(key(env));
    });
  }

  /** One walk of a loop: its head, then its body. */
  private loopRound(node: Node, inner: Env): void {
    if (node.type === 'for_in_statement') {
      const right = node.childForFieldName('right');
      const left = node.childForFieldName('left');
      const iter = right ? this.expr(right, inner) : NOTHING;
      const elem = this.element(iter);
      if (left) this.bind(left, { ...elem, t: extend(elem.t, rangeOf(left), `iterated as \`${left.text}\` here`) }, inner, true);
      const model = deepTaint(iter).filter((t) => t.origin.kind === 'model');
      const body = node.childForFieldName('body');
      if (model.length && right && body) this.fanouts.set(node.id, { node, range: rangeOf(node.child(0) ?? node), body, over: right, taint: model, how: `\`for ... of ${calleeLabel(right)}\`` });
    } else {
      for (const f of ['initializer', 'condition', 'increment']) {
        const c = node.childForFieldName(f);
        if (!c) continue;
        if (/declaration/.test(c.type)) this.stmt(c, inner);
        else {
          this.expr(c, inner);
          // `for (let i = 0; i < answer.count; i++)`: the model chooses how many turns.
          const model = f === 'condition' && node.type === 'for_statement' ? this.conditionTaint(c, inner).filter((t) => t.origin.kind === 'model') : CLEAN;
          const body = node.childForFieldName('body');
          if (model.length && body) this.fanouts.set(node.id, { node, range: rangeOf(node.child(0) ?? node), body, over: c, taint: model, how: `a \`for\` loop bounded by \`${calleeLabel(c)}\``, per: 'as many times as' });
        }
      }
    }
    const body = node.childForFieldName('body');
    if (body) this.stmt(body, inner);
  }

  /** Taint of the operands of a comparison (`i < n`), which the comparison itself drops. */
  protected conditionTaint(cond: Node, env: Env): Taints {
    const c = unwrap(cond);
    if (c.type !== 'binary_expression') return CLEAN;
    const parts = [c.childForFieldName('left'), c.childForFieldName('right')].filter((x): x is Node => !!x);
    return union(...parts.map((p) => deepTaint(this.expr(p, env))));
  }

  protected exportStmt(node: Node, env: Env): void {
    const record = this.modules?.recordOf(node);
    const exportsVal = record ? exportsOf(record) : undefined;
    const set = (name: string, v: Val | undefined) => {
      if (exportsVal?.props && v) exportsVal.props.set(name, v);
    };
    const isDefault = this.nodes.kids(node).length > 0 && /^export\s+default\b/.test(node.text);
    const d = node.childForFieldName('declaration');
    if (d) {
      this.stmt(d, env);
      if (!exportsVal) return;
      for (const name of declaredNames(d)) set(isDefault ? 'default' : name, env.lookup(name));
      return;
    }
    const v = node.childForFieldName('value');
    if (v) {
      const val = this.expr(v, env);
      set('default', val);
      return;
    }
    if (!exportsVal) return;
    // `export { a, b as c }`, `export { a } from './x'`, `export * from './x'`
    const src = stringValue(node.childForFieldName('source'));
    const from = src !== undefined ? this.loadModule(node, src) : undefined;
    if (src !== undefined && !from) return;
    const clause = this.nodes.kids(node).find((c) => c.type === 'export_clause');
    if (!clause) {
      for (const [k, pv] of from?.props ?? []) if (k !== 'default') set(k, pv);
      return;
    }
    for (const spec of this.nodes.kids(clause)) {
      const name = spec.childForFieldName('name')?.text;
      const alias = spec.childForFieldName('alias')?.text ?? name;
      if (!name || !alias) continue;
      set(alias, from ? importedBinding(from, name) : env.lookup(name));
    }
  }

  protected importStmt(node: Node, env: Env): void {
    // TypeScript's `import cp = require('child_process')`
    const req = this.nodes.kids(node).find((c) => c.type === 'import_require_clause');
    if (req) {
      const id = this.nodes.kids(req).find((c) => c.type === 'identifier');
      const spec = stringValue(req.childForFieldName('source'));
      if (id && spec !== undefined) env.vars.set(id.text, { t: CLEAN, ref: { pkg: normalizePkg(spec), path: [] } });
      return;
    }
    const src = stringValue(node.childForFieldName('source'));
    if (src === undefined) return;
    // A file of the project: bind what it exports.
    const local = this.loadModule(node, src);
    if (local) {
      const clause = this.nodes.kids(node).find((c) => c.type === 'import_clause');
      for (const c of clause ? this.nodes.kids(clause) : []) {
        if (c.type === 'identifier') env.vars.set(c.text, importedBinding(local, 'default'));
        else if (c.type === 'namespace_import') {
          const id = this.nodes.kids(c)[0];
          if (id) env.vars.set(id.text, local);
        } else if (c.type === 'named_imports') {
          for (const s of this.nodes.kids(c)) {
            const name = s.childForFieldName('name')?.text;
            const alias = s.childForFieldName('alias')?.text ?? name;
            if (name && alias) env.vars.set(alias, importedBinding(local, name));
          }
        }
      }
      return;
    }
    const pkg = normalizePkg(src);
    if (src === 'zx/globals') this.root.vars.set('$', { t: CLEAN, ref: { pkg: 'zx', path: ['$'] } });
    const clause = this.nodes.kids(node).find((c) => c.type === 'import_clause');
    for (const c of clause ? this.nodes.kids(clause) : []) {
      if (c.type === 'identifier') env.vars.set(c.text, { t: CLEAN, ref: { pkg, path: [] } });
      else if (c.type === 'namespace_import') {
        const id = this.nodes.kids(c)[0];
        if (id) env.vars.set(id.text, { t: CLEAN, ref: { pkg, path: [] } });
      } else if (c.type === 'named_imports') {
        for (const s of this.nodes.kids(c)) {
          const name = s.childForFieldName('name')?.text;
          const alias = s.childForFieldName('alias')?.text ?? name;
          if (name && alias) env.vars.set(alias, { t: CLEAN, ref: { pkg, path: name === 'default' ? [] : [name] } });
        }
      }
    }
  }
}

/** Names a declaration binds: `function f`, `class C`, `const a = 1, b = 2`. */
function declaredNames(d: Node): string[] {
  const own = d.childForFieldName('name');
  if (own && own.type !== 'object_pattern' && own.type !== 'array_pattern') return [own.text];
  const out: string[] = [];
  for (const c of d.namedChildren) {
    if (c?.type !== 'variable_declarator') continue;
    const n = c.childForFieldName('name');
    if (n?.type === 'identifier') out.push(n.text);
  }
  return out;
}
