/**
 * The Bash dataflow's statements: lists, branches (joined), loops (twice when a value comes
 * around), pipelines, redirects and here-documents, assignments. Each returns the taint of what
 * it writes to standard output.
 */
import type { Node } from 'web-tree-sitter';
import type { Range } from '../types';
import { CLEAN, extend, union, type Taints } from './taint';
import { rangeOf } from './tree';
import type { FlowState, LoopFrame } from './flow-state';
import { isWordNode, partialText, STAGING_VARS, word } from './flow-words';
import { command } from './flow-command';

export function stmt(w: FlowState, node: Node, stdin: Taints): Taints {
  w.budget.tick(node);
  switch (node.type) {
    case 'comment':
    case 'function_definition':
      return CLEAN;
    case 'command':
      return command(w, node, stdin);
    case 'redirected_statement':
      return redirected(w, node, stdin);
    case 'pipeline':
      return pipeline(w, node, stdin);
    case 'variable_assignment':
      assign(w, node);
      return CLEAN;
    case 'variable_assignments':
    case 'declaration_command':
      for (const c of w.nodes.kids(node)) if (c.type === 'variable_assignment') assign(w, c);
      return CLEAN;
    case 'unset_command':
      for (const c of w.nodes.kids(node)) w.vars.delete(c.text);
      return CLEAN;
    case 'if_statement':
    case 'case_statement':
      return w.weakly(() => sequence(w, w.nodes.kids(node), stdin));
    case 'list': {
      const k = w.nodes.kids(node);
      const [a, b] = [k[0], k[k.length - 1]];
      const out = a ? stmt(w, a, stdin) : CLEAN;
      return union(out, b && b !== a ? w.weakly(() => stmt(w, b, stdin)) : CLEAN);
    }
    case 'while_statement':
    case 'for_statement':
    case 'c_style_for_statement':
      return loop(w, node, stdin);
    case 'test_command':
    case 'negated_command':
    case 'subshell':
    case 'compound_statement':
    case 'program':
    case 'do_group':
    case 'else_clause':
    case 'elif_clause':
    case 'case_item':
    default:
      return sequence(w, w.nodes.kids(node), stdin);
  }
}

/** Runs a list of statements with the given standard input; returns what they print. */
export function sequence(w: FlowState, nodes: Node[], stdin: Taints): Taints {
  let out: Taints = CLEAN;
  for (const n of nodes) {
    if (!n.isNamed) continue;
    if (isWordNode(n)) {
      word(w, n); // command substitutions inside still run
      continue;
    }
    out = union(out, stmt(w, n, stdin));
  }
  return out;
}

function loop(w: FlowState, node: Node, stdin: Taints): Taints {
  if (node.type === 'while_statement') w.noteLoopInput(node, stdin);
  return w.weakly(() => {
    let out: Taints = CLEAN;
    const frame: LoopFrame = { written: new Set(), readFirst: new Set(), grew: new Set() };
    w.loopFrames.push(frame);
    for (let pass = 0; pass < 2; pass++) {
      // A second pass matters only when something read before it was written in the body
      // (a loop-carried value) gained an origin during the first.
      if (pass === 1 && ![...frame.readFirst].some((n) => frame.grew.has(n))) break;
      if (pass === 1) w.loopFrames.pop();
      if (node.type === 'for_statement') {
        const variable = w.nodes.field(node, 'variable');
        const values = w.nodes.fields(node, 'value');
        const t = union(...values.map((v) => word(w, v).taint));
        w.noteLoopInput(node, t);
        if (variable) w.setVar(variable.text, extend(t, variable, `iterated as ${variable.text} here`), undefined);
      }
      for (const c of w.nodes.kids(node)) {
        if (c.type === 'variable_name' || isWordNode(c)) continue;
        out = union(out, stmt(w, c, stdin));
      }
    }
    if (w.loopFrames[w.loopFrames.length - 1] === frame) w.loopFrames.pop();
    return out;
  });
}

function pipeline(w: FlowState, node: Node, stdin: Taints): Taints {
  let flow = stdin;
  for (const c of w.nodes.kids(node)) {
    if (c.type === 'comment') continue;
    flow = extend(stmt(w, c, flow), c, 'piped on here');
  }
  return flow;
}

