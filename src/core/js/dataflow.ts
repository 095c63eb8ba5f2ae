/**
 * The JavaScript/TypeScript dataflow: an abstract interpreter over the tree-sitter tree. It walks
 * statements in order with scopes of values, runs functions of the same file at their call sites
 * (and once more on their own), and records where model output and the program's own path go.
 * It over-approximates: branches join, loops run twice once anything is tainted, unknown
 * calls pass their inputs on.
 */
import type { Node } from 'web-tree-sitter';
import { Env, join } from './env';
import { CLEAN, concat, deepTaint, extend, NOTHING, union, type FnVal, type JsModelCall, type Origin, type Taints, type Val } from './taint';
import { calleeLabel, FUNCTION_TYPES, functionName, named, rangeOf, stringValue, unwrap } from './tree';
import { CLEAN_METHODS, GLOBALS, normalizePkg, type ProcessApi } from './modules';
import { refCall, requireOrImport, type CallHost } from './calls';
import type { CallSite, JsEffect, JsEffectKind, JsFanout, JsFlowResult, JsLeave, JsSpawn } from './results';

const MAX_FUNCTION_EVALS = 2000;
/** Words without which a function can neither start a process nor read the program's own path. */
const SPAWN_TOKENS = /\b(spawn|spawnSync|exec|execSync|execFile|execFileSync|fork|execa\w*|Worker|cluster|__filename|argv|require|setInterval|llm|sgpt|ollama|claude|gemini)\b|import\.meta|\$`|child_process/;
const VALIDATORS = new Set(['zod', 'valibot', 'yup', 'joi', 'ajv', '@sinclair/typebox', 'superstruct', 'arktype']);
const SHELL_ESCAPERS = new Set(['shell-quote', 'shell-escape', 'shescape', 'any-shell-escape', 'shell-escape-tag']);
const MUTATORS = /^(push|unshift|splice|set|add|append|concat|assign|write|appendChild)$/;
const ITERATING = /^(map|flatMap|forEach|filter|find|reduce|some|every|then|catch|finally|on|once|addListener|subscribe)$/;

interface Frame {
  returns: Val;
}

/** `./a.js` and `a.js` name the same file. */
const fileKey = (f: string) => f.replace(/^\.\//, '');

export class JsFlow implements CallHost {
  private readonly root = new Env();
  private readonly calls = new Map<number, JsModelCall>();
  private readonly effects = new Map<string, JsEffect>();
  private readonly spawns = new Map<number, JsSpawn>();
  private readonly leaves = new Map<number, JsLeave>();
  private readonly fanouts = new Map<number, JsFanout>();
  private readonly written = new Map<string, Taints>();
  private readonly classFields = new Map<number, Map<string, Val>>();
  private readonly memo = new Map<string, Val>();
  private readonly evaluated = new Set<number>();
  private readonly stack: number[] = [];
  private readonly frames: Frame[] = [];
  private readonly origins = new Map<string, Origin>();
  private readonly seenFns: { node: Node; env: Env }[] = [];
  private readonly seenIds = new Set<number>();
  private weak = 0;
  private secondPass = false;
  private evals = 0;
  /** Set once anything is tainted: loops then run a second time to carry values around. */
  private tainted = false;

  constructor(
    private readonly program: Node,
    readonly extraSdk: readonly string[],
    readonly extraCli: readonly string[],
    /** The file names no model SDK or endpoint: only processes and the program's own path matter. */
    private readonly spawnOnly = false,
  ) {}

  run(): JsFlowResult {
    this.pass();
    if (this.tainted && !this.spawnOnly) {
      // Callbacks run before a later assignment (`app.get(..., () => eval(latest))` above
      // `latest = answer`): a second pass starts from the values the first one ended with.
      this.secondPass = true;
      this.memo.clear();
      this.evaluated.clear();
      this.seenFns.length = 0;
      this.seenIds.clear();
      this.evals = 0;
      this.pass();
    }
    const byPos = <T extends { node: Node }>(xs: Iterable<T>) => [...xs].sort((a, b) => a.node.startIndex - b.node.startIndex);
    return {
      modelCalls: byPos(this.calls.values()),
      effects: byPos(this.effects.values()),
      spawns: byPos(this.spawns.values()),
      leaves: byPos(this.leaves.values()),
      fanouts: byPos(this.fanouts.values()),
      partial: this.evals >= MAX_FUNCTION_EVALS && !this.spawnOnly ? `the file has more functions than Fang follows (${MAX_FUNCTION_EVALS} function evaluations)` : undefined,
    };
  }

  private pass(): void {
    this.block(this.kids(this.program), this.root);
    // Functions met on the way but never called still hold calls worth reporting; evaluating
    // one can meet more, so the list grows while it is walked.
    for (let i = 0; i < this.seenFns.length; i++) {
      const { node: f, env } = this.seenFns[i]!;
      if (this.evaluated.has(f.id)) continue;
      const cls = f.type === 'method_definition' ? f.parent?.parent : undefined;
      let self: Val | undefined;
      if (cls && /class/.test(cls.type)) {
        self = { t: CLEAN, instanceOf: cls };
        if (!this.classFields.has(cls.id)) this.initClass(cls, self, [], [], cls);
        if (this.evaluated.has(f.id)) continue;
      }
      this.callFunction({ node: f, env, self }, [], [], f);
    }
  }

  private readonly kidsCache = new Map<number, Node[]>();
  /** Named children, cached: functions are evaluated more than once and node access crosses into WASM. */
  private kids(node: Node): Node[] {
    let k = this.kidsCache.get(node.id);
    if (!k) {
      k = named(node);
      this.kidsCache.set(node.id, k);
    }
    return k;
  }

  private noteFn(node: Node, env: Env): void {
    if (!this.seenIds.has(node.id)) {
      this.seenIds.add(node.id);
      this.seenFns.push({ node, env });
    }
  }

  private noteClass(node: Node, env: Env): void {
    const body = node.childForFieldName('body');
    for (const m of body ? this.kids(body) : []) if (m.type === 'method_definition') this.noteFn(m, env);
  }

  // ---- CallHost -------------------------------------------------------------------

  modelCall(site: CallSite, kind: JsModelCall['kind'], reason: string, confidence: 'high' | 'low', inputs: Taints): Val {
    let call = this.calls.get(site.node.id);
    if (!call) {
      call = { node: site.node, range: site.range, label: `\`${site.label}\``, kind, reason, confidence };
      this.calls.set(site.node.id, call);
    }
    const origin = this.origin(`m${site.node.id}`, () => ({ kind: 'model', call, range: site.range, label: call.label }));
    this.tainted = true;
    return { t: union([{ origin, steps: [] }], inputs) };
  }

  effect(kind: JsEffectKind, site: CallSite, label: string, taint: Taints): void {
    if (taint.length === 0) return;
    const key = `${kind}:${site.node.id}`;
    const old = this.effects.get(key);
    this.effects.set(key, { kind, node: site.node, range: site.range, label: old?.label ?? label, taint: old ? union(old.taint, taint) : taint });
  }

  spawn(site: CallSite, api: ProcessApi, sync: boolean, self: Taints, detached: boolean): void {
    const old = this.spawns.get(site.node.id);
    this.spawns.set(site.node.id, { node: site.node, range: site.range, label: `\`${site.label}\``, api, sync, self: old ? union(old.self, self) : self, detached });
  }

  write(files: string[], taint: Taints, site: CallSite): void {
    const t = extend(taint, site.range, `written to a file here by \`${site.label}\``);
    for (const f of files) this.written.set(fileKey(f), union(this.written.get(fileKey(f)) ?? CLEAN, t));
  }

  writtenTaint(v: Val): Taints {
    if (this.written.size === 0) return CLEAN;
    const parts: Taints[] = [];
    const visit = (x: Val, depth: number) => {
      for (const f of [...(x.files ?? []), ...(x.str !== undefined ? [x.str] : [])]) {
        const w = this.written.get(fileKey(f));
        if (w) parts.push(w);
      }
      const s = x.str ?? x.hint;
      if (s) for (const [k, w] of this.written) if (!k.startsWith('#') && k.length > 2 && s.includes(k)) parts.push(w);
      if (depth > 0) for (const e of x.elems ?? []) visit(e, depth - 1);
    };
    visit(v, 1);
    return union(...parts);
  }

  leave(site: CallSite, taint: Taints): void {
    this.leaves.set(site.node.id, { node: site.node, range: site.range, label: `\`${site.label}\``, taint });
  }

  // ---- statements -----------------------------------------------------------------

  private block(stmts: Node[], env: Env): void {
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

  private stmt(node: Node, env: Env): void {
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
        for (const c of this.kids(node)) this.expr(c, env);
        return;
      case 'lexical_declaration':
      case 'variable_declaration':
        for (const d of this.kids(node)) {
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
        const arg = this.kids(node)[0];
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
          if (a) for (const x of this.kids(a)) this.stmt(x, env);
        });
        return;
      }
      case 'statement_block':
        return this.block(this.kids(node), new Env(env));
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
          const fb = fin ? this.kids(fin)[0] : undefined;
          if (fb) this.stmt(fb, env);
        });
        return;
      }
      case 'switch_statement': {
        const v = node.childForFieldName('value');
        if (v) this.expr(v, env);
        const body = node.childForFieldName('body');
        this.weakly(() => {
          for (const c of body ? this.kids(body) : []) for (const s of c.childrenForFieldName('body')) if (s) this.stmt(s, env);
        });
        return;
      }
      case 'export_statement': {
        const d = node.childForFieldName('declaration');
        if (d) return this.stmt(d, env);
        const v = node.childForFieldName('value');
        if (v) this.expr(v, env);
        return;
      }
      default:
        for (const c of this.kids(node)) {
          if (/statement|declaration|^statement_block$/.test(c.type)) this.stmt(c, env);
          else this.expr(c, env);
        }
    }
  }

  private loop(node: Node, env: Env): void {
    this.weakly(() => {
      const inner = new Env(env);
      const passes = () => (this.tainted ? 2 : 1);
      for (let pass = 0; pass < passes(); pass++) {
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
              const v = this.expr(c, inner);
              // `for (let i = 0; i < answer.count; i++)`: the model chooses how many turns.
              const model = f === 'condition' && node.type === 'for_statement' ? this.conditionTaint(c, inner).filter((t) => t.origin.kind === 'model') : CLEAN;
              const body = node.childForFieldName('body');
              if (model.length && body) this.fanouts.set(node.id, { node, range: rangeOf(node.child(0) ?? node), body, over: c, taint: model, how: `a \`for\` loop bounded by \`${calleeLabel(c)}\``, per: 'as many times as' });
              void v;
            }
          }
        }
        const body = node.childForFieldName('body');
        if (body) this.stmt(body, inner);
      }
    });
  }

  /** Taint of the operands of a comparison (`i < n`), which the comparison itself drops. */
  private conditionTaint(cond: Node, env: Env): Taints {
    const c = unwrap(cond);
    if (c.type !== 'binary_expression') return CLEAN;
    const parts = [c.childForFieldName('left'), c.childForFieldName('right')].filter((x): x is Node => !!x);
    return union(...parts.map((p) => deepTaint(this.expr(p, env))));
  }

  private weakly(f: () => void): void {
    this.weak++;
    try {
      f();
    } finally {
      this.weak--;
    }
  }

  private importStmt(node: Node, env: Env): void {
    // TypeScript's `import cp = require('child_process')`
    const req = this.kids(node).find((c) => c.type === 'import_require_clause');
    if (req) {
      const id = this.kids(req).find((c) => c.type === 'identifier');
      const spec = stringValue(req.childForFieldName('source'));
      if (id && spec !== undefined) env.vars.set(id.text, { t: CLEAN, ref: { pkg: normalizePkg(spec), path: [] } });
      return;
    }
    const src = stringValue(node.childForFieldName('source'));
    if (src === undefined) return;
    const pkg = normalizePkg(src);
    if (src === 'zx/globals') this.root.vars.set('$', { t: CLEAN, ref: { pkg: 'zx', path: ['$'] } });
    const clause = this.kids(node).find((c) => c.type === 'import_clause');
    for (const c of clause ? this.kids(clause) : []) {
      if (c.type === 'identifier') env.vars.set(c.text, { t: CLEAN, ref: { pkg, path: [] } });
      else if (c.type === 'namespace_import') {
        const id = this.kids(c)[0];
        if (id) env.vars.set(id.text, { t: CLEAN, ref: { pkg, path: [] } });
      } else if (c.type === 'named_imports') {
        for (const s of this.kids(c)) {
          const name = s.childForFieldName('name')?.text;
          const alias = s.childForFieldName('alias')?.text ?? name;
          if (name && alias) env.vars.set(alias, { t: CLEAN, ref: { pkg, path: name === 'default' ? [] : [name] } });
        }
      }
    }
  }

  // ---- binding --------------------------------------------------------------------

  private bind(pattern: Node, v: Val, env: Env, declare: boolean): void {
    const p = unwrap(pattern);
    switch (p.type) {
      case 'identifier':
      case 'shorthand_property_identifier_pattern': {
        const files = v.str === undefined && !v.ref && !v.fn ? [...(v.files ?? []), `#${p.id}`] : v.files;
        const t = extend(v.t, rangeOf(p), `assigned to \`${p.text}\` here`);
        // Second pass: a top-level declaration joins with the value the first pass ended with.
        const join2 = this.secondPass && declare && env === this.root;
        env.assign(p.text, { ...v, t, files }, (this.weak > 0 && !declare) || join2, declare && !join2);
        return;
      }
      case 'object_pattern':
        for (const c of this.kids(p)) {
          if (c.type === 'shorthand_property_identifier_pattern') this.bind(c, this.member(v, c.text), env, declare);
          else if (c.type === 'pair_pattern') {
            const key = c.childForFieldName('key');
            const value = c.childForFieldName('value');
            if (key && value) this.bind(value, this.member(v, stringValue(key) ?? key.text), env, declare);
          } else if (c.type === 'object_assignment_pattern') {
            const left = c.childForFieldName('left');
            const right = c.childForFieldName('right');
            if (left) this.bind(left, join(this.member(v, left.text), right ? this.expr(right, env) : NOTHING), env, declare);
          } else if (c.type === 'rest_pattern') {
            const inner = this.kids(c)[0];
            if (inner) this.bind(inner, v, env, declare);
          }
        }
        return;
      case 'array_pattern': {
        let i = 0;
        for (const c of this.kids(p)) {
          if (c.type === 'rest_pattern') {
            const inner = this.kids(c)[0];
            if (inner) this.bind(inner, { t: deepTaint(v) }, env, declare);
          } else this.bind(c, this.member(v, String(i)), env, declare);
          i++;
        }
        return;
      }
      case 'assignment_pattern': {
        const left = p.childForFieldName('left');
        const right = p.childForFieldName('right');
        if (left) this.bind(left, join(v, right ? this.expr(right, env) : NOTHING), env, declare);
        return;
      }
      case 'required_parameter':
      case 'optional_parameter': {
        const pat = p.childForFieldName('pattern');
        const value = p.childForFieldName('value');
        if (pat) this.bind(pat, value ? join(v, this.expr(value, env)) : v, env, declare);
        return;
      }
      case 'rest_pattern': {
        const inner = this.kids(p)[0];
        if (inner) this.bind(inner, v, env, declare);
        return;
      }
      case 'member_expression': {
        const obj = p.childForFieldName('object');
        const prop = p.childForFieldName('property')?.text;
        if (!obj || !prop) return;
        const ov = this.expr(obj, env);
        const t = extend(v.t, rangeOf(p), `stored in \`${calleeLabel(p)}\` here`);
        if (ov.instanceOf) {
          const fields = this.fieldsOf(ov.instanceOf);
          const old = fields.get(prop);
          fields.set(prop, old && this.weak > 0 ? join(old, { ...v, t }) : { ...v, t });
        } else if (ov.props) ov.props.set(prop, { ...v, t });
        else if (obj.type === 'identifier' && t.length) this.taintBinding(obj, t, env);
        return;
      }
      case 'subscript_expression': {
        const obj = p.childForFieldName('object');
        if (obj && v.t.length) this.taintBinding(obj, extend(v.t, rangeOf(p), `stored in \`${calleeLabel(p)}\` here`), env);
        return;
      }
      default:
        return;
    }
  }

  /** Joins taint into whatever `target` (an identifier or `this.x`) is bound to: `arr.push(x)`. */
  private taintBinding(target: Node, t: Taints, env: Env): void {
    const n = unwrap(target);
    if (n.type === 'identifier') {
      const old = env.lookup(n.text) ?? NOTHING;
      env.assign(n.text, { ...old, t: union(old.t, t) }, false, false);
    } else if (n.type === 'member_expression' && n.childForFieldName('object')?.type === 'this') {
      const self = env.lookup('this');
      const prop = n.childForFieldName('property')?.text;
      if (self?.instanceOf && prop) {
        const fields = this.fieldsOf(self.instanceOf);
        const old = fields.get(prop) ?? NOTHING;
        fields.set(prop, { ...old, t: union(old.t, t) });
      }
    }
  }

  private fieldsOf(cls: Node): Map<string, Val> {
    let m = this.classFields.get(cls.id);
    if (!m) {
      m = new Map();
      this.classFields.set(cls.id, m);
    }
    return m;
  }

  // ---- expressions ----------------------------------------------------------------

  private expr(node: Node, env: Env): Val {
    switch (node.type) {
      case 'identifier':
      case 'shorthand_property_identifier':
        return this.identifier(node, env);
      case 'this':
        return env.lookup('this') ?? NOTHING;
      case 'string':
        return { t: CLEAN, str: stringValue(node) ?? '' };
      case 'number':
      case 'true':
      case 'false':
        return { t: CLEAN, str: node.text };
      case 'template_string':
        return this.template(node, env);
      case 'parenthesized_expression':
      case 'as_expression':
      case 'satisfies_expression':
      case 'non_null_expression':
      case 'type_assertion': {
        const inner = unwrap(node);
        return inner === node ? NOTHING : this.expr(inner, env);
      }
      case 'sequence_expression': {
        let last: Val = NOTHING;
        for (const c of this.kids(node)) last = this.expr(c, env);
        return last;
      }
      case 'await_expression':
      case 'spread_element': {
        const inner = this.kids(node)[0];
        return inner ? this.expr(inner, env) : NOTHING;
      }
      case 'yield_expression': {
        const inner = this.kids(node)[0];
        const v = inner ? this.expr(inner, env) : NOTHING;
        const f = this.frames[this.frames.length - 1];
        if (f) f.returns = join(f.returns, node.text.startsWith('yield*') ? this.element(v) : v);
        return NOTHING;
      }
      case 'member_expression': {
        const obj = node.childForFieldName('object');
        const prop = node.childForFieldName('property');
        if (!obj || !prop) return NOTHING;
        return this.member(this.expr(obj, env), prop.text, node);
      }
      case 'subscript_expression': {
        const obj = node.childForFieldName('object');
        const idx = node.childForFieldName('index');
        if (!obj) return NOTHING;
        const ov = this.expr(obj, env);
        const iv = idx ? this.expr(idx, env) : NOTHING;
        return this.member(ov, iv.str ?? '[]', node);
      }
      case 'meta_property':
        return node.text === 'import.meta' ? { t: CLEAN, ref: { pkg: '<global>', path: ['import.meta'] } } : NOTHING;
      case 'call_expression':
        return this.call(node, env);
      case 'new_expression':
        return this.construct(node, env);
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const v = right ? this.expr(right, env) : NOTHING;
        if (left) this.bind(left, v, env, false);
        return v;
      }
      case 'augmented_assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const v = right ? this.expr(right, env) : NOTHING;
        if (left && v.t.length) {
          const lv = this.expr(left, env);
          this.bind(left, { ...concat([lv, v]), t: union(lv.t, extend(v.t, rangeOf(node), `appended to \`${left.text}\` here`)) }, env, false);
        }
        return v;
      }
      case 'binary_expression': {
        const l = node.childForFieldName('left');
        const r = node.childForFieldName('right');
        const op = node.childForFieldName('operator')?.text;
        const lv = l ? this.expr(l, env) : NOTHING;
        const rv = r ? this.expr(r, env) : NOTHING;
        if (op === '+') return concat([lv, rv]);
        if (op === '||' || op === '??' || op === '&&') return join(lv, rv);
        return NOTHING;
      }
      case 'ternary_expression': {
        const c = node.childForFieldName('condition');
        if (c) this.expr(c, env);
        const a = node.childForFieldName('consequence');
        const b = node.childForFieldName('alternative');
        return join(a ? this.expr(a, env) : NOTHING, b ? this.expr(b, env) : NOTHING);
      }
      case 'unary_expression':
      case 'update_expression':
        for (const c of this.kids(node)) this.expr(c, env);
        return NOTHING;
      case 'arrow_function':
      case 'function_expression':
      case 'function':
      case 'generator_function':
        this.noteFn(node, env);
        return { t: CLEAN, fn: { node, env } };
      case 'class':
      case 'class_expression':
        this.noteClass(node, env);
        return { t: CLEAN, cls: node };
      case 'object':
        return this.object(node, env);
      case 'array': {
        const elems = this.kids(node).map((c) => this.expr(c, env));
        return { t: CLEAN, elems };
      }
      case 'regex':
      case 'null':
      case 'undefined':
      case 'super':
        return NOTHING;
      default: {
        // JSX and anything else: evaluate the parts (calls inside still happen), pass the taint on.
        let t: Taints = CLEAN;
        for (const c of this.kids(node)) {
          if (FUNCTION_TYPES.includes(c.type)) continue;
          t = union(t, this.expr(c, env).t);
        }
        return t.length ? { t } : NOTHING;
      }
    }
  }

  private identifier(node: Node, env: Env): Val {
    const name = node.text;
    const local = env.lookup(name);
    if (local) return local;
    if (name === '__filename') return { t: [{ origin: this.selfOrigin(node, '`__filename`'), steps: [] }] };
    if (name === 'require') return { t: CLEAN, ref: { pkg: '<global>', path: ['require'] } };
    if (GLOBALS.has(name)) return { t: CLEAN, ref: { pkg: '<global>', path: [name] } };
    return NOTHING;
  }

  private selfOrigin(node: Node, label: string): Origin {
    return this.origin(`s${node.id}`, () => ({ kind: 'self', range: rangeOf(node), label }));
  }

  private origin(key: string, make: () => Origin): Origin {
    let o = this.origins.get(key);
    if (!o) {
      o = make();
      this.origins.set(key, o);
    }
    return o;
  }

  private template(node: Node, env: Env): Val {
    const parts: Val[] = [];
    for (const c of this.kids(node)) {
      if (c.type === 'template_substitution') {
        const inner = this.kids(c)[0];
        parts.push(inner ? this.expr(inner, env) : NOTHING);
      } else parts.push({ t: CLEAN, str: c.text });
    }
    return concat(parts);
  }

  private object(node: Node, env: Env): Val {
    const props = new Map<string, Val>();
    let t: Taints = CLEAN;
    for (const c of this.kids(node)) {
      if (c.type === 'pair') {
        const k = c.childForFieldName('key');
        const v = c.childForFieldName('value');
        const key = k ? (stringValue(k) ?? (k.type === 'computed_property_name' ? '[]' : k.text)) : '[]';
        if (v) props.set(key, this.expr(v, env));
      } else if (c.type === 'shorthand_property_identifier') props.set(c.text, this.identifier(c, env));
      else if (c.type === 'method_definition') {
        const k = c.childForFieldName('name')?.text;
        if (k) props.set(k, { t: CLEAN, fn: { node: c, env } });
        this.noteFn(c, env);
      } else if (c.type === 'spread_element') {
        const inner = this.kids(c)[0];
        const v = inner ? this.expr(inner, env) : NOTHING;
        for (const [k, pv] of v.props ?? []) props.set(k, pv);
        t = union(t, v.t);
      }
    }
    return { t, props };
  }

  /** `obj.name`: a module member, a field, an element, or the object's own taint. */
  private member(obj: Val, name: string, node?: Node): Val {
    const p = obj.props?.get(name);
    if (p) return p;
    if (obj.instanceOf) {
      const f = this.classFields.get(obj.instanceOf.id)?.get(name);
      if (f) return f;
      const m = this.methodOf(obj.instanceOf, name);
      if (m) return { t: CLEAN, fn: { node: m, env: this.root, self: obj } };
    }
    if (obj.elems && /^\d+$/.test(name)) {
      const e = obj.elems[Number(name)];
      if (e) return e;
    }
    if (obj.ref) {
      const ref = obj.ref;
      if (name === 'default' && ref.path.length === 0 && ref.pkg !== '<global>') return obj; // `require('x').default`
      const path = ref.pkg === '<global>' && ref.path.length === 1 && /^(globalThis|window|global|self)$/.test(ref.path[0]!) ? [name] : [...ref.path, name];
      if (ref.pkg === '<global>') {
        const full = path.join('.');
        if (full === 'process.argv.1' || full === 'import.meta.url' || full === 'import.meta.filename' || full === 'process.argv.[]') {
          if (full !== 'process.argv.[]' && node) return { t: [{ origin: this.selfOrigin(node, `\`${node.text}\``), steps: [] }] };
        }
        if (path[0] === 'process' && path[1] === 'env' && path.length === 3) return { t: CLEAN, hint: `$${name}` };
        if (full === 'process.execPath' || full === 'process.argv0') return { t: CLEAN, str: 'node' };
        if (path.length > 3) return { t: obj.t };
      }
      return { t: obj.t, ref: { ...ref, path } };
    }
    if (obj.cls) {
      // static methods of a class of this file: `Agent.run()`
      const m = this.methodOf(obj.cls, name);
      return m ? { t: CLEAN, fn: { node: m, env: this.root } } : NOTHING;
    }
    if (obj.fn) return NOTHING;
    if (name === 'length') return NOTHING;
    const t = obj.elems || obj.props ? deepTaint(obj) : obj.t;
    return t.length || obj.files ? { t, files: obj.files } : NOTHING;
  }

  private methodOf(cls: Node, name: string): Node | undefined {
    const body = cls.childForFieldName('body');
    for (const m of body ? this.kids(body) : []) if (m.type === 'method_definition' && m.childForFieldName('name')?.text === name) return m;
    return undefined;
  }

  /** The value of one element of an iterable (arrays, streams, async iterators). */
  private element(v: Val): Val {
    if (v.elems?.length) return v.elems.reduce((a, b) => join(a, b), NOTHING);
    return { t: deepTaint(v), files: v.files };
  }

  // ---- calls ----------------------------------------------------------------------

  private args(node: Node | null, env: Env): { vals: Val[]; nodes: Node[]; subs?: Val[] } {
    if (!node) return { vals: [], nodes: [] };
    if (node.type === 'template_string') {
      const subs = this.kids(node).filter((c) => c.type === 'template_substitution').map((c) => (this.kids(c)[0] ? this.expr(this.kids(c)[0]!, env) : NOTHING));
      return { vals: [this.template(node, env)], nodes: [node], subs };
    }
    const nodes = this.kids(node);
    return { vals: nodes.map((n) => this.expr(n, env)), nodes };
  }

  private call(node: Node, env: Env): Val {
    const fnNode = node.childForFieldName('function');
    if (!fnNode) return NOTHING;
    const f = unwrap(fnNode);
    let recv: Val | undefined;
    let recvNode: Node | undefined;
    let method: string | undefined;
    let callee: Val;
    if (f.type === 'import') callee = { t: CLEAN, ref: { pkg: '<global>', path: ['import'] } };
    else if (f.type === 'member_expression') {
      recvNode = f.childForFieldName('object') ?? undefined;
      method = f.childForFieldName('property')?.text;
      recv = recvNode ? this.expr(recvNode, env) : NOTHING;
      callee = method ? this.member(recv, method, f) : NOTHING;
    } else callee = this.expr(f, env);
    let { vals, nodes, subs } = this.args(node.childForFieldName('arguments'), env);
    // `eval.call(null, code)`, `exec.apply(cp, [cmd])`: the same call with the arguments moved.
    if ((method === 'call' || method === 'apply') && callee.ref && recv?.ref && callee.ref.path.length > 0) {
      callee = recv;
      vals = method === 'call' ? vals.slice(1) : (vals[1]?.elems ?? []);
      nodes = method === 'call' ? nodes.slice(1) : [];
      recv = undefined;
      method = undefined;
    }
    const site: CallSite = { node, range: rangeOf(node), label: calleeLabel(f), args: vals, argNodes: nodes, isNew: false, substitutions: subs };

    let result: Val | undefined;
    if (callee.fn) return this.callFunction(callee.fn, vals, nodes, node, recv && (recv.props || recv.instanceOf) ? recv : undefined);
    if (callee.resolves) {
      const holder = callee.resolves;
      holder.t = union(holder.t, extend(vals[0]?.t ?? CLEAN, site.range, 'resolved as the promise value here'));
      return NOTHING;
    }
    if (callee.ref) {
      const ref = callee.ref;
      // require('x') / import('x') with a literal: a module reference
      if (ref.pkg === '<global>' && (ref.path[0] === 'require' || ref.path[0] === 'import') && ref.path.length === 1) {
        const spec = vals[0]?.str;
        if (spec !== undefined && !this.writtenTaint(vals[0]!).length) return { t: CLEAN, ref: { pkg: normalizePkg(spec), path: [] } };
        result = requireOrImport(this, site, ref.path[0] === 'import' ? '`import()`' : '`require`');
      } else if (SHELL_ESCAPERS.has(ref.pkg)) {
        result = NOTHING; // quoted for the shell: one argument, not code
      } else if (VALIDATORS.has(ref.pkg) && method && CLEAN_METHODS.test(method)) {
        result = NOTHING;
      } else if (ref.pkg === '<global>' && ref.path.join('.') === 'process.argv.slice' && Number(vals[0]?.str ?? '0') <= 1) {
        // `process.argv.slice(1)` starts with the program's own path.
        return { t: [{ origin: this.selfOrigin(node, `\`${calleeLabel(node)}\``), steps: [] }] };
      } else if (ref.pkg === 'module' && ref.path.join('.') === 'createRequire') {
        return { t: CLEAN, ref: { pkg: '<global>', path: ['require'] } };
      } else if (ref.pkg === 'util' && ref.path[ref.path.length - 1] === 'promisify' && vals[0]) {
        return vals[0];
      } else {
        const argHasModel = vals.some((v) => v.ref?.hasModel || v.elems?.some((e) => e.ref?.hasModel));
        result = refCall(this, ref, site, argHasModel);
      }
    }
    if (recv && (method === 'map' || method === 'flatMap')) this.mapReceivers.set(node.id, recv);
    const isPromiseAll = callee.ref?.pkg === '<global>' && /^Promise\.(all|allSettled|any|race)$/.test(callee.ref.path.join('.'));
    if (isPromiseAll) this.fanoutOf(node, nodes[0]);

    // Generic: the result carries the inputs; callbacks receive them.
    const recvTaint = recv ? deepTaint(recv) : CLEAN;
    if (!result) {
      const clean = !!method && CLEAN_METHODS.test(method) && !(recv?.ref && method === 'parse');
      const inputs = clean ? CLEAN : union(recvTaint, ...vals.filter((v) => !v.fn).map((v) => deepTaint(v)));
      const files = vals.flatMap((v) => [...(v.files ?? []), ...(v.str !== undefined && /[/\\]|\.\w{1,4}$/.test(v.str) ? [v.str] : [])]);
      result = inputs.length || files.length ? { t: inputs, files: files.length ? files : undefined } : NOTHING;
      if (method && MUTATORS.test(method) && recvNode && !callee.ref) {
        const added = union(...vals.map((v) => deepTaint(v)));
        if (added.length) this.taintBinding(recvNode, extend(added, site.range, `added to \`${recvNode.text}\` here`), env);
      }
    }
    if (callee.ref?.pkg === 'path' && result.t.length) {
      // `path.dirname(__filename)`, `path.join(__dirname, 'worker.js')`: a directory or a sibling, not the program.
      const last = callee.ref.path[callee.ref.path.length - 1];
      const lastArg = vals[vals.length - 1]?.str;
      if (last === 'dirname' || (vals.length > 1 && lastArg && /[\w-]\.\w+$/.test(lastArg))) result = { ...result, t: result.t.filter((t) => t.origin.kind !== 'self') };
    }
    const cbInput = union(recvTaint, result.t);
    let cbResult: Val = NOTHING;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i]!;
      if (!v.fn) continue;
      const cbArgs = v.fn.node.childForFieldName('parameters') ?? v.fn.node.childForFieldName('parameter');
      const n = cbArgs ? Math.max(1, this.kids(cbArgs).length) : 1;
      const arg: Val = { t: cbInput, files: recv?.files };
      cbResult = join(cbResult, this.callFunction(v.fn, Array.from({ length: n }, () => arg), [], node, undefined, 'received by the callback as'));
      if (method && /^(map|flatMap|forEach)$/.test(method) && recvNode && !isPromiseAll) {
        const model = recvTaint.filter((t) => t.origin.kind === 'model');
        if (model.length) this.fanouts.set(node.id, { node, range: site.range, body: v.fn.node, over: recvNode, taint: model, how: `\`${calleeLabel(f)}\`` });
      }
    }
    if (method && ITERATING.test(method)) return cbResult.t.length ? { ...result, t: union(result.t, cbResult.t) } : result;
    return result;
  }

  /** `Promise.all(items.map(cb))` over model output: remember it for js-unbounded-fanout. */
  private fanoutOf(node: Node, arg: Node | undefined): void {
    const a = arg ? unwrap(arg) : undefined;
    if (a?.type !== 'call_expression') return;
    const f = a.childForFieldName('function');
    if (f?.type !== 'member_expression' || !/^(map|flatMap)$/.test(f.childForFieldName('property')?.text ?? '')) return;
    const over = f.childForFieldName('object');
    const cb = this.kids(a.childForFieldName('arguments') ?? a)[0];
    if (!over || !cb) return;
    this.fanouts.delete(a.id);
    const overVal = this.mapReceivers.get(a.id);
    const taint = overVal ? deepTaint(overVal).filter((t) => t.origin.kind === 'model') : CLEAN;
    if (taint.length) this.fanouts.set(node.id, { node, range: rangeOf(node), body: cb, over, taint, how: `\`Promise.${node.childForFieldName('function')?.childForFieldName('property')?.text ?? 'all'}(${calleeLabel(f)}(...))\`` });
  }

  /** Receivers of `.map`/`.flatMap` calls, by call node, for fan-out detection. */
  private readonly mapReceivers = new Map<number, Val>();

  private construct(node: Node, env: Env): Val {
    const ctorNode = node.childForFieldName('constructor');
    const ctor = ctorNode ? this.expr(ctorNode, env) : NOTHING;
    const { vals, nodes } = this.args(node.childForFieldName('arguments'), env);
    const site: CallSite = { node, range: rangeOf(node), label: ctorNode ? calleeLabel(ctorNode) : 'new', args: vals, argNodes: nodes, isNew: true };
    if (ctor.cls) {
      const inst: Val = { t: CLEAN, instanceOf: ctor.cls };
      this.initClass(ctor.cls, inst, vals, nodes, node);
      return inst;
    }
    if (ctor.ref) {
      const path = ctor.ref.path.join('.');
      if (ctor.ref.pkg === '<global>' && path === 'Promise' && vals[0]?.fn) {
        const holder: Val = { t: CLEAN };
        this.callFunction(vals[0].fn, [{ t: CLEAN, resolves: holder }, NOTHING], [], node);
        return holder;
      }
      if (ctor.ref.pkg === '<global>' && path === 'URL') {
        // `new URL('./worker.js', import.meta.url)` names a sibling file, not the program itself.
        const base = vals[1] && vals[0]?.str && /[\w-]\.\w+$/.test(vals[0].str) ? { ...vals[1], t: vals[1].t.filter((t) => t.origin.kind !== 'self') } : vals[1];
        return concat([base ?? { t: CLEAN, str: '' }, vals[0] ?? NOTHING]);
      }
      const r = refCall(this, ctor.ref, site, false);
      if (r) return r;
    }
    for (const v of vals) if (v.fn) this.callFunction(v.fn, [], [], node);
    return { t: union(...vals.map((v) => deepTaint(v))) };
  }

  private initClass(cls: Node, inst: Val, args: Val[], argNodes: Node[], site: Node): void {
    const body = cls.childForFieldName('body');
    const env = new Env(this.root);
    env.vars.set('this', inst);
    const fields = this.fieldsOf(cls);
    for (const m of body ? this.kids(body) : []) {
      if (m.type !== 'field_definition' && m.type !== 'public_field_definition') continue;
      const name = (m.childForFieldName('property') ?? m.childForFieldName('name'))?.text;
      const value = m.childForFieldName('value');
      if (name && value) fields.set(name, join(fields.get(name) ?? NOTHING, this.expr(value, env)));
    }
    const ctor = this.methodOf(cls, 'constructor');
    if (ctor) this.callFunction({ node: ctor, env: this.root, self: inst }, args, argNodes, site);
  }

  /** Runs a function of this file with argument values; memoized per function and argument taint. */
  callFunction(fn: FnVal, args: Val[], argNodes: Node[], site: Node, self?: Val, how = 'passed as'): Val {
    const node = fn.node;
    const key = `${node.id}:${args.map((a) => `${a.t.map((t) => t.origin.range.start.line).join(',')}${a.ref ? 'r' : ''}${a.resolves ? 'p' : ''}`).join('|')}`;
    const fname = functionName(node) ?? 'the function';
    const returned = (v: Val): Val => (v.t.length ? { ...v, t: extend(v.t, rangeOf(site), `returned by \`${fname}()\` here`) } : v);
    const cached = this.memo.get(key);
    if (cached) return returned(cached);
    if (this.stack.includes(node.id) || this.evals >= MAX_FUNCTION_EVALS) return { t: union(...args.map((a) => deepTaint(a))) };
    if (this.spawnOnly && args.every((a) => a.t.length === 0 && !a.elems && !a.props) && !SPAWN_TOKENS.test(node.text)) {
      // Nothing here can start a process or read the program's path, and nothing tainted comes in.
      this.evaluated.add(node.id);
      return NOTHING;
    }
    this.evals++;
    this.evaluated.add(node.id);
    this.stack.push(node.id);
    const env = new Env(fn.env as Env);
    const thisVal = fn.self ?? self;
    if (thisVal) env.vars.set('this', thisVal);
    const params = node.childForFieldName('parameters') ?? node.childForFieldName('parameter');
    const list = params ? (params.type === 'formal_parameters' ? this.kids(params) : [params]) : [];
    list.forEach((p, i) => {
      const a = p.type === 'rest_pattern' ? { t: union(...args.slice(i).map((x) => deepTaint(x))) } : (args[i] ?? NOTHING);
      const at = argNodes[i] ? rangeOf(argNodes[i]!) : rangeOf(p);
      const t = extend(a.t, at, how === 'passed as' ? `passed to \`${fname}()\` as \`${p.text.replace(/[:=?].*$/s, '').trim()}\` here` : `${how} \`${p.text.replace(/[:=?].*$/s, '').trim()}\` here`);
      this.bind(p, { ...a, t }, env, true);
    });
    const frame: Frame = { returns: NOTHING };
    this.frames.push(frame);
    const body = node.childForFieldName('body');
    try {
      if (body?.type === 'statement_block') this.block(this.kids(body), env);
      else if (body) frame.returns = this.expr(body, env);
    } finally {
      this.frames.pop();
      this.stack.pop();
    }
    this.memo.set(key, frame.returns);
    return returned(frame.returns);
  }
}
