/**
 * The Python dataflow: an abstract interpreter over the tree-sitter tree. It walks statements in
 * order with scopes of values, runs functions of the same file at their call sites (and once more
 * on their own), and records where model output and the program's own path go. It
 * over-approximates: branches join, loops run until their state settles, unknown calls pass
 * their inputs on.
 *
 * One class in layers: flow-state.ts (state and what is recorded), flow-expr.ts (expressions,
 * members, binding), flow-calls.ts (calls, functions, classes, callbacks); this file holds the
 * statements and the passes.
 */
import type { Node } from 'web-tree-sitter';
import { FlowCalls } from './flow-calls';
import { idOf, Scope } from './scope';
import type { PyFlowResult } from './results';
import { calleeLabel, decoratorsOf, rangeOf } from './tree';
import { CLEAN, deepTaint, element, extend, join, modelOnly, NOTHING, type Val } from './values';
import { isRelative } from './modules';
import { moduleVal, PyProjectModules, type PyModuleRecord } from './project-modules';

/** Rounds of one loop before the dataflow gives up on its fixpoint (and says so). */
const MAX_LOOP_ROUNDS = 6;

export class PyFlow extends FlowCalls {
  run(): PyFlowResult {
    if (this.project) {
      this.modules = new PyProjectModules(this.project, (program) => this.block(this.nodes.kids(program), this.modules!.scopeOf(program)!));
      this.modules.entry(this.program, this.root);
    }
    try {
      this.pass();
      if (this.tainted && !this.spawnOnly) {
        // Functions run before a later assignment (`def run(): exec(LATEST)` above `LATEST = ask()`):
        // a second pass starts from the values the first one ended with.
        this.secondPass = true;
        this.memo.clear();
        this.evaluated.clear();
        this.seenFns.length = 0;
        this.seenIds.clear();
        this.loopStates.clear();
        this.evals = 0;
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
      dispatch: this.dispatch,
      callers: this.callers,
    };
  }

  private pass(): void {
    this.block(this.nodes.kids(this.program), this.root);
    // Functions met on the way but never called still hold calls worth reporting; evaluating
    // one can meet more, so the list grows while it is walked.
    for (let i = 0; i < this.seenFns.length; i++) {
      const { node: f, env, self } = this.seenFns[i]!;
      if (this.evaluated.has(f.id)) continue;
      // Functions of imported project modules run here only when called; their own analyses run them alone.
      if (f.tree !== this.program.tree) continue;
      this.callValue({ t: CLEAN, fn: { node: f, env, self } }, [], { node: f, range: rangeOf(f), label: calleeLabel(f), args: [], argNodes: [], kwargs: new Map(), rest: CLEAN }, 'passed as');
    }
  }

  protected block(stmts: Node[], env: Scope): void {
    for (const s of stmts) this.stmt(s, env);
  }

  protected stmt(node: Node, env: Scope): void {
    this.budget.tick(node);
    switch (node.type) {
      case 'comment':
      case 'pass_statement':
      case 'break_statement':
      case 'continue_statement':
      case 'future_import_statement':
        return;
      case 'global_statement':
      case 'nonlocal_statement':
        for (const c of this.nodes.kids(node)) if (c.type === 'identifier') env.outer.add(c.text);
        return;
      case 'import_statement':
      case 'import_from_statement':
        return this.importStmt(node, env);
      case 'expression_statement':
        for (const c of this.nodes.kids(node)) this.expr(c, env);
        return;
      case 'function_definition':
        return this.functionDef(node, env, []);
      case 'class_definition':
        return this.classDef(node, env);
      case 'decorated_definition': {
        const def = node.childForFieldName('definition');
        const decorators = this.nodes.kids(node).filter((c) => c.type === 'decorator').map((d) => ({ node: d, v: this.expr(this.nodes.kids(d)[0] ?? d, env) }));
        if (def?.type === 'function_definition') this.functionDef(def, env, decorators);
        else if (def?.type === 'class_definition') this.classDef(def, env);
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
          for (const alt of node.childrenForFieldName('alternative')) {
            if (!alt) continue;
            const ac = alt.childForFieldName('condition');
            if (ac) this.expr(ac, env);
            const body = alt.childForFieldName('consequence') ?? alt.childForFieldName('body');
            if (body) this.stmt(body, env);
          }
        });
        return;
      }
      case 'block':
        return this.block(this.nodes.kids(node), env);
      case 'for_statement':
      case 'while_statement':
        return this.loop(node, env);
      case 'try_statement': {
        const body = node.childForFieldName('body');
        if (body) this.stmt(body, env);
        this.weakly(() => {
          for (const c of this.nodes.kids(node)) {
            if (c === body) continue;
            if (c.type === 'except_clause' || c.type === 'except_group_clause') {
              const alias = this.nodes.kids(c).find((x) => x.type === 'as_pattern');
              const target = alias?.childForFieldName('alias');
              if (target) this.bind(target, NOTHING, env);
              for (const b of this.nodes.kids(c)) if (b.type === 'block') this.stmt(b, env);
            } else if (c.type === 'else_clause' || c.type === 'finally_clause') {
              const b = c.childForFieldName('body') ?? this.nodes.kids(c).find((x) => x.type === 'block');
              if (b) this.stmt(b, env);
            }
          }
        });
        return;
      }
      case 'with_statement':
        return this.withStmt(node, env);
      case 'match_statement': {
        const subject = node.childForFieldName('subject');
        const sv = subject ? this.expr(subject, env) : NOTHING;
        const body = node.childForFieldName('body');
        this.weakly(() => {
          for (const c of body ? this.nodes.kids(body) : []) {
            if (c.type !== 'case_clause') continue;
            // `case x:` and `case [cmd, *args]:` capture parts of the subject
            for (const p of this.nodes.kids(c)) if (p.type === 'case_pattern') for (const id of p.descendantsOfType('identifier')) if (id && !/[.(]/.test(id.parent?.text ?? '')) this.bind(id, { t: deepTaint(sv) }, env);
            const cons = c.childForFieldName('consequence');
            if (cons) this.stmt(cons, env);
          }
        });
        return;
      }
      case 'exec_statement': {
        // Python 2's `exec code`
        const code = node.childForFieldName('code');
        const v = code ? this.expr(code, env) : NOTHING;
        const site = { node, range: rangeOf(node), label: 'exec', args: [v], argNodes: code ? [code] : [], kwargs: new Map<string, Val>(), rest: CLEAN };
        this.effect('exec', site, '`exec`', modelOnly(deepTaint(v)));
        return;
      }
      case 'print_statement': {
        const chevron = this.nodes.kids(node).find((c) => c.type === 'chevron');
        const target = chevron ? this.expr(this.nodes.kids(chevron)[0] ?? chevron, env) : undefined;
        const vals = this.nodes.kids(node).filter((c) => c !== chevron).map((c) => this.expr(c, env));
        if (target?.handle?.write) this.write(target.handle.files, modelOnly(vals.flatMap((v) => [...deepTaint(v)])), { node, range: rangeOf(node), label: 'print >>', args: vals, argNodes: [], kwargs: new Map(), rest: CLEAN });
        return;
      }
      default:
        for (const c of this.nodes.kids(node)) {
          if (/statement|definition|^block$/.test(c.type)) this.stmt(c, env);
          else this.expr(c, env);
        }
    }
  }