function redirected(w: FlowState, node: Node, stdin: Taints): Taints {
  const body = w.nodes.field(node, 'body');
  const redirects = w.nodes.fields(node, 'redirect');
  // `cat <<EOF | bash`: the rest of the pipeline is parsed inside the heredoc redirect
  const heredoc = redirects.find((r) => r.type === 'heredoc_redirect');
  const rest = heredoc ? w.nodes.kids(heredoc).filter((c) => !['heredoc_start', 'heredoc_body', 'heredoc_end'].includes(c.type)) : [];
  if (!body) return CLEAN;
  let out = withRedirects(w, redirects, stdin, body, (input) => stmtWithInput(w, body, input));
  for (const c of rest) {
    if (c.type === 'pipeline') for (const p of w.nodes.kids(c)) out = stmt(w, p, out);
    else if (c.type !== 'file_redirect') out = stmt(w, c, out);
  }
  return out;
}

function stmtWithInput(w: FlowState, body: Node, input: Taints): Taints {
  if (body.type === 'while_statement' || body.type === 'for_statement') return loop(w, body, input);
  return stmt(w, body, input);
}

interface Output {
  key: string;
  append: boolean;
  range: Range;
}

/** Runs `run` with standard input from the redirects, then writes its output where they say. */
export function withRedirects(w: FlowState, redirects: Node[], stdin: Taints, by: Node, run: (input: Taints) => Taints): Taints {
  let input = stdin;
  const outputs: Output[] = [];
  let toStderr = false;
  for (const r of redirects) {
    if (r.type === 'herestring_redirect') {
      const h = w.nodes.kids(r).find((c) => isWordNode(c));
      if (h) input = union(input, extend(word(w, h).taint, r, 'fed as standard input here'));
    } else if (r.type === 'heredoc_redirect') {
      const start = w.nodes.kids(r).find((c) => c.type === 'heredoc_start');
      const quoted = !!start && /['"\\]/.test(start.text);
      const hbody = w.nodes.kids(r).find((c) => c.type === 'heredoc_body');
      if (hbody && !quoted) input = union(input, extend(word(w, hbody).taint, hbody, 'fed as a here-document here'));
      for (const fr of w.nodes.kids(r)) if (fr.type === 'file_redirect') outputRedirect(w, fr, outputs, () => (toStderr = true));
    } else if (r.type === 'file_redirect') {
      const op = r.child(0)?.text ?? '';
      const dest = w.nodes.field(r, 'destination');
      if (op === '<' && dest) input = union(input, word(w, dest).taint);
      else outputRedirect(w, r, outputs, () => (toStderr = true));
    }
  }
  const out = run(input);
  for (const o of outputs) w.writeFile(o.key, out, o.range, o.append, by);
  return outputs.length || toStderr ? CLEAN : out;
}

function outputRedirect(w: FlowState, r: Node, outputs: Output[], stderr: () => void): void {
  const op = r.child(0)?.text ?? '';
  const dest = w.nodes.field(r, 'destination');
  if (!dest || !op.includes('>')) return;
  if (/^\d*>&/.test(op) || op === '>&') {
    if (dest.text === '2') stderr();
    return;
  }
  const d = word(w, dest);
  if (d.key === '/dev/null' || d.key === '/dev/stderr') stderr();
  else outputs.push({ key: d.key, append: op.includes('>>'), range: rangeOf(r) });
}

function assign(w: FlowState, node: Node): void {
  const nameNode = w.nodes.field(node, 'name');
  const value = w.nodes.field(node, 'value');
  if (!nameNode) return;
  const name = nameNode.type === 'subscript' ? (w.nodes.field(nameNode, 'name')?.text ?? nameNode.text) : nameNode.text;
  const appending = node.children.some((c) => c?.type === '+=') || nameNode.type === 'subscript';
  const v = value ? word(w, value) : undefined;
  let t = v?.taint ?? CLEAN;
  t = extend(t, node, `assigned to ${name} here`);
  // `args=(-s "$URL" -d @req.json)`: the words, joined, for matching the command that expands them
  const partial = value?.type === 'array' ? w.nodes.kids(value).map((e) => partialText(w, e)).join(' ') : value?.type === 'command_substitution' ? undefined : v?.key;
  if (partial !== undefined && !w.weak) w.partialValues.set(name, appending ? `${w.partialValues.get(name) ?? ''} ${partial}`.trim() : partial);
  // zle's BUFFER and bind -x's READLINE_LINE are the command line itself: one Enter runs them
  if (STAGING_VARS.has(name)) {
    const staged = t.filter((x) => x.origin.kind === 'model');
    if (staged.length) w.recordEffects([{ kind: 'stage', node, range: rangeOf(node), label: `\`${name}=\``, taint: staged }]);
  }
  w.setVar(name, appending ? union(w.vars.get(name) ?? CLEAN, t) : t, appending ? undefined : v?.lit);
}
