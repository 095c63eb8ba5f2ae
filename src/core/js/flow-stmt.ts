/** The JavaScript dataflow's statements: blocks with hoisting, declarations, branches, loops to their fixpoint, imports and exports. */
import type { Node } from 'web-tree-sitter';
import { Env, join } from './env';
import { CLEAN, deepTaint, extend, NOTHING, union, type Taints, type Val } from './taint';
import { calleeLabel, rangeOf, stringValue, unwrap } from './tree';
import { normalizePkg } from './modules';
import { exportsOf, importedBinding } from './project-modules';
import { StateKeys } from './state-key';
import { bind } from './flow-bind';
import { element, expr } from './flow-expr';
import type { FlowState } from './flow-state';
import { typedValue } from './flow-types';

/** Rounds of one loop before the dataflow gives up on its fixpoint (and says so). */
const MAX_LOOP_ROUNDS = 6;

export function block(w: FlowState, stmts: Node[], env: Env): void {
  // Hoisting: function declarations are callable before their line.
  for (const s of stmts) {
    const d = s.type === 'export_statement' ? (s.childForFieldName('declaration') ?? s) : s;
    if (d.type === 'function_declaration' || d.type === 'generator_function_declaration') {
      const name = d.childForFieldName('name')?.text;
      if (name) env.vars.set(name, { t: CLEAN, fn: { node: d, env } });
      w.noteFn(d, env);
    }
  }
  for (const s of stmts) stmt(w, s, env);
}

export function stmt(w: FlowState, node: Node, env: Env): void {
  w.budget.tick(node);
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
      return importStmt(w, node, env);
    case 'expression_statement':
      for (const c of w.nodes.kids(node)) expr(w, c, env);
      return;
    case 'lexical_declaration':
    case 'variable_declaration':
      for (const d of w.nodes.kids(node)) {
        if (d.type !== 'variable_declarator') continue;
        const name = d.childForFieldName('name');
        const value = d.childForFieldName('value');
        const typed = value ? undefined : typedValue(w, d.childForFieldName('type'), env);
        const v = value ? expr(w, value, env) : (typed ?? NOTHING);
        if (name) bind(w, name, v, env, true);
      }
      return;
    case 'class_declaration':
    case 'abstract_class_declaration': {
      const name = node.childForFieldName('name')?.text;
      if (name) env.vars.set(name, { t: CLEAN, cls: node });
      w.noteClass(node, env);
      return;
    }
    case 'return_statement': {
      const arg = w.nodes.kids(node)[0];
      const v = arg ? expr(w, arg, env) : NOTHING;
      const f = w.frames[w.frames.length - 1];
      if (f) f.returns = join(f.returns, v);
      return;
    }
    case 'if_statement': {
      const cond = node.childForFieldName('condition');
      if (cond) expr(w, cond, env);
      w.weakly(() => {
        const c = node.childForFieldName('consequence');
        if (c) stmt(w, c, env);
        const a = node.childForFieldName('alternative');
        if (a) for (const x of w.nodes.kids(a)) stmt(w, x, env);
      });
      return;
    }
    case 'statement_block':
      return block(w, w.nodes.kids(node), new Env(env));
    case 'for_statement':
    case 'for_in_statement':
    case 'while_statement':
    case 'do_statement':
      return loop(w, node, env);
    case 'try_statement': {
      const body = node.childForFieldName('body');
      if (body) stmt(w, body, env);
      w.weakly(() => {
        const h = node.childForFieldName('handler');
        const hb = h?.childForFieldName('body');
        if (hb) stmt(w, hb, env);
        const fin = node.childForFieldName('finalizer');
        const fb = fin ? w.nodes.kids(fin)[0] : undefined;
        if (fb) stmt(w, fb, env);
      });
      return;
    }
    case 'switch_statement': {
      const v = node.childForFieldName('value');
      if (v) expr(w, v, env);
      const body = node.childForFieldName('body');
      w.weakly(() => {
        for (const c of body ? w.nodes.kids(body) : []) for (const s of c.childrenForFieldName('body')) if (s) stmt(w, s, env);
      });
      return;
    }
    case 'export_statement':
      return exportStmt(w, node, env);
    default:
      for (const c of w.nodes.kids(node)) {
        if (/statement|declaration|^statement_block$/.test(c.type)) stmt(w, c, env);
        else expr(w, c, env);
      }
  }
}