  private functionDef(node: Node, env: Scope, decorators: { node: Node; v: Val }[]): void {
    const name = node.childForFieldName('name')?.text;
    const v: Val = { t: CLEAN, fn: { node, env } };
    // `@agent.tool` (pydantic-ai) and friends: the function becomes a tool of that agent.
    for (const d of decorators) {
      const ref = d.v.ref;
      if (!ref?.instance || !/^(tool|tool_plain)$/.test(ref.path[ref.path.length - 1] ?? '')) continue;
      const holder = this.nodes.kids(d.node)[0]?.childForFieldName('object');
      const held = holder?.type === 'identifier' ? env.lookup(holder.text) : undefined;
      if (holder && held?.ref) env.assign(holder.text, { ...held, ref: { ...held.ref, tools: [...(held.ref.tools ?? []), v] } }, false);
    }
    if (name && env.kind !== 'class') env.assign(name, v, false);
    if (env.kind !== 'class') this.noteFn(node, env);
  }

  private classDef(node: Node, env: Scope): void {
    const name = node.childForFieldName('name')?.text;
    const clsVal: Val = { t: CLEAN, cls: node };
    if (name) env.assign(name, clsVal, false);
    const bases = node.childForFieldName('superclasses');
    for (const b of bases ? this.nodes.kids(bases) : []) this.expr(b, env);
    // The class body runs once: its assignments are class attributes, its functions methods.
    const body = node.childForFieldName('body');
    const scope = new Scope(env, 'class');
    if (body) this.block(this.nodes.kids(body), scope);
    const fields = this.fieldsOf(node);
    for (const [k, v] of scope.vars) if (!fields.has(k)) fields.set(k, v);
    const self: Val = { t: CLEAN, instanceOf: node };
    for (const s of body ? this.nodes.kids(body) : []) {
      const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
      if (def?.type === 'function_definition') this.noteFn(def, env, decoratorsOf(def).some((d) => /^@\s*(staticmethod|classmethod)\b/.test(d.text)) ? undefined : self);
    }
  }

