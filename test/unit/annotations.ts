/** Reads `# ruleid: <id>` / `# ok: <id>` annotations of a fixture (semgrep-rules style). */
export interface Expectations {
  /** rule id -> 0-based lines that must be reported */
  hits: Map<string, Set<number>>;
  /** rule id -> 0-based lines that must stay quiet */
  oks: Map<string, Set<number>>;
}

const ANNOTATION = /^\s*(?:#|\/\/)\s*(ruleid|ok):\s*([A-Za-z0-9_,\- ]+?)\s*$/;

export function readAnnotations(text: string): Expectations {
  const lines = text.split('\n');
  const hits = new Map<string, Set<number>>();
  const oks = new Map<string, Set<number>>();
  let pending: { kind: string; ids: string[] }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = ANNOTATION.exec(lines[i]!);
    if (m) {
      pending.push({ kind: m[1]!, ids: m[2]!.split(/[\s,]+/).filter(Boolean) });
      continue;
    }
    if (pending.length === 0) continue;
    if (/^\s*$/.test(lines[i]!)) continue;
    for (const p of pending) {
      const map = p.kind === 'ruleid' ? hits : oks;
      for (const id of p.ids) {
        if (!map.has(id)) map.set(id, new Set());
        map.get(id)!.add(i);
      }
    }
    pending = [];
  }
  return { hits, oks };
}
