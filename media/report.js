// @ts-check
/**
 * The dry-run report page. Receives one state at a time from the extension ('running',
 * 'report', 'failed'), renders it with DOM calls only (no innerHTML of report data), and
 * reports what it rendered back ('rendered'). Every action is a button or link, so the page
 * works with the keyboard; source line links ask the extension to reveal the line.
 * Every string from the report may come from the snippet; it is shown through the display
 * convention of src/core/display.ts (window.FangDisplay, dist/webview/display.js): controls, bidi
 * and invisible characters named, clipping said.
 */
(function () {
  'use strict';
  // acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  /** @type {any} */ const G = /** @type {any} */ (window).FangGraph;
  /** @type {any} */ const D = /** @type {any} */ (window).FangDisplay;
  /** One line of untrusted text. @param {unknown} s @param {number} [max] */
  const one = (s, max) => D.visible(String(s), { max: max || 400 });
  /** A block of untrusted text over several lines. @param {unknown} s @param {number} [max] */
  const block = (s, max) => D.visible(String(s), { multiline: true, max: max || 200000 });
  /**
   * Shown text as nodes, each marker (`⟨U+202E⟩`, `⟨ESC⟩`, a clip note) in a highlighted span,
   * so it cannot pass for text the snippet wrote (a literal `⟨` is itself a marker).
   * @param {string} shown
   */
  function marked(shown) {
    /** @type {(Node|string)[]} */ const out = [];
    let at = 0;
    for (const m of shown.matchAll(/⟨[^⟨⟩]*⟩/g)) {
      if (m.index > at) out.push(shown.slice(at, m.index));
      out.push(h('span', { class: 'hidden-char' }, [m[0]]));
      at = m.index + m[0].length;
    }
    if (at < shown.length) out.push(shown.slice(at));
    return out;
  }
  /** A <code> of one line of untrusted text. @param {unknown} s @param {number} [max] @param {Record<string,string>|null} [attrs] */
  const code = (s, max, attrs) => h('code', attrs || null, marked(one(s, max)));

  /** @param {string} tag @param {Record<string,string>|null} [attrs] @param {(Node|string|null|undefined|false)[]} [kids] */
  function h(tag, attrs, kids) {
    const e = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    for (const k of kids || []) if (k !== null && k !== undefined && k !== false) e.append(k);
    return e;
  }

  let state = /** @type {any} */ (null);
  let renders = 0;

  /** A link back to the source line (snippet line `line`), with the static findings on that line. */
  function lineLink(line) {
    if (line === null || line === undefined) return h('span', { class: 'muted' }, ['line unknown']);
    const shown = line + state.lineOffset;
    const btn = h('button', { class: 'line-link', type: 'button', title: `Show line ${shown} in the editor` }, [`line ${shown}`]);
    btn.addEventListener('click', () => vscode.postMessage({ type: 'reveal', line }));
    const notes = state.findings.filter((f) => f.line === line);
    if (!notes.length) return btn;
    return h('span', { class: 'line-ref' }, [btn, ...notes.map((f) => h('span', { class: `finding sev-${f.severity}`, title: one(f.message, 2000) }, [one(f.ruleId, 100)]))]);
  }

  function adversarial(list) {
    return h('div', null, list.map((a) => {
      const escaped = a.executed && !a.contained;
      return h('details', { class: 'call' }, [
        h('summary', null, [
          h('strong', null, [one(a.name)]), ' ',
          h('span', { class: `badge ${escaped ? 'danger' : 'created'}` }, [escaped ? 'not contained' : a.executed ? 'ran, contained' : 'not run']),
          ' ', h('span', { class: 'muted' }, [one(a.description)]),
        ]),
        h('div', { class: 'kv' }, [h('span', { class: 'k' }, ['Hostile answer']), pre(a.answer, 'answer')]),
        a.evidence.length ? h('ul', { class: 'plain' }, a.evidence.map((e) => h('li', null, [one(e)]))) : null,
        h('p', { class: 'muted' }, [one(a.verdict, 2000)]),
      ]);
    }));
  }

  function pre(text, cls) {
    return h('pre', { class: cls || '' }, text === '' ? ['(empty)'] : marked(block(text)));
  }

  function section(title, count, body, open) {
    const d = h('details', open ? { class: 'section', open: '' } : { class: 'section' }, [
      h('summary', null, [h('h2', null, [title, count !== null ? h('span', { class: 'count' }, [String(count)]) : null])]),
      body,
    ]);
    return d;
  }

  function button(label, type, primary) {
    const b = h('button', { type: 'button', class: primary ? 'primary' : 'secondary' }, [label]);
    b.addEventListener('click', () => vscode.postMessage({ type }));
    return b;
  }

  function danger(r) {
    return r.executedModelOutput.length > 0 || r.recursion.length > 0 || r.limitsHit.length > 0;
  }

  function renderGraph(r) {
    const g = G.build(r);
    if (!g.nodes.length) return { el: h('p', { class: 'muted' }, ['Nothing ran.']), g };
    const svg = G.render(g, (n) => {
      if (n.line) vscode.postMessage({ type: 'reveal', line: n.line });
      const target = document.getElementById(`item-${n.id}`);
      if (target) {
        if (target instanceof HTMLDetailsElement) target.open = true;
        target.scrollIntoView({ block: 'nearest' });
      }
    }, app.clientWidth);
    const legend = h('ul', { class: 'legend', 'aria-label': 'Legend' }, [
      h('li', null, [h('span', { class: 'swatch node-model' }), 'model call']),
      h('li', null, [h('span', { class: 'swatch node-process' }), 'process']),
      h('li', null, [h('span', { class: 'swatch node-code' }), 'model output run as code']),
      h('li', null, [h('span', { class: 'line-sample edge-became-code' }), 'output became code']),
      h('li', null, [h('span', { class: 'line-sample edge-fed' }), 'answer fed a prompt']),
      h('li', null, [h('span', { class: 'line-sample edge-loop' }), 'loop: next turn']),
      h('li', null, [h('span', { class: 'line-sample edge-spawned' }), 'started / called']),
    ]);
    const wrap = h('div', { class: 'graph' }, [h('div', { class: 'graph-scroll' }, [svg]), legend,
      g.omitted ? h('p', { class: 'muted' }, [`${g.omitted} more nodes are not drawn; the lists below have all of them.`]) : null]);
    return { el: wrap, g };
  }

  function processTree(r) {
    const kids = new Map();
    const pids = new Set(r.processes.map((p) => p.pid));
    for (const p of r.processes) {
      const parent = p.ppid !== null && pids.has(p.ppid) ? p.ppid : 'root';
      if (!kids.has(parent)) kids.set(parent, []);
      kids.get(parent).push(p);
    }
    const item = (p) => {
      const children = kids.get(p.pid) || [];
      const status = p.signal ? `killed by ${one(p.signal, 40)}` : p.exitCode === null ? 'still running when stopped' : `exit ${p.exitCode}`;
      const head = h('span', { class: 'proc' }, [
        p.argv.length ? code(D.argvText(p.argv), 110, { class: p.model ? 'model' : '', title: one(D.argvText(p.argv), 4000) }) : h('code', null, ['?']),
        ' ', h('span', { class: 'muted' }, [`pid ${p.pid} · ${status}${p.model ? ' · model stub' : ''}`]), ' ', lineLink(p.line),
      ]);
      if (!children.length) return h('li', { id: `item-p${p.pid}` }, [head]);
      return h('li', { id: `item-p${p.pid}` }, [h('details', { open: '' }, [h('summary', null, [head]), h('ul', null, children.map(item))])]);
    };
    return h('ul', { class: 'tree' }, (kids.get('root') || []).map(item));
  }

  function modelCalls(r) {
    if (!r.modelCalls.length) return h('p', { class: 'muted' }, ['No model was called.']);
    return h('div', null, r.modelCalls.map((c) => {
      const ran = r.executedModelOutput.filter((x) => x.callId === c.id);
      return h('details', { class: 'call', id: `item-m${c.id}`, open: '' }, [
        h('summary', null, [h('strong', null, [`#${c.id} `, code(c.command || c.url || c.kind, 300)]), ' ', lineLink(c.line),
          ran.length ? h('span', { class: 'badge danger' }, ['answer ran as code']) : null]),
        h('div', { class: 'kv' }, [h('span', { class: 'k' }, ['Prompt']), pre(c.prompt)]),
        h('div', { class: 'kv' }, [h('span', { class: 'k' }, [`Stub answer (${one(c.answerSource, 100)})`]), pre(c.answer, 'answer')]),
        ...ran.map((x) => h('p', { class: 'became' }, ['⚠ Became code: run by ', code(x.sink, 200), ' at ', lineLink(x.line), ` (${one(x.evidence)})`])),
      ]);
    }));
  }

  function executed(r) {
    if (!r.executedModelOutput.length) return h('p', { class: 'muted' }, ['No model output was run as code.']);
    return h('div', null, r.executedModelOutput.map((x, i) => h('div', { class: 'exec', id: `item-c${i + 1}` }, [
      h('p', null, [`Answer of #${x.callId}, run by `, code(x.sink, 200), ' at ', lineLink(x.line)]),
      pre(x.answer, 'answer'),
    ])));
  }

  function list(items, empty, render) {
    if (!items.length) return h('p', { class: 'muted' }, [empty]);
    return h('ul', { class: 'plain' }, items.map(render));
  }

  function renderReport(s) {
    const r = s.report;
    const bad = danger(r);
    const { el: graph, g } = renderGraph(r);
    const stats = [
      ['model calls', r.modelCalls.length], ['ran as code', r.executedModelOutput.length], ['processes', r.processes.length],
      ['file changes', r.fileChanges.length], ['network blocked', r.network.filter((n) => n.blocked).length], ['limits hit', r.limitsHit.length],
    ];
    const body = h('div', null, [
      h('header', null, [
        h('span', { class: 'report-id', hidden: '', 'data-run': `${Date.now()}-${++renders}` }),
        h('h1', null, [`Dry-run: ${one(s.title, 300)}`, s.adversarial ? h('span', { class: 'badge' }, ['adversarial answers']) : null]),
        h('p', { class: `verdict ${bad ? 'danger' : 'ok'}`, role: 'status' }, [h('span', { class: 'icon', 'aria-hidden': 'true' }, [bad ? '⚠' : '✓']), ...marked(one(r.verdict, 2000))]),
        h('ul', { class: 'stats' }, stats.map(([k, v]) => h('li', { class: Number(v) > 0 && k !== 'processes' && k !== 'model calls' ? 'hot' : '' }, [h('strong', null, [String(v)]), ` ${k}`]))),
        h('p', { class: 'muted' }, [`${one(r.backend.name, 40)} ${one(r.backend.version, 40)} · exit status ${String(r.exitCode)} · ran ${Math.round(r.durationMs)} ms · report after ${Math.round(s.durationMs)} ms`]),
        h('div', { class: 'actions' }, [button('Run again with adversarial answers', 'rerunAdversarial', true), button('Edit stub answers', 'editResponses'), button('Copy report as Markdown', 'copyMarkdown')]),
      ]),
      section('Graph of the run', null, graph, true),
      r.adversarial ? section('Adversarial answers', r.adversarial.length, adversarial(r.adversarial), true) : null,
      r.recursion.length ? section('Recursion', r.recursion.length, list(r.recursion, '', (x) => h('li', null, [h('strong', null, [x.kind]), ' ', lineLink(x.line), `: ${one(x.detail)}`])), true) : null,
      section('Model calls', r.modelCalls.length, modelCalls(r), true),
      section('Model output run as code', r.executedModelOutput.length, executed(r), true),
      section('Process tree', r.processes.length, processTree(r), true),
      section('File changes', r.fileChanges.length, list(r.fileChanges, 'No file was created, changed or deleted.', (f) => h('li', null, [h('span', { class: `badge ${f.kind}` }, [f.kind]), ' ', code(f.path), h('span', { class: 'muted' }, [` ${f.area}${f.size !== null ? `, ${f.size} bytes` : ''}`])])), r.fileChanges.length > 0),
      section('Network', r.network.length, list(r.network, 'No network access was attempted.', (n) => h('li', null, [h('span', { class: `badge ${n.blocked ? 'danger' : ''}` }, [n.blocked ? 'blocked' : 'allowed']), ` ${n.protocol} `, code(`${n.host}${n.port !== null ? `:${n.port}` : ''}`, 300), h('span', { class: 'muted' }, [` ${one(n.detail)}`])])), r.network.length > 0),
      section('Blocked actions', r.blocked.length, list(r.blocked, 'Nothing else was blocked.', (b) => h('li', null, [h('span', { class: 'badge danger' }, [b.kind]), ' ', code(b.what, 300), ' ', lineLink(b.line), h('span', { class: 'muted' }, [` ${one(b.detail)}`])])), r.blocked.length > 0),
      section('Limits hit', r.limitsHit.length, list(r.limitsHit, 'No limit was hit.', (l) => h('li', null, [h('span', { class: 'badge danger' }, [l])])), r.limitsHit.length > 0),
      section('Static findings', s.findings.length, list(s.findings, 'Fang found nothing in this snippet.', (f) => h('li', null, [lineLink(f.line), ` ${one(f.message, 2000)}`])), false),
      section('Output', null, h('div', null, [h('div', { class: 'k' }, ['stdout']), pre(r.stdout), r.stdoutTruncated ? h('p', { class: 'muted' }, ['… cut at the output limit']) : null,
        h('div', { class: 'k' }, ['stderr']), pre(r.stderr), r.stderrTruncated ? h('p', { class: 'muted' }, ['… cut at the output limit']) : null]), false),
      r.notes.length ? section('Notes', r.notes.length, list(r.notes, '', (n) => h('li', null, [one(n, 2000)])), false) : null,
      section('Sandbox', null, list(r.backend.isolation, '', (i) => h('li', null, [one(i)])), false),
    ]);
    app.replaceChildren(body);
    vscode.postMessage({
      type: 'rendered',
      verdict: one(r.verdict, 2000),
      nodes: g.nodes.map((n) => ({ id: n.id, kind: n.kind, label: n.label })),
      edges: g.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind })),
      text: app.innerText.slice(0, 2_000_000),
    });
  }

  function show(s) {
    state = s;
    if (s.type === 'running') {
      app.replaceChildren(h('div', { class: 'running', role: 'status' }, [h('span', { class: 'spinner', 'aria-hidden': 'true' }), `Dry-running ${one(s.title, 300)}${s.adversarial ? ' with adversarial answers' : ''} in the sandbox…`]));
    } else if (s.type === 'failed') {
      app.replaceChildren(h('div', null, [h('h1', null, [`Dry-run: ${one(s.title, 300)}`]), h('p', { class: 'verdict danger', role: 'alert' }, [block(s.message, 10000)])]));
    } else if (s.type === 'report') {
      renderReport(s);
    }
  }

  window.addEventListener('message', (ev) => {
    const d = ev.data;
    if (!d || typeof d !== 'object' || typeof d.type !== 'string') return;
    if (d.type === 'report' && !(d.report && Array.isArray(d.report.processes) && Array.isArray(d.report.modelCalls))) return;
    show(d);
  });
  vscode.postMessage({ type: 'ready' });
})();