/**
 * A loop runs round after round until its state stops changing (once anything is tainted;
 * untainted state has nothing to carry around), at most MAX_LOOP_ROUNDS rounds. A loop
 * entered again from a state it already reached its fixpoint from is not walked again.
 */
export function loop(w: FlowState, node: Node, env: Env): void {
  w.weakly(() => {
    const frame = w.frames[w.frames.length - 1];
    const key = (e: Env) => w.keys.state(e, `${frame ? StateKeys.idOf(frame) : 0}|${w.tainted ? 1 : 0}|${w.keys.outside(w.classFields, w.written)}`);
    let seen = w.loopStates.get(node.id);
    if (!seen) w.loopStates.set(node.id, (seen = new Set()));
    const entry = key(env);
    if (seen.has(entry)) return;
    seen.add(entry);
    const inner = new Env(env);
    for (let round = 1; ; round++) {
      w.budget.tick(node);
      const before = key(inner);
      loopRound(w, node, inner);
      if (!w.tainted || key(inner) === before) break;
      if (round >= MAX_LOOP_ROUNDS) {
        w.budget.note('loop-rounds', node.child(0) ?? node, `the dataflow stopped following this loop after ${MAX_LOOP_ROUNDS} rounds (loop rounds) while values were still changing`);
        break;
      }
    }
    // Entered again from the state it leaves, the loop would change nothing either.
    seen.add(key(env));
  });
}

/** One walk of a loop: its head, then its body. */
function loopRound(w: FlowState, node: Node, inner: Env): void {
  if (node.type === 'for_in_statement') {
    const right = node.childForFieldName('right');
    const left = node.childForFieldName('left');
    const iter = right ? expr(w, right, inner) : NOTHING;
    const elem = element(w, iter);
    if (left) bind(w, left, { ...elem, t: extend(elem.t, rangeOf(left), `iterated as \`${left.text}\` here`) }, inner, true);
    const model = deepTaint(iter).filter((t) => t.origin.kind === 'model');
    const body = node.childForFieldName('body');
    if (model.length && right && body) w.fanouts.set(node.id, { node, range: rangeOf(node.child(0) ?? node), body, over: right, taint: model, how: `\`for ... of ${calleeLabel(right)}\`` });
  } else {
    for (const f of ['initializer', 'condition', 'increment']) {
      const c = node.childForFieldName(f);
      if (!c) continue;
      if (/declaration/.test(c.type)) stmt(w, c, inner);
      else {
        expr(w, c, inner);
        // `for (let i = 0; i < answer.count; i++)`: the model chooses how many turns.
        const model = f === 'condition' && node.type === 'for_statement' ? conditionTaint(w, c, inner).filter((t) => t.origin.kind === 'model') : CLEAN;
        const body = node.childForFieldName('body');
        if (model.length && body) w.fanouts.set(node.id, { node, range: rangeOf(node.child(0) ?? node), body, over: c, taint: model, how: `a \`for\` loop bounded by \`${calleeLabel(c)}\``, per: 'as many times as' });
      }
    }
  }
  const body = node.childForFieldName('body');
  if (body) stmt(w, body, inner);
}

/** Taint of the operands of a comparison (`i < n`), which the comparison itself drops. */
export function conditionTaint(w: FlowState, cond: Node, env: Env): Taints {
  const c = unwrap(cond);
  if (c.type !== 'binary_expression') return CLEAN;
  const parts = [c.childForFieldName('left'), c.childForFieldName('right')].filter((x): x is Node => !!x);
  return union(...parts.map((p) => deepTaint(expr(w, p, env))));
}