  private withStmt(node: Node, env: Scope): void {
    const clause = this.nodes.kids(node).find((c) => c.type === 'with_clause');
    for (const item of clause ? this.nodes.kids(clause) : []) {
      const value = item.childForFieldName('value');
      if (!value) continue;
      if (value.type === 'as_pattern') {
        const inner = this.nodes.kids(value)[0];
        const v = inner ? this.expr(inner, env) : NOTHING;
        // `with X() as x`: a class of this file gives what its `__enter__` returns, others themselves.
        const enter = v.instanceOf ? this.member(v, '__enter__') : undefined;
        const entered = enter?.fn ? this.callValue(enter, [], { node: value, range: rangeOf(value), label: '__enter__', args: [], argNodes: [], kwargs: new Map(), rest: CLEAN }) : v;
        const alias = value.childForFieldName('alias');
        if (alias) this.bind(alias, entered.instanceOf || entered.t.length || entered.ref || entered.handle ? entered : v, env);
      } else this.expr(value, env);
    }
    const body = node.childForFieldName('body');
    if (body) this.stmt(body, env);
  }

  /**
   * A loop runs round after round until its state stops changing (once anything is tainted), at
   * most MAX_LOOP_ROUNDS rounds. A loop entered again from a state it already reached its
   * fixpoint from is not walked again.
   */
  private loop(node: Node, env: Scope): void {
    this.weakly(() => {
      const frame = this.frames[this.frames.length - 1];
      const key = (s: Scope) => this.keys.state(s, `${frame ? idOf(frame) : 0}|${this.tainted ? 1 : 0}|${this.keys.outside(this.classFields, this.written)}`);
      let seen = this.loopStates.get(node.id);
      if (!seen) this.loopStates.set(node.id, (seen = new Set()));
      const entry = key(env);
      if (seen.has(entry)) return;
      seen.add(entry);
      for (let round = 1; ; round++) {
        this.budget.tick(node);
        const before = key(env);
        this.loopRound(node, env);
        if (!this.tainted || key(env) === before) break;
        if (round >= MAX_LOOP_ROUNDS) {
          this.budget.note('loop-rounds', node.child(0) ?? node, `the dataflow stopped following this loop after ${MAX_LOOP_ROUNDS} rounds (loop rounds) while values were still changing`);
          break;
        }
      }
      seen.add(key(env));
    });
  }

