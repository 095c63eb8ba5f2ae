/**
 * "Insert confirmation" for Bash: model output that is about to run is captured, printed, and run
 * only when the user answers y. Built from the syntax tree: the sink command node (never the
 * line), the substitution that holds the model's answer, or the pipeline stages before a shell
 * that reads its program from stdin. Anything the rewrite inserts is checked to parse as the node
 * it was meant to be (see rewrite.ts).
 */
import type { Node, Tree } from 'web-tree-sitter';
import { ancestor, standsAlone, unitOf } from './bash-shape';
import { freshName, indentAt, PieceWriter, type Rewrite } from './rewrite';

export const CONFIRM_TITLE = 'Insert confirmation: print the generated code and ask before running it';

const SUBSTITUTIONS = ['command_substitution', 'process_substitution'];

interface Plan {
  /** The node whose text is replaced. */
  unit: Node;
  /** Lines before the question: capture and print. */
  show: Array<{ text: string; types: readonly string[] }>;
  /** The unit's text as it runs after a yes, with its parts to check. */
  run: PieceWriter;
}

/** The sink command at a finding's start, e.g. `eval` in `eval "$(llm)"` or `bash` in `llm | bash`. */
function sinkCommand(tree: Tree, start: number, end: number): Node | undefined {
  const n = tree.rootNode.descendantForIndex(start, Math.max(start, end - 1));
  const cmd = ancestor(n, ['command']);
  return cmd && cmd.startIndex === start ? cmd : undefined;
}

/** The outermost substitution inside the command that holds the model call. */
function substitutionHolding(cmd: Node, source: number): Node | undefined {
  let found: Node | undefined;
  const walk = (n: Node): void => {
    if (found) return;
    if (SUBSTITUTIONS.includes(n.type) && n.startIndex <= source && source < n.endIndex) {
      found = n;
      return;
    }
    for (const c of n.namedChildren) if (c && c.startIndex <= source && source < c.endIndex) walk(c);
  };
  walk(cmd);
  return found;
}

function insideDoubleQuotes(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'string' || p.type === 'heredoc_body') return true;
    if (SUBSTITUTIONS.includes(p.type)) return false;
  }
  return false;
}

function capturePlan(text: string, cmd: Node, sub: Node, names: { code: string }): Plan | undefined {
  const unit = unitOf(cmd);
  const backticks = sub.text.startsWith('`');
  // Backslashes inside backticks mean something else once moved out of double quotes.
  if (backticks && insideDoubleQuotes(sub)) return undefined;
  const capture =
    sub.type === 'process_substitution'
      ? `${names.code}=$(${text.slice(sub.startIndex + 2, sub.endIndex - 1)})`
      : `${names.code}=${sub.text}`;
  const replacement = sub.type === 'process_substitution' ? `<(printf '%s\\n' "$${names.code}")` : `$${names.code}`;
  const run = new PieceWriter()
    .add(text.slice(unit.startIndex, sub.startIndex))
    .add(replacement, sub.type === 'process_substitution' ? ['process_substitution'] : ['simple_expansion'])
    .add(text.slice(sub.endIndex, unit.endIndex));
  return { unit, show: [{ text: capture, types: ['variable_assignment'] }, { text: `printf '%s\\n' "$${names.code}" >&2`, types: ['redirected_statement'] }], run };
}

function pipePlan(text: string, cmd: Node, source: number, names: { code: string }): Plan | undefined {
  const pipeline = cmd.parent;
  if (!pipeline || pipeline.type !== 'pipeline') return undefined;
  const stages = pipeline.namedChildren.filter((c): c is Node => !!c);
  const k = stages.findIndex((s) => s.startIndex === cmd.startIndex);
  if (k < 1) return undefined;
  const producerEnd = stages[k - 1]!.endIndex;
  if (!(pipeline.startIndex <= source && source < producerEnd)) return undefined;
  const unit = unitOf(pipeline);
  const capture = `${names.code}=$(${text.slice(pipeline.startIndex, producerEnd)})`;
  const run = new PieceWriter()
    .add(text.slice(unit.startIndex, pipeline.startIndex))
    .add(`printf '%s\\n' "$${names.code}"`, ['command'])
    .add(` | ${text.slice(cmd.startIndex, unit.endIndex)}`);
  return { unit, show: [{ text: capture, types: ['variable_assignment'] }, { text: `printf '%s\\n' "$${names.code}" >&2`, types: ['redirected_statement'] }], run };
}