export function exportStmt(w: FlowState, node: Node, env: Env): void {
  const record = w.modules?.recordOf(node);
  const exportsVal = record ? exportsOf(record) : undefined;
  const set = (name: string, v: Val | undefined) => {
    if (exportsVal?.props && v) exportsVal.props.set(name, v);
  };
  const isDefault = w.nodes.kids(node).length > 0 && /^export\s+default\b/.test(node.text);
  const d = node.childForFieldName('declaration');
  if (d) {
    stmt(w, d, env);
    if (!exportsVal) return;
    for (const name of declaredNames(d)) set(isDefault ? 'default' : name, env.lookup(name));
    return;
  }
  const v = node.childForFieldName('value');
  if (v) {
    const val = expr(w, v, env);
    set('default', val);
    return;
  }
  if (!exportsVal) return;
  // `export { a, b as c }`, `export { a } from './x'`, `export * from './x'`
  const src = stringValue(node.childForFieldName('source'));
  const from = src !== undefined ? w.loadModule(node, src) : undefined;
  if (src !== undefined && !from) return;
  const clause = w.nodes.kids(node).find((c) => c.type === 'export_clause');
  if (!clause) {
    for (const [k, pv] of from?.props ?? []) if (k !== 'default') set(k, pv);
    return;
  }
  for (const spec of w.nodes.kids(clause)) {
    const name = spec.childForFieldName('name')?.text;
    const alias = spec.childForFieldName('alias')?.text ?? name;
    if (!name || !alias) continue;
    set(alias, from ? importedBinding(from, name) : env.lookup(name));
  }
}

export function importStmt(w: FlowState, node: Node, env: Env): void {
  // TypeScript's `import cp = require('child_process')`
  const req = w.nodes.kids(node).find((c) => c.type === 'import_require_clause');
  if (req) {
    const id = w.nodes.kids(req).find((c) => c.type === 'identifier');
    const spec = stringValue(req.childForFieldName('source'));
    if (id && spec !== undefined) env.vars.set(id.text, { t: CLEAN, ref: { pkg: normalizePkg(spec), path: [] } });
    return;
  }
  const src = stringValue(node.childForFieldName('source'));
  if (src === undefined) return;
  // A file of the project: bind what it exports.
  const local = w.loadModule(node, src);
  if (local) {
    const clause = w.nodes.kids(node).find((c) => c.type === 'import_clause');
    for (const c of clause ? w.nodes.kids(clause) : []) {
      if (c.type === 'identifier') env.vars.set(c.text, importedBinding(local, 'default'));
      else if (c.type === 'namespace_import') {
        const id = w.nodes.kids(c)[0];
        if (id) env.vars.set(id.text, local);
      } else if (c.type === 'named_imports') {
        for (const s of w.nodes.kids(c)) {
          const name = s.childForFieldName('name')?.text;
          const alias = s.childForFieldName('alias')?.text ?? name;
          if (name && alias) env.vars.set(alias, importedBinding(local, name));
        }
      }
    }
    return;
  }
  const pkg = normalizePkg(src);
  if (src === 'zx/globals') w.root.vars.set('$', { t: CLEAN, ref: { pkg: 'zx', path: ['$'] } });
  const clause = w.nodes.kids(node).find((c) => c.type === 'import_clause');
  for (const c of clause ? w.nodes.kids(clause) : []) {
    if (c.type === 'identifier') env.vars.set(c.text, { t: CLEAN, ref: { pkg, path: [] } });
    else if (c.type === 'namespace_import') {
      const id = w.nodes.kids(c)[0];
      if (id) env.vars.set(id.text, { t: CLEAN, ref: { pkg, path: [] } });
    } else if (c.type === 'named_imports') {
      for (const s of w.nodes.kids(c)) {
        const name = s.childForFieldName('name')?.text;
        const alias = s.childForFieldName('alias')?.text ?? name;
        if (name && alias) env.vars.set(alias, { t: CLEAN, ref: { pkg, path: name === 'default' ? [] : [name] } });
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

