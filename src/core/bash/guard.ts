/**
 * Confirmations in Bash: an execution that only happens after the user said yes
 * (`read -p "Run? [y/N]" ans; [[ $ans == y ]] && eval "$cmd"`, `confirm && eval ...`,
 * `gum confirm`), and the command-line flag that skips the question (`-y|--yes) ASSUME_YES=1`).
 */
import type { Node } from 'web-tree-sitter';
import type { Range } from '../types';
import { literalText, rangeOf } from './tree';

export interface Confirmation {
  /** Where the user is asked: the `read`, or the call of the confirming command. */
  range: Range;
  /** How it reads in a message: "`read -rp \"Run? [Y/n]\"`", "`confirm`". */
  label: string;
  /** A flag of the script that skips the question (`-y|--yes`), when there is one. */
  skippedBy?: string;
}

/** Commands that ask the user and succeed on yes. */
const ASKING_COMMANDS = /^(confirm|ask|ask_yes_no|yes_no|prompt_yes_no|prompt_confirm|ask_confirm(ation)?|confirm_(run|exec(ute)?|action))$/i;

const VAR_REF = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;

export class ConfirmationFinder {
  private readsCache: Map<string, Node> | undefined;
  private readonly memo = new Map<number, Confirmation | null>();

  constructor(
    private readonly root: Node,
    private readonly text: string,
    /** Function definitions by name. */
    private readonly functions: ReadonlyMap<string, Node>,
  ) {}

  /** The confirmation that guards running `node`, if any. */
  guardOf(node: Node): Confirmation | undefined {
    for (let child: Node = node, p = node.parent; p; child = p, p = p.parent) {
      let cond: Node[] = [];
      if (p.type === 'if_statement' || p.type === 'elif_clause' || p.type === 'while_statement') {
        const conds = p.childrenForFieldName('condition').filter((c): c is Node => !!c);
        if (!conds.some((c) => c.id === child.id)) cond = conds;
      } else if (p.type === 'list') {
        // `cond && run`: only the part after `&&` is guarded by what stands before it
        const first = p.namedChild(0);
        const op = p.child(1)?.type;
        if (first && first.id !== child.id && op === '&&') cond = [first];
      }
      for (const c of cond) {
        const g = this.confirmationIn(c);
        if (g) return g;
      }
      if (p.type === 'function_definition') break;
    }
    return undefined;
  }

  private confirmationIn(cond: Node): Confirmation | undefined {
    let v = this.memo.get(cond.id);
    if (v !== undefined) return v ?? undefined;
    v = this.find(cond) ?? null;
    this.memo.set(cond.id, v);
    return v ?? undefined;
  }

  private find(cond: Node): Confirmation | undefined {
    // a command that asks: `confirm "Run it?"`, `gum confirm`, `whiptail --yesno`, a local function that reads an answer
    for (const cmd of [cond, ...cond.descendantsOfType('command')]) {
      if (!cmd || cmd.type !== 'command') continue;
      const name = literalText(cmd.childForFieldName('name')?.namedChild(0) ?? cmd.childForFieldName('name'));
      if (!name) continue;
      const args = cmd.childrenForFieldName('argument').map((a) => a?.text ?? '');
      const asks =
        (name === 'gum' && args[0] === 'confirm') ||
        ((name === 'whiptail' || name === 'dialog') && args.includes('--yesno')) ||
        (name === 'zenity' && args.includes('--question')) ||
        (name === 'read' && args.some((a) => /^-[a-zA-Z]*p/.test(a)));
      const fn = this.functions.get(name);
      if (asks || (fn && fn.text.includes('read') && /\bread\b/.test(fn.text)) || (!fn && ASKING_COMMANDS.test(name))) {
        return { range: rangeOf(cmd), label: `\`${cmd.text.length > 40 ? `${name} ...` : cmd.text}\``, skippedBy: this.skipFlag(cond.text + (fn?.text ?? '')) };
      }
    }
    // a test of an answer read from the user: `[[ $ans == y ]]`, `[[ $CONFIRM =~ ^[Yy]$ ]]`
    for (const m of cond.text.matchAll(VAR_REF)) {
      const r = this.reads().get(m[1]!);
      if (r) return { range: rangeOf(r), label: `\`${r.text.length > 48 ? `${r.text.slice(0, 45)}...` : r.text}\``, skippedBy: this.skipFlag(cond.text) };
    }
    return undefined;
  }

  /** Variables set by an interactive `read` (one with a prompt, or reading the terminal), by name. */
  private reads(): Map<string, Node> {
    if (this.readsCache) return this.readsCache;
    const out = new Map<string, Node>();
    if (/\bread\b/.test(this.text)) {
      for (const cmd of this.root.descendantsOfType('command')) {
        if (!cmd || cmd.childForFieldName('name')?.text !== 'read') continue;
        const words = cmd.childrenForFieldName('argument').map((a) => literalText(a) ?? a?.text ?? '');
        const interactive = words.some((w) => /^-[a-zA-Z]*p/.test(w)) || /<\s*\/dev\/tty/.test(cmd.parent?.text ?? '') || /\?|\[[yYnN]\/[yYnN]\]/.test(cmd.text);
        if (!interactive) continue;
        const names = words.filter((w, i) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(w) && !/^-[a-zA-Z]*[pdntNu]$/.test(words[i - 1] ?? ''));
        for (const n of names.length ? names : ['REPLY']) if (!out.has(n)) out.set(n, cmd);
      }
    }
    this.readsCache = out;
    return out;
  }

  /** `-y|--yes) ASSUME_YES=1 ;;` where the guard (or the asking function) reads ASSUME_YES. */
  private skipFlag(guardText: string): string | undefined {
    const vars = new Set([...guardText.matchAll(VAR_REF)].map((m) => m[1]!));
    if (vars.size === 0 || !/\)\s/.test(this.text)) return undefined;
    for (const item of this.root.descendantsOfType('case_item')) {
      if (!item) continue;
      const pattern = item.childForFieldName('value')?.text ?? item.namedChild(0)?.text ?? '';
      if (!/(^|\|)\s*-/.test(pattern)) continue;
      for (const a of item.descendantsOfType('variable_assignment')) {
        const n = a?.childForFieldName('name')?.text;
        if (n && vars.has(n)) return `\`${item.text.slice(0, item.text.indexOf(')') + 1).trim()}\``;
      }
    }
    return undefined;
  }
}
