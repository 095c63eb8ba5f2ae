// @ts-check
/**
 * The graph of a dry-run, drawn as inline SVG without any library: processes, model calls and
 * the model output that ran as code are nodes; edges say who spawned or called whom, which
 * answer fed which prompt, and which answer became code. The agent loop shows as dashed
 * "next turn" arcs from the code an answer became back up to the next model call.
 * Layers go top to bottom by the longest path over the forward edges.
 */
(function () {
  'use strict';
  const SVG = 'http://www.w3.org/2000/svg';
  const NODE_W = 180;
  const NODE_H = 46;
  const GAP_X = 22;
  const LOOP_GAP_X = 64;
  const GAP_Y = 58;
  const PAD = 16;
  const MAX_NODES = 80;

  /** The display convention of src/core/display.ts (dist/webview/display.js). */
  /** @type {any} */ const D = /** @type {any} */ (window).FangDisplay;

  /** A label: one line, hidden characters named, an ellipsis where it is cut (the lists have the rest). @param {string} s @param {number} n */
  function clip(s, n) {
    return D.visible(s.replace(/[ \t\n]+/g, ' ').trim(), { max: n, note: 'ellipsis' });
  }

  /** Keeps the end, where a prompt's distinguishing words usually are. */
  function clipEnd(s, n) {
    return D.visible(s.replace(/[ \t\n]+/g, ' ').trim(), { max: n, note: 'ellipsis', keep: 'end' });
  }

  /** A tooltip: every line visible, long ones clipped with the rest said. @param {string} s */
  function detail(s) {
    return D.visible(s, { multiline: true, max: 4000 });
  }

  /** @param {string} p */
  function base(p) {
    const parts = p.split('/');
    return p.startsWith('./') ? p : parts[parts.length - 1] || p;
  }

  /** Last non-empty line of a prompt: usually the question itself. */
  function promptTail(p) {
    const lines = p.split('\n').map((l) => l.trim()).filter(Boolean);
    return lines[lines.length - 1] || '';
  }

  /**
   * @param {any} r the dry-run report
   * @returns {{nodes: any[], edges: any[], omitted: number}}
   */
  function build(r) {
    /** @type {any[]} */ const nodes = [];
    /** @type {any[]} */ const edges = [];
    const byPid = new Map();
    for (const p of r.processes) byPid.set(p.pid, p);
    const callByPid = new Map();
    for (const c of r.modelCalls) if (c.pid !== null) callByPid.set(c.pid, c);
    const nodeOfPid = (pid) => (callByPid.has(pid) ? `m${callByPid.get(pid).id}` : byPid.has(pid) && !byPid.get(pid).model ? `p${pid}` : null);

    for (const p of r.processes) {
      if (p.model) continue;
      const args = p.argv.slice(1).filter((a) => !a.startsWith('/run/fang/'));
      nodes.push({ id: `p${p.pid}`, kind: 'process', label: clip([base(p.argv[0] || '?'), ...args].join(' '), 24), detail: detail(D.argvText(p.argv)), line: p.line, pid: p.pid,
        sub: `pid ${p.pid}${p.signal ? ` · ${p.signal}` : p.exitCode !== null && p.exitCode !== 0 ? ` · exit ${p.exitCode}` : ''}${p.line ? ` · line ${p.line}` : ''}` });
    }
    for (const c of r.modelCalls) {
      nodes.push({ id: `m${c.id}`, kind: 'model', label: clip(`#${c.id} ${c.command ? base(c.command) : c.url || 'model'}`, 24), detail: detail(`prompt: ${c.prompt}\nanswer: ${c.answer}`),
        sub: clipEnd(promptTail(c.prompt), 24), line: c.line });
    }
    r.executedModelOutput.forEach((x, i) => {
      nodes.push({ id: `c${i + 1}`, kind: 'code', label: clip(`${x.sink} runs answer #${x.callId}`, 24), detail: detail(x.answer), sub: clip(x.answer.split('\n')[0] || '(empty)', 24), line: x.line, callId: x.callId });
    });

    const ids = new Set(nodes.map((n) => n.id));
    const add = (from, to, kind) => {
      if (from && to && from !== to && ids.has(from) && ids.has(to) && !edges.some((e) => e.from === from && e.to === to && e.kind === kind)) edges.push({ from, to, kind });
    };
    // Code nodes, in the order the answers ran; a later process at the sink's line was started by that code.
    const codes = nodes.filter((n) => n.kind === 'code');
    const codeFor = (p) => {
      let best = null;
      for (const cn of codes) {
        const call = r.modelCalls.find((c) => c.id === cn.callId);
        if (cn.line !== null && cn.line === p.line && call && call.pid !== null && call.pid < p.pid) best = cn;
      }
      return best;
    };
    for (const p of r.processes) {
      if (p.model || p.ppid === null) continue;
      const code = codeFor(p);
      add(code ? code.id : nodeOfPid(p.ppid), `p${p.pid}`, 'spawned');
    }
    for (const cn of codes) add(`m${cn.callId}`, cn.id, 'became-code');
    // An answer fed a later prompt when one of its lines appears in that prompt.
    const fed = new Set();
    for (const a of r.modelCalls) {
      const pieces = a.answer.split('\n').map((l) => l.trim()).filter((l) => l.length >= 4);
      for (const b of r.modelCalls) {
        if (b.id > a.id && pieces.some((p) => b.prompt.includes(p))) {
          add(`m${a.id}`, `m${b.id}`, 'fed');
          fed.add(b.id);
        }
      }
    }
    // Who called each model; a call fed by an earlier answer hangs under that answer instead
    // (the process tree below still lists its parent), so the chain reads top to bottom.
    for (const c of r.modelCalls) {
      if (fed.has(c.id)) continue;
      const proc = c.pid !== null ? byPid.get(c.pid) : undefined;
      const parent = proc && proc.ppid !== null ? nodeOfPid(proc.ppid) : null;
      add(parent || (r.processes[0] ? nodeOfPid(r.processes[0].pid) : null), `m${c.id}`, 'called');
    }
    // The loop: after an answer ran as code, the next model call at a later turn.
    if (r.recursion.length) {
      for (const cn of codes) {
        const next = r.modelCalls.find((c) => c.id > cn.callId && (cn.line === null || c.line === null || c.line <= cn.line));
        if (next) edges.push({ from: cn.id, to: `m${next.id}`, kind: 'loop' });
      }
    }
    const omitted = Math.max(0, nodes.length - MAX_NODES);
    if (omitted) {
      const keep = new Set(nodes.slice(0, MAX_NODES).map((n) => n.id));
      return { nodes: nodes.filter((n) => keep.has(n.id)), edges: edges.filter((e) => keep.has(e.from) && keep.has(e.to)), omitted };
    }
    return { nodes, edges, omitted };
  }

  /** Longest-path layers over the forward edges; loop edges point back and do not count. */
  function layers(g) {
    const layer = new Map(g.nodes.map((n) => [n.id, 0]));
    const forward = g.edges.filter((e) => e.kind !== 'loop');
    for (let i = 0; i < g.nodes.length; i++) {
      let changed = false;
      for (const e of forward) {
        const want = layer.get(e.from) + 1;
        if (want > layer.get(e.to) && want < g.nodes.length) {
          layer.set(e.to, want);
          changed = true;
        }
      }
      if (!changed) break;
    }
    const rows = [];
    for (const n of g.nodes) (rows[layer.get(n.id)] ||= []).push(n);
    const out = rows.filter(Boolean);
    // One barycenter pass: order each row by the mean position of its parents.
    const pos = new Map();
    out.forEach((row, ri) => {
      if (ri > 0) {
        const bary = (n) => {
          const ps = forward.filter((e) => e.to === n.id && pos.has(e.from)).map((e) => pos.get(e.from));
          return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : Number.MAX_SAFE_INTEGER;
        };
        row.sort((a, b) => bary(a) - bary(b));
      }
      row.forEach((n, i) => pos.set(n.id, i - (row.length - 1) / 2));
    });
    return out;
  }

  /** @param {string} name @param {Record<string, string|number>} attrs */
  function el(name, attrs, text) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /**
   * Draws the graph; `onPick(node)` runs on click or Enter on a node.
   * @returns {SVGSVGElement}
   */
  function render(g, onPick, availableWidth) {
    const loops = g.edges.some((e) => e.kind === 'loop');
    const gapX = loops ? LOOP_GAP_X : GAP_X;
    // A layer wider than the panel wraps onto more rows (the SVG may shrink to 80% first).
    const fit = Math.max(3, Math.floor(((availableWidth || 1e9) / 0.8 - PAD * 2 - (loops ? 36 : 0) + gapX) / (NODE_W + gapX)));
    const rows = [];
    for (const layer of layers(g)) for (let i = 0; i < layer.length; i += fit) rows.push(layer.slice(i, i + fit));
    const widest = Math.max(1, ...rows.map((r) => r.length));
    const width = PAD * 2 + widest * NODE_W + (widest - 1) * gapX + (loops ? 36 : 0);
    const height = PAD * 2 + rows.length * NODE_H + (rows.length - 1) * GAP_Y + 8;
    const at = new Map();
    rows.forEach((row, ri) => {
      const rowW = row.length * NODE_W + (row.length - 1) * gapX;
      const x0 = (width - rowW) / 2;
      row.forEach((n, i) => at.set(n.id, { x: x0 + i * (NODE_W + gapX), y: PAD + ri * (NODE_H + GAP_Y) }));
    });
    const svg = /** @type {SVGSVGElement} */ (el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': 'Graph of the run', class: 'run-graph' }));
    // Fits the panel's width down to 80% of the natural size; wider graphs scroll sideways.
    svg.style.width = '100%';
    svg.style.maxWidth = `${width}px`;
    svg.style.minWidth = `${Math.round(width * 0.8)}px`;
    const defs = el('defs', {});
    for (const kind of ['spawned', 'called', 'became-code', 'fed', 'loop']) {
      const m = el('marker', { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
      m.appendChild(el('path', { d: 'M0,0 L10,5 L0,10 z', class: `arrowhead edge-${kind}` }));
      defs.appendChild(m);
    }
    svg.appendChild(defs);
    const edgeLayer = el('g', { class: 'edges' });
    const labelLayer = el('g', { class: 'edge-labels' });
    svg.appendChild(edgeLayer);
    for (const e of g.edges) {
      const a = at.get(e.from);
      const b = at.get(e.to);
      if (!a || !b) continue;
      let d;
      let lx;
      let ly;
      if ((e.kind === 'loop' || b.y <= a.y) && b.x > a.x) {
        // The next turn of the loop, up and to the right: an S-curve through the gap between columns.
        const x1 = a.x + NODE_W;
        const y1 = a.y + NODE_H / 2;
        const x2 = b.x - 2;
        const y2 = b.y + NODE_H / 2;
        const k = (x2 - x1) * 0.9 + 10;
        d = `M${x1},${y1} C${x1 + k},${y1} ${x2 - k},${y2} ${x2},${y2}`;
        lx = (x1 + x2) / 2;
        ly = (y1 + y2) / 2;
      } else if (e.kind === 'loop' || b.y <= a.y) {
        // Back to an earlier column: arc around the right side.
        const x1 = a.x + NODE_W;
        const y1 = a.y + NODE_H / 2;
        const x2 = b.x + NODE_W + 2;
        const y2 = b.y + NODE_H / 2;
        const side = Math.max(x1, x2) + 30;
        d = `M${x1},${y1} C${side},${y1} ${side},${y2} ${x2},${y2}`;
        lx = side - 6;
        ly = (y1 + y2) / 2;
      } else {
        const x1 = a.x + NODE_W / 2;
        const y1 = a.y + NODE_H;
        const x2 = b.x + NODE_W / 2;
        const y2 = b.y - 2;
        const my = (y1 + y2) / 2;
        d = `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`;
        // just above the target, in the gap between rows, where no node can be
        lx = x2;
        ly = y2 - 17;
      }
      const path = el('path', { d, class: `edge edge-${e.kind}`, 'marker-end': `url(#arrow-${e.kind})` });
      path.appendChild(el('title', {}, `${e.from} → ${e.to}: ${EDGE_TEXT[e.kind]}`));
      edgeLayer.appendChild(path);
      if (e.kind === 'became-code' || e.kind === 'loop') {
        const text = e.kind === 'loop' ? 'next turn' : 'output became code';
        const w = text.length * 6.2 + 8;
        const lg = el('g', { class: `edge-label edge-label-${e.kind}` });
        lg.appendChild(el('rect', { x: lx - w / 2, y: ly - 8, width: w, height: 16, rx: 3 }));
        lg.appendChild(el('text', { x: lx, y: ly + 4, 'text-anchor': 'middle' }, text));
        labelLayer.appendChild(lg);
      }
    }
    const nodeLayer = el('g', { class: 'nodes' });
    svg.appendChild(nodeLayer);
    svg.appendChild(labelLayer);
    for (const n of g.nodes) {
      const p = at.get(n.id);
      const grp = el('g', { class: `node node-${n.kind}`, transform: `translate(${p.x},${p.y})`, tabindex: 0, role: 'button', 'data-id': n.id,
        'aria-label': `${KIND_TEXT[n.kind]} ${n.label}${n.line ? `, line ${n.line}` : ''}` });
      grp.appendChild(el('title', {}, `${KIND_TEXT[n.kind]}: ${n.detail}`));
      grp.appendChild(el('rect', { width: NODE_W, height: NODE_H, rx: n.kind === 'model' ? 23 : 5 }));
      grp.appendChild(el('text', { x: 10, y: 19, class: 'node-label' }, `${ICON[n.kind]} ${n.label}`));
      grp.appendChild(el('text', { x: 10, y: 36, class: 'node-sub' }, n.sub || ''));
      const pick = () => onPick(n);
      grp.addEventListener('click', pick);
      grp.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          pick();
        }
      });
      nodeLayer.appendChild(grp);
    }
    return svg;
  }

  const KIND_TEXT = { process: 'process', model: 'model call', code: 'model output run as code' };
  const ICON = { process: '▸', model: '◆', code: '⚠' };
  const EDGE_TEXT = { spawned: 'started', called: 'called the model', 'became-code': 'the answer became code', fed: 'the answer fed this prompt', loop: 'the loop asked the model again' };

  /** @type {any} */ (window).FangGraph = { build, render, EDGE_TEXT, KIND_TEXT };
})();
