/**
 * The stub server that runs inside the sandbox, next to the snippet. It answers every model
 * call (the command shims and HTTP requests to model APIs), sinks DNS and TLS so that each
 * network attempt is recorded with its host, and writes one JSON line per event to fd 3,
 * which the host reads and validates (see trace-events.ts).
 *
 * `stubServerProgram` is serialised with Function.prototype.toString and run by node inside
 * the sandbox, so it must be self-contained: no imports, no outer names.
 */

/* eslint-disable @typescript-eslint/no-require-imports */
export function stubServerProgram(): void {
  const http = require('node:http') as typeof import('node:http');
  const net = require('node:net') as typeof import('node:net');
  const dgram = require('node:dgram') as typeof import('node:dgram');
  const fs = require('node:fs') as typeof import('node:fs');

  interface Rule {
    pattern: string;
    answers: string[];
  }
  interface StubConfig {
    language: string;
    rules: Rule[];
    defaultAnswer: string | null;
    /** Replaces every code answer (adversarial runs); the marker is put in front. */
    codeAnswer: string | null;
    /** The same hostile answer in Python, for requests for Python code. */
    codeAnswerPython: string | null;
  }
  const cfg = JSON.parse(fs.readFileSync('/run/fang/responses.json', 'utf8')) as StubConfig;
  // Limits: the snippet decides how many requests come, how big, and how slow.
  const BODY_CAP = 256 * 1024;
  const MAX_EVENTS = 5000;
  const MAX_CONNECTIONS = 64;
  let seq = 0;
  let events = 0;
  const used = new Map<number, number>();
  const standIns = new Set<string>();

  function emit(e: Record<string, unknown>): void {
    events++;
    if (events > MAX_EVENTS) {
      if (events === MAX_EVENTS + 1) e = { t: 'note', message: `the stub server recorded ${MAX_EVENTS} events; further ones were answered but not recorded` };
      else return;
    }
    try {
      fs.writeSync(3, JSON.stringify({ ...e, at: Date.now() }) + '\n');
    } catch {
      /* the host stopped reading: nothing left to tell */
    }
  }
  // Whatever a request does to the server, it keeps answering the others.
  process.on('uncaughtException', (err) => emit({ t: 'note', message: `stub server error (it keeps running): ${String(err && (err as Error).message).slice(0, 200)}` }));
  function clip(s: string): string {
    return s.length > 16384 ? s.slice(0, 16384) + '\n[... cut by fang]' : s;
  }

  // Default answers show the structure of an agent and stay harmless.
  const CODE = /\b(code|command|commands|script|shell|bash|implement\w*|snippet|function|program|one-?liner)\b/i;
  const LIST = /\b(list|ideas|enumerate|separate lines|bullet|steps|suggestions|options)\b/i;
  function marker(id: number, prompt: string): string {
    const lang = /\b(javascript|typescript|node(\.?js)?|js|ts)\b/i.test(prompt)
      ? 'js'
      : /\bpython\b/i.test(prompt)
        ? 'py'
        : /\b(shell|bash|sh|command|terminal)\b/i.test(prompt)
          ? 'sh'
          : cfg.language === 'bash'
            ? 'sh'
            : cfg.language === 'python'
              ? 'py'
              : 'js';
    // Executing the answer prints `fang-ran-<id>`; printing the answer does not.
    if (lang === 'js') return `console.log('fang-ran-' + ${id})`;
    if (lang === 'py') return `print('fang-ran-%d' % ${id})`;
    return `printf 'fang-ran-%s\\n' ${id}`;
  }
  function answerFor(prompt: string): { answer: string; source: string; id: number } {
    const id = ++seq;
    for (let i = 0; i < cfg.rules.length; i++) {
      const r = cfg.rules[i]!;
      let hit: boolean;
      try {
        hit = new RegExp(r.pattern, 'i').test(prompt);
      } catch {
        hit = prompt.toLowerCase().includes(r.pattern.toLowerCase());
      }
      if (!hit) continue;
      const n = used.get(i) ?? 0;
      used.set(i, n + 1);
      return { answer: r.answers[Math.min(n, r.answers.length - 1)] ?? '', source: `responses[${i}]`, id };
    }
    // The ask is usually the last line; a shared preamble ("part of a shell script") must not decide.
    const lastLine = prompt.trim().split('\n').pop() ?? '';
    const kind = CODE.test(lastLine) ? 'code' : LIST.test(lastLine) ? 'list' : CODE.test(prompt) ? 'code' : LIST.test(prompt) ? 'list' : 'text';
    if (kind === 'code') {
      if (cfg.codeAnswer !== null) {
        // Asked for Python code (or by a Python snippet, for code that is no shell's): the same attack in Python.
        const m = marker(id, prompt);
        if (m.startsWith('print(') && cfg.codeAnswerPython !== null) return { answer: `${m}\n${cfg.codeAnswerPython}`, source: 'adversarial', id };
        return { answer: `${marker(id, 'bash')}; ${cfg.codeAnswer}`, source: 'adversarial', id };
      }
      return { answer: marker(id, prompt), source: 'default-code', id };
    }
    if (cfg.defaultAnswer !== null) return { answer: cfg.defaultAnswer, source: 'responses.default', id };
    if (kind === 'list') return { answer: 'check disk usage\nsummarize the README\ncount lines of code', source: 'default-list', id };
    return { answer: 'This is a stub answer from the Fang sandbox.', source: 'default-text', id };
  }

  function textOf(v: unknown): string {
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map(textOf).filter(Boolean).join('\n');
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') return o.text;
      if ('content' in o) return textOf(o.content);
      if ('parts' in o) return textOf(o.parts);
    }
    return '';
  }
  function promptOf(body: Record<string, unknown>, raw: string): string {
    const parts: string[] = [];
    if (body.system !== undefined) parts.push(textOf(body.system));
    if (Array.isArray(body.messages)) parts.push(...body.messages.map(textOf));
    if (Array.isArray(body.contents)) parts.push(...body.contents.map(textOf));
    if (body.prompt !== undefined) parts.push(textOf(body.prompt));
    if (body.input !== undefined) parts.push(textOf(body.input));
    const p = parts.filter(Boolean).join('\n');
    return p || raw;
  }

  function reply(res: import('node:http').ServerResponse, status: number, type: string, body: string): void {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
  function sse(res: import('node:http').ServerResponse, events: string[]): void {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(events.join(''));
  }

  function modelReply(path: string, body: Record<string, unknown>, answer: string, res: import('node:http').ServerResponse): boolean {
    const model = typeof body.model === 'string' ? body.model : 'fang-stub';
    const stream = body.stream === true;
    const created = Math.floor(Date.now() / 1000);
    if (/\/chat\/completions\b/.test(path)) {
      if (stream) {
        const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
          `data: ${JSON.stringify({ id: 'chatcmpl-fang', object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        sse(res, [chunk({ role: 'assistant', content: answer }, null), chunk({}, 'stop'), 'data: [DONE]\n\n']);
      } else {
        reply(res, 200, 'application/json', JSON.stringify({
          id: 'chatcmpl-fang', object: 'chat.completion', created, model,
          choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }));
      }
      return true;
    }
    if (/\/v1\/completions\b/.test(path)) {
      reply(res, 200, 'application/json', JSON.stringify({ id: 'cmpl-fang', object: 'text_completion', created, model, choices: [{ index: 0, text: answer, finish_reason: 'stop' }] }));
      return true;
    }
    if (/\/v1\/responses\b/.test(path)) {
      reply(res, 200, 'application/json', JSON.stringify({
        id: 'resp-fang', object: 'response', created_at: created, model, status: 'completed',
        output: [{ type: 'message', id: 'msg-fang', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: answer, annotations: [] }] }],
        output_text: answer,
      }));
      return true;
    }
    if (/\/v1\/messages\b/.test(path)) {
      const message = { id: 'msg-fang', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: answer }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };
      if (stream) {
        const ev = (name: string, data: Record<string, unknown>): string => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
        sse(res, [
          ev('message_start', { message: { ...message, content: [] } }),
          ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
          ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: answer } }),
          ev('content_block_stop', { index: 0 }),
          ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } }),
          ev('message_stop', {}),
        ]);
      } else reply(res, 200, 'application/json', JSON.stringify(message));
      return true;
    }
    if (/\/api\/(generate|chat)\b/.test(path)) {
      const chat = /\/api\/chat\b/.test(path);
      const piece = (text: string, done: boolean): Record<string, unknown> =>
        chat ? { model, created_at: new Date().toISOString(), message: { role: 'assistant', content: text }, done } : { model, created_at: new Date().toISOString(), response: text, done };
      if (body.stream === false) reply(res, 200, 'application/json', JSON.stringify(piece(answer, true)));
      else reply(res, 200, 'application/x-ndjson', JSON.stringify(piece(answer, false)) + '\n' + JSON.stringify(piece('', true)) + '\n');
      return true;
    }
    if (/generateContent\b/.test(path)) {
      const payload = JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: answer }] }, finishReason: 'STOP', index: 0 }] });
      if (/streamGenerateContent/.test(path)) sse(res, [`data: ${payload}\n\n`]);
      else reply(res, 200, 'application/json', payload);
      return true;
    }
    return false;
  }

  function onRequest(port: number) {
    return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('error', () => undefined);
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= BODY_CAP) chunks.push(c);
        else if (!res.headersSent) {
          emit({ t: 'http', method: req.method ?? 'GET', host: String(req.headers.host ?? '').slice(0, 256), port, path: (req.url ?? '/').slice(0, 1024), body: `(a body of more than ${BODY_CAP} bytes; the connection was closed)` });
          res.writeHead(413, { connection: 'close' });
          res.end();
          req.destroy();
        }
      });
      req.on('end', () => {
        if (size > BODY_CAP) return;
        const raw = Buffer.concat(chunks).toString('utf8');
        const host = String(req.headers.host ?? '').replace(/:\d+$/, '') || '127.0.0.1';
        const path = req.url ?? '/';
        let body: Record<string, unknown> = {};
        try {
          const parsed: unknown = raw ? JSON.parse(raw) : {};
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        } catch {
          /* not JSON: the raw text is the prompt */
        }
        if (path === '/__fang__/shim' && req.method === 'POST') {
          // The shim's NUL-separated fields: pid, ppid, argv0, prompt, stdin read (0/1), stdin, args.
          const f = raw.split('\0');
          f.pop();
          const [pid = '0', ppid = '0', argv0 = '', promptArgs = '', readStdin = '0', stdinText = ''] = f;
          const argv = [argv0, ...f.slice(6)].slice(0, 64).map(clip);
          const stdin = readStdin === '1' ? stdinText : null;
          const prompt = [promptArgs, stdin ?? ''].filter(Boolean).join('\n');
          const a = answerFor(prompt);
          emit({ t: 'model-command', id: a.id, command: argv0, argv, stdin: stdin === null ? null : clip(stdin), prompt: clip(prompt), answer: a.answer, source: a.source, pid: Number(pid) || 0, ppid: Number(ppid) || 0 });
          reply(res, 200, 'text/plain; charset=utf-8', a.answer);
          return;
        }
        // A request from one of Fang's stand-in SDK modules (python-stubs.ts): say so once in the report.
        const standIn = String(req.headers['x-fang-stand-in'] ?? '');
        if (/^[a-z_]{1,32}$/.test(standIn) && !standIns.has(standIn)) {
          standIns.add(standIn);
          emit({ t: 'note', message: `the ${standIn} package is not installed for the sandbox's Python: Fang's stand-in module sent its requests (the real SDK is used wherever it is installed)` });
        }
        const prompt = promptOf(body, raw);
        const looksModel = /\/chat\/completions|\/v1\/(completions|messages|responses)|\/api\/(generate|chat)|generateContent/.test(path);
        if (looksModel) {
          const a = answerFor(prompt);
          emit({ t: 'model-http', id: a.id, method: req.method ?? 'GET', host, port, path, prompt: clip(prompt), answer: a.answer, source: a.source });
          if (modelReply(path, body, a.answer, res)) return;
        }
        emit({ t: 'http', method: req.method ?? 'GET', host, port, path, body: clip(raw) });
        reply(res, 403, 'text/plain', `blocked by the Fang sandbox: ${host}${path} is not reachable from a dry-run\n`);
      });
    };
  }

  /** Reads the server name from a TLS ClientHello, or '' when there is none. */
  function sniOf(buf: Buffer): string {
    try {
      if (buf[0] !== 0x16) return '';
      let p = 5 + 4 + 2 + 32; // record header, handshake header, version, random
      p += 1 + buf[p]!; // session id
      p += 2 + buf.readUInt16BE(p); // cipher suites
      p += 1 + buf[p]!; // compression methods
      const end = p + 2 + buf.readUInt16BE(p);
      p += 2;
      while (p + 4 <= end) {
        const type = buf.readUInt16BE(p);
        const len = buf.readUInt16BE(p + 2);
        if (type === 0) return buf.toString('utf8', p + 9, p + 9 + buf.readUInt16BE(p + 7));
        p += 4 + len;
      }
    } catch {
      /* truncated hello */
    }
    return '';
  }

  /** The question's name, or null for a packet that is not a plain query (compression, overruns). */
  function dnsName(msg: Buffer, start: number): { name: string; end: number } | null {
    const labels: string[] = [];
    let p = start;
    while (p < msg.length && msg[p] !== 0) {
      const len = msg[p]!;
      if (len > 63 || p + 1 + len > msg.length || labels.length >= 127) return null;
      labels.push(msg.toString('latin1', p + 1, p + 1 + len));
      p += 1 + len;
    }
    if (p >= msg.length) return null;
    return { name: labels.join('.'), end: p + 1 };
  }

  const servers: Array<Promise<void>> = [];
  function listen(server: import('node:net').Server, port: number): void {
    servers.push(
      new Promise((resolve) => {
        server.once('error', (err: NodeJS.ErrnoException) => {
          emit({ t: 'note', message: `stub server could not listen on port ${port}: ${err.code ?? err.message}` });
          resolve();
        });
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    );
  }
  for (const port of [80, 8080, 11434, 1234]) {
    const server = http.createServer({ maxHeaderSize: 16 * 1024 }, onRequest(port));
    server.maxConnections = MAX_CONNECTIONS;
    server.headersTimeout = 5000;
    server.requestTimeout = 5000;
    server.keepAliveTimeout = 1000;
    server.on('clientError', (_e, sock: import('node:net').Socket) => sock.destroy());
    listen(server, port);
  }
  const tls = net.createServer((sock) => {
    sock.setTimeout(5000, () => sock.destroy());
    let seen = false;
    sock.once('data', (d: Buffer) => {
      seen = true;
      emit({ t: 'tls', host: sniOf(d) || '(no server name)', port: 443 });
      sock.destroy();
    });
    sock.on('close', () => {
      if (!seen) emit({ t: 'tls', host: '(connection without a TLS hello)', port: 443 });
    });
    sock.on('error', () => undefined);
  });
  tls.maxConnections = MAX_CONNECTIONS;
  listen(tls, 443);
  const dns = dgram.createSocket('udp4');
  dns.on('error', () => undefined);
  dns.on('message', (msg: Buffer, rinfo) => {
    const q = msg.length >= 12 ? dnsName(msg, 12) : null;
    if (!q || q.end + 4 > msg.length) {
      emit({ t: 'dns', host: `(malformed DNS packet of ${msg.length} bytes)`, qtype: 0 });
      return;
    }
    const qtype = msg.readUInt16BE(q.end);
    emit({ t: 'dns', host: q.name.slice(0, 256), qtype });
    const question = msg.subarray(12, q.end + 4);
    const header = Buffer.from([msg[0]!, msg[1]!, 0x81, 0x80, 0, 1, 0, qtype === 1 ? 1 : 0, 0, 0, 0, 0]);
    // Every name resolves to loopback, so the attempt that follows reaches the stub and is seen.
    const answer = qtype === 1 ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 127, 0, 0, 1]) : Buffer.alloc(0);
    dns.send(Buffer.concat([header, question, answer]), rinfo.port, rinfo.address);
  });
  servers.push(
    new Promise((resolve) => {
      dns.once('error', (err: NodeJS.ErrnoException) => {
        emit({ t: 'note', message: `stub DNS could not listen: ${err.code ?? err.message}` });
        resolve();
      });
      dns.bind(53, '127.0.0.1', () => resolve());
    }),
  );
  void Promise.all(servers).then(() => {
    process.stdout.write('ready\n');
  });
}