  private loopRound(node: Node, env: Scope): void {
    if (node.type === 'for_statement') {
      const right = node.childForFieldName('right');
      const left = node.childForFieldName('left');
      const iter = right ? this.expr(right, env) : NOTHING;
      const el = element(iter);
      if (left) this.bind(left, { ...el, t: extend(el.t, rangeOf(left), `iterated as \`${left.text}\` here`) }, env);
      const model = modelOnly(deepTaint(iter));
      const body = node.childForFieldName('body');
      if (model.length && right && body) this.fanouts.set(node.id, { node, range: rangeOf(node.child(0)?.type === 'async' ? node : (node.child(0) ?? node)), body, over: right, taint: model, how: `\`for ... in ${calleeLabel(right)}\`` });
    } else {
      const cond = node.childForFieldName('condition');
      if (cond) this.expr(cond, env);
    }
    const body = node.childForFieldName('body');
    if (body) this.stmt(body, env);
    const alt = node.childForFieldName('alternative');
    if (alt) this.stmt(alt, env);
  }

  private importStmt(node: Node, env: Scope): void {
    const site = { node, range: rangeOf(node), label: calleeLabel(node), args: [], argNodes: [], kwargs: new Map<string, Val>(), rest: CLEAN };
    if (node.type === 'import_statement') {
      for (const n of node.childrenForFieldName('name')) {
        if (!n) continue;
        const aliased = n.type === 'aliased_import';
        const mod = aliased ? n.childForFieldName('name')?.text : n.text;
        const alias = aliased ? n.childForFieldName('alias')?.text : mod?.split('.')[0];
        if (!mod || !alias) continue;
        // `import pkg.mod`: a project package binds `pkg`, and `pkg.mod` is loaded for `pkg.mod.f`
        const local = this.projectModule(node, aliased ? mod : mod.split('.')[0]!, 0);
        if (local) {
          if (!aliased && mod.includes('.')) this.projectModule(node, mod, 0);
          env.assign(alias, moduleVal(local), false);
        } else env.assign(alias, { t: CLEAN, ref: { pkg: aliased ? mod : mod.split('.')[0]!, path: [] } }, false);
        this.importsWritten(mod, site);
      }
      return;
    }
    const modNode = node.childForFieldName('module_name');
    const written = modNode?.text.replace(/\s+/g, '') ?? '';
    const level = /^\.*/.exec(written)![0].length;
    const dotted = written.slice(level);
    const local = this.projectModule(node, dotted, level);
    if (this.nodes.kids(node).some((c) => c.type === 'wildcard_import')) {
      if (local) {
        for (const [k, v] of local.scope.vars) if (!k.startsWith('_')) env.assign(k, v, false);
      } else this.starModules.push(written);
      return;
    }
    for (const n of node.childrenForFieldName('name')) {
      if (!n) continue;
      const name = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
      const alias = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : name;
      if (!name || !alias) continue;
      // a name of a project module, or a submodule of a project package (`from . import tools`)
      const sub = local?.scope.vars.get(name) ? undefined : this.projectModule(node, dotted ? `${dotted}.${name}` : name, level);
      if (local && local.scope.vars.has(name)) env.assign(alias, local.scope.vars.get(name)!, false);
      else if (sub) env.assign(alias, moduleVal(sub), false);
      else if (local) env.assign(alias, { t: CLEAN }, false);
      else env.assign(alias, { t: CLEAN, ref: { pkg: written, path: [name] } }, false);
      if (isRelative(written) || written === '') this.importsWritten(`${dotted}${dotted ? '.' : ''}${name}`, site);
      else this.importsWritten(written, site);
    }
  }

  /** A module of the project an import names, run once; undefined outside a project or when not followed. */
  private projectModule(at: Node, dotted: string, level: number): PyModuleRecord | undefined {
    if (!this.modules) return undefined;
    const path = this.modules.resolve(at, dotted, level);
    return path ? this.modules.load(path) : undefined;
  }

  /** `import generated` after the program wrote generated.py with model output: write-then-import. */
  private importsWritten(mod: string, site: Parameters<PyFlow['effect']>[1]): void {
    if (this.written.size === 0) return;
    const file = `${mod.replace(/\./g, '/')}.py`;
    const t = this.writtenTaint({ t: CLEAN, str: file });
    if (t.length) this.effect('file-exec', site, `\`import ${mod}\``, t);
  }
}
