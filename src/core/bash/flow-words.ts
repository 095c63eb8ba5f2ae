/** The Bash dataflow's words: what each word carries (taint), its literal text where known, and its text for keys and messages. */
import type { Node } from 'web-tree-sitter';
import { CLEAN, extend, union, type Taints } from './taint';
import { namedChildren, unquoted } from './tree';
import type { FlowState, Word } from './flow-state';
import { sequence } from './flow-stmt';

const WORD_TYPES = new Set([
  'word', 'string', 'raw_string', 'ansi_c_string', 'concatenation', 'simple_expansion', 'expansion',
  'command_substitution', 'process_substitution', 'number', 'array', 'arithmetic_expansion', 'heredoc_body',
]);

export function isWordNode(n: Node): boolean {
  return WORD_TYPES.has(n.type);
}

export function expansionName(node: Node): string | undefined {
  for (const c of namedChildren(node)) {
    if (c.type === 'variable_name' || c.type === 'special_variable_name') return c.text;
    if (c.type === 'subscript') return c.childForFieldName('name')?.text;
  }
  const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(node.text);
  return m?.[1];
}

/** The default of `${NAME:-default}` / `${NAME:=default}` when it is literal, quotes removed. */
export function expansionDefault(text: string): string | undefined {
  const m = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=](?:"([^"$`\\]*)"|'([^']*)'|([^$`"'{}]*))\}$/.exec(text);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/** Variables that hold the interactive command line (zsh zle, bash `bind -x`). */
export const STAGING_VARS = new Set(['BUFFER', 'LBUFFER', 'RBUFFER', 'READLINE_LINE', 'PREBUFFER']);

export function word(w: FlowState, node: Node): Word {
  const taint = wordTaint(w, node);
  const lit = resolveLiteral(w, node);
  const key = lit ?? partialText(w, node);
  const fileT = w.files.size ? w.fileTaintOf(key) : CLEAN;
  return { node, lit, key, taint: fileT.length ? union(taint, fileT) : taint };
}

function wordTaint(w: FlowState, node: Node): Taints {
  switch (node.type) {
    case 'word':
    case 'raw_string':
    case 'ansi_c_string':
    case 'number':
    case 'string_content':
    case 'heredoc_content':
    case 'arithmetic_expansion':
      return CLEAN;
    case 'command_substitution':
    case 'process_substitution': {
      const inner = w.nodes.kids(node);
      if (inner.length === 1 && inner[0]!.type === 'file_redirect') {
        const dest = inner[0]!.childForFieldName('destination');
        return dest ? w.fileTaintOf(word(w, dest).key) : CLEAN;
      }
      return extend(sequence(w, inner, CLEAN), node, 'captured here');
    }
    case 'simple_expansion':
    case 'expansion': {
      const name = expansionName(node);
      let t = name ? lookup(w, name, node) : CLEAN;
      for (const c of w.nodes.kids(node)) if (c.type !== 'variable_name' && c.type !== 'special_variable_name' && c.type !== 'subscript') t = union(t, wordTaint(w, c));
      return t;
    }
    default: {
      let t: Taints = CLEAN;
      for (const c of w.nodes.kids(node)) t = union(t, wordTaint(w, c));
      return t;
    }
  }
}

function lookup(w: FlowState, name: string, at: Node): Taints {
  if (name === '0' || name === 'BASH_SOURCE') return [w.selfTaint(at)];
  if (/^[1-9]$|^[@*]$/.test(name)) {
    const frame = w.frames[w.frames.length - 1];
    if (!frame) return CLEAN;
    return name === '@' || name === '*' ? union(...frame.args) : (frame.args[Number(name) - 1] ?? CLEAN);
  }
  if (w.loopFrames.length) w.noteRead(name);
  // a widget reads the line the user has typed, whatever an earlier widget put there
  if (STAGING_VARS.has(name)) return CLEAN;
  return w.vars.get(name) ?? CLEAN;
}

/** Literal text with known literal variable values substituted, or undefined. */
function resolveLiteral(w: FlowState, node: Node): string | undefined {
  const t = node.type;
  // Words without any expansion child are fully static.
  if (t === 'word' || t === 'number' || t === 'raw_string' || t === 'ansi_c_string') return w.staticLiteral(node);
  const lit = t === 'string' || t === 'concatenation' ? w.staticLiteral(node) : undefined;
  if (lit !== undefined) return lit;
  if (t === 'simple_expansion' || t === 'expansion') {
    const name = expansionName(node);
    if (!name) return undefined;
    if (name === '0' || name === 'BASH_SOURCE') return undefined;
    // `$1` inside a function: the literal argument of the call being evaluated
    if (/^[1-9]$/.test(name) && t === 'simple_expansion') return w.frames[w.frames.length - 1]?.lits[Number(name) - 1];
    if (t === 'expansion' && node.namedChildCount > 1) {
      // `${RUN_AI:-llm -m gpt-4o-mini}`, `${URL:-"https://..."}`: the default, when nothing else is known
      return w.values.get(name) ?? expansionDefault(node.text);
    }
    return w.values.get(name);
  }
  if (t === 'string' || t === 'concatenation') {
    let out = '';
    for (const c of w.nodes.kids(node)) {
      const s = c.type === 'string_content' ? c.text : resolveLiteral(w, c);
      if (s === undefined) return undefined;
      out += s;
    }
    return out;
  }
  return undefined;
}

/** Text of a word with what is known substituted and the rest kept as written: `"$HOST/v1/chat/completions"`. */
export function partialText(w: FlowState, node: Node): string {
  const t = node.type;
  if (t === 'word' || t === 'number' || t === 'raw_string' || t === 'ansi_c_string') return w.staticLiteral(node) ?? unquoted(node);
  if (t === 'simple_expansion' || t === 'expansion') {
    const lit = resolveLiteral(w, node);
    if (lit !== undefined) return lit;
    const name = expansionName(node);
    if (name && /^[1-9]$/.test(name)) return w.frames[w.frames.length - 1]?.keys[Number(name) - 1] ?? node.text;
    return (name && w.partialValues.get(name)) ?? node.text;
  }
  if (t === 'string' || t === 'concatenation') {
    let out = '';
    for (const c of w.nodes.kids(node)) out += c.type === 'string_content' ? c.text : partialText(w, c);
    return out;
  }
  return unquoted(node);
}