/** `eval "$code"`, `bash -c "$code"`: the answer arrives in a variable; print the arguments that expand one. */
function variablePlan(text: string, cmd: Node): Plan | undefined {
  const args = cmd.childrenForFieldName('argument').filter((a): a is Node => !!a);
  const expanding = args.filter((a) => a.type === 'simple_expansion' || a.type === 'expansion' || (a.type === 'string' && a.namedChildren.some((c) => c && (c.type === 'simple_expansion' || c.type === 'expansion'))));
  if (!expanding.length) return undefined;
  // Printing must not change anything: only plain `$name` and `${name}` expansions.
  const plain = (n: Node): boolean =>
    n.type === 'simple_expansion' ? /^\$[A-Za-z_]\w*$/.test(n.text) : n.type === 'expansion' ? /^\$\{[A-Za-z_]\w*\}$/.test(n.text) : n.namedChildren.every((c) => !c || c.type === 'string_content' || plain(c));
  if (!expanding.every(plain)) return undefined;
  const unit = unitOf(cmd);
  const shown = expanding.map((a) => (a.type === 'string' ? a.text : `"${a.text}"`)).join(' ');
  return { unit, show: [{ text: `printf '%s\\n' ${shown} >&2`, types: ['redirected_statement'] }], run: new PieceWriter().add(text.slice(unit.startIndex, unit.endIndex)) };
}

/**
 * The rewrite for a model-output-execution finding whose sink command starts at `start`;
 * `source` is the offset of the model call the output comes from.
 */
export function confirmRewrite(tree: Tree, text: string, start: number, end: number, source: number | undefined): Rewrite | undefined {
  const cmd = sinkCommand(tree, start, end);
  if (!cmd) return undefined;
  const names = { code: freshName(text, 'fang_generated'), answer: freshName(text, 'fang_answer') };
  // The answer may sit in the command's words or in its redirections (a heredoc, a here-string).
  const sub = source === undefined ? undefined : substitutionHolding(unitOf(cmd), source);
  const plan =
    (sub ? capturePlan(text, cmd, sub, names) : undefined) ??
    (source !== undefined ? pipePlan(text, cmd, source, names) : undefined) ??
    (sub ? undefined : variablePlan(text, cmd));
  if (!plan) return undefined;
  const alone = standsAlone(plan.unit);
  const ind = indentAt(text, plan.unit.startIndex);
  const inner = alone ? ind : `${ind}  `;
  const w = new PieceWriter();
  if (!alone) w.add(`{\n${inner}`);
  for (const s of plan.show) w.add(s.text, s.types).add(`\n${inner}`);
  w.add(`read -r -p 'Run the generated code above? [y/N] ' ${names.answer}`, ['command']).add(`\n${inner}`);
  const ifStart = w.text.length;
  w.add(`if [ "\${${names.answer}-}" = y ]; then\n${inner}  `);
  const runAt = w.text.length;
  w.add(plan.run.text);
  // Declined inside a list or a condition, no status is neutral (`a || b` would run b): stop.
  w.add(alone ? `\n${inner}fi` : `\n${inner}else\n${inner}  echo 'not run; stopping' >&2\n${inner}  exit 1\n${inner}fi\n${ind}}`);
  const ifEnd = alone ? w.text.length : w.text.length - `\n${ind}}`.length;
  const expect = [
    ...w.expect,
    { offset: ifStart, length: ifEnd - ifStart, types: ['if_statement'] },
    ...plan.run.expect.map((x) => ({ ...x, offset: x.offset + runAt })),
    ...(alone ? [] : [{ offset: 0, length: w.text.length, types: ['compound_statement'] }]),
  ];
  return {
    title: CONFIRM_TITLE,
    edits: [{ start: plan.unit.startIndex, end: plan.unit.endIndex, text: w.text }],
    expect: expect.map((x) => ({ ...x, edit: 0 })),
  };
}
