/** The parsers that read what comes out of the sandbox, on real strace and xtrace text. */
import * as assert from 'node:assert/strict';
import { StraceParser, decodeCString } from '../../src/sandbox/strace-parser';
import { XTRACE_CAPS, XtraceParser, switchesOff, xtraceWords } from '../../src/sandbox/xtrace-parser';
import { JsonLineReader, stubEventSchema, type StubEvent } from '../../src/sandbox/trace-events';
import { diffWorkspace, parseManifest } from '../../src/sandbox/workspace';
import { REPORT_CAPS, boundReport } from '../../src/sandbox/report-bounds';
import type { DryRunReport } from '../../src/sandbox/report-schema';

describe('strace parser', () => {
  it('builds the process tree from execs, clones, resumed calls and exits', () => {
    const p = new StraceParser();
    p.push(
      [
        '21    execve("/bin/bash", ["bash", "/run/fang/snippet.sh"], 0x55 /* 20 vars */) = 0',
        '21    clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 22',
        '22    execve("./query-model", ["./query-model", "line one\\nsay \\"hi\\" \\303\\251"], 0x55 /* 20 vars */ <unfinished ...>',
        '22    <... execve resumed>)             = 0',
        '22    clone3({flags=CLONE_VM|CLONE_THREAD|CLONE_SIGHAND, exit_signal=0} => {parent_tid=[24]}, 88) = 24',
        '22    execve("/usr/bin/nope", ["nope"], 0x55 /* 1 vars */) = -1 ENOENT (No such file or directory)',
        '24    +++ exited with 0 +++',
        '22    +++ exited with 3 +++',
        '21    +++ killed by SIGKILL +++',
      ].join('\n') + '\n',
    );
    assert.equal(p.rootPid, 21);
    const child = p.processes.get(22)!;
    assert.equal(child.parent, 21);
    assert.deepEqual(child.execs, [{ path: './query-model', argv: ['./query-model', 'line one\nsay "hi" é'] }]);
    assert.equal(child.exitCode, 3);
    assert.equal(p.processes.get(24)!.thread, true);
    assert.equal(p.processes.get(21)!.signal, 'SIGKILL');
  });

  it('names refused writes, reads, signals, forks and network attempts', () => {
    const p = new StraceParser();
    p.push(
      [
        '5 openat(AT_FDCWD, "/etc/x", O_WRONLY|O_CREAT|O_TRUNC, 0666) = -1 EROFS (Read-only file system)',
        '5 openat(AT_FDCWD, "/root/.ssh/id_rsa", O_RDONLY) = -1 ENOENT (No such file or directory)',
        '5 openat(AT_FDCWD, "/usr/lib/missing.so", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)',
        '5 kill(4242, SIGTERM)                   = -1 ESRCH (No such process)',
        '5 clone(child_stack=NULL, flags=SIGCHLD) = -1 EAGAIN (Resource temporarily unavailable)',
        '5 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("192.0.2.1")}, 16) = -1 ENETUNREACH (Network is unreachable)',
        '5 sendmsg(9, {msg_name={sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, msg_namelen=28}, 0) = -1 ENETUNREACH (Network is unreachable)',
        '5 ioctl(0, TIOCSTI, "x")                = -1 ENOTTY (Inappropriate ioctl for device)',
      ].join('\n') + '\n',
    );
    assert.deepEqual(
      p.blocked.map((b) => `${b.kind} ${b.target} ${b.errno}`),
      ['write /etc/x EROFS', 'read /root/.ssh/id_rsa ENOENT', 'signal pid 4242 (SIGTERM) ESRCH', 'process new process EAGAIN', 'tty fd 0 ENOTTY'],
    );
    assert.equal(p.forkFailures, 1);
    assert.deepEqual(p.connects.map((c) => `${c.syscall} ${c.address}:${c.port} ${c.result}`), ['connect 192.0.2.1:443 ENETUNREACH', 'sendto 2001:db8::1:53 ENETUNREACH']);
  });

  it('records signals and pidfds aimed at pids it never traced (Fang\'s own), not at the snippet\'s', () => {
    const p = new StraceParser();
    p.push(
      [
        '7 clone(child_stack=NULL, flags=SIGCHLD) = 8',
        '7 kill(8, SIGTERM)                      = 0',
        '7 kill(3, SIGSTOP)                      = 0',
        '7 tgkill(3, 3, SIGKILL)                 = 0',
        '7 kill(3, 0)                            = 0',
        '7 pidfd_open(4, 0)                      = 5',
        '7 clone(child_stack=NULL, flags=CLONE_UNTRACED|SIGCHLD) = -1 EPERM (Operation not permitted)',
        '7 ptrace(PTRACE_ATTACH, 4)              = -1 EPERM (Operation not permitted)',
        '7 keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) = -1 ENOSYS (Function not implemented)',
        '7 +++ exited with 0',
      ].join('\n'),
    );
    p.end();
    assert.deepEqual(p.signals.map((x) => `${x.syscall} ${x.target} ${x.signal}`), ['kill 3 SIGSTOP', 'tgkill 3 SIGKILL', 'pidfd_open 4 pidfd']);
    assert.deepEqual(p.blocked.map((b) => `${b.kind} ${b.syscall} ${b.target} ${b.errno}`), ['privilege clone CLONE_UNTRACED SECCOMP', 'privilege ptrace PTRACE_ATTACH pid 4 EPERM', 'privilege keyctl the kernel keyrings ENOSYS']);
    // A last line without its newline was cut when the tracer stopped: not counted as unreadable.
    assert.equal(p.unparsed, 0);
    assert.equal(p.cut, 1);
  });

  it('past its full volume reads only what makes the process tree, and counts the rest', () => {
    const p = new StraceParser();
    p.push('9 execve("/bin/bash", ["bash"], 0x1 /* 1 vars */) = 0\n');
    p.processesOnly = true;
    p.push(
      [
        '9 1.5 openat(AT_FDCWD, "/etc/x", O_WRONLY|O_CREAT, 0666) = -1 EROFS (Read-only file system)',
        '9 1.6 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("192.0.2.1")}, 16) = -1 ENETUNREACH (Network is unreachable)',
        '9 1.7 clone(child_stack=NULL, flags=SIGCHLD) = 10',
        '10 1.8 execve("/bin/echo", ["echo", "after"], 0x1 /* 1 vars */ <unfinished ...>',
        '10 1.9 <... execve resumed>) = 0',
        '10 2.0 +++ exited with 0 +++',
      ].join('\n') + '\n',
    );
    assert.deepEqual(p.processes.get(10)!.execs, [{ path: '/bin/echo', argv: ['echo', 'after'] }]);
    assert.equal(p.processes.get(10)!.exitCode, 0);
    assert.deepEqual([p.blocked.length, p.connects.length, p.skipped], [0, 0, 2]);
  });

  it('decodes C escapes byte by byte', () => {
    assert.equal(decodeCString('a\\tb\\x41\\101\\\\'), 'a\tbAA\\');
  });
});

describe('xtrace parser', () => {
  it('keeps eval, source and kill records past the cap of plain ones, and notes where the trace was switched off', () => {
    const x = new XtraceParser();
    const rec = (line: number, text: string): string => `\x1e7 ${line} 1.0 /run/fang/snippet.sh\x1f${text}\n`;
    x.push(Array.from({ length: XTRACE_CAPS.records + 10 }, (_, i) => rec(1, `: ${i}`)).join(''));
    x.push(rec(2, "eval 'printf x'") + rec(3, 'set +x') + rec(4, 'BASH_XTRACEFD=9') + rec(5, 'set -e'));
    x.end();
    assert.equal(x.dropped, 10);
    assert.equal(x.droppedSinks, 0);
    assert.deepEqual(x.records.slice(-4).map((r) => r.words[0]), ['eval', 'set', 'BASH_XTRACEFD=9', 'set']);
    assert.deepEqual(x.switchedOff.map((r) => r.line), [3, 4]);
    assert.deepEqual(['set -x', 'set +eux', 'set +o xtrace', 'unset BASH_XTRACEFD', 'unset X'].map((t) => switchesOff(t.split(' '))), [false, true, true, true, false]);
  });

  it('splits records on RS, keeps multi-line commands, and reads nesting depth', () => {
    const x = new XtraceParser();
    const stream = "\x1e7 3 /run/fang/snippet.sh\x1fA=1\n\x1e\x1e9 5 /run/fang/snippet.sh\x1fecho 'a\nb'\n\x1e7 7 /run/fang/snippet.sh\x1feval 'printf '\\''fang-ran-%s\\n'\\'' 2'\n";
    // Feed in small chunks: records must survive any split.
    for (let i = 0; i < stream.length; i += 5) x.push(stream.slice(i, i + 5));
    x.end();
    assert.deepEqual(
      x.records.map((r) => [r.pid, r.line, r.depth, r.words]),
      [
        [7, 3, 1, ['A=1']],
        [9, 5, 2, ['echo', 'a\nb']],
        [7, 7, 1, ['eval', "printf 'fang-ran-%s\\n' 2"]],
      ],
    );
  });

  it('unquotes $\'...\' words', () => {
    assert.deepEqual(xtraceWords("printf $'a\\tb' 'c d'"), ['printf', 'a\tb', 'c d']);
  });
});

describe('events from inside the sandbox', () => {
  it('keeps valid lines and drops forged or broken ones', () => {
    const got: StubEvent[] = [];
    const r = new JsonLineReader(stubEventSchema, (e) => got.push(e));
    r.push('{"t":"dns","host":"a.example","qtype":1,"at":1}\n{"t":"dns","host":5}\nnot json\n{"t":"tls","host":"b.ex');
    r.push('ample","port":443,"at":2}\n');
    r.end();
    assert.deepEqual(got.map((e) => e.t), ['dns', 'tls']);
    assert.equal(r.rejected, 2);
  });
});

/** One entry of the listing as init's find prints it: `%y %s %T@\0%H\0%P\0`. */
const entry = (root: string, y: string, size: number, mtime: string, rel: string): string => `${y} ${size} ${mtime}\0${root}\0${rel}\0`;

describe('workspace diff', () => {
  it('reads a listing whose workspace name and file names hold tabs and newlines', () => {
    const ws = '/t/ws\nnl\ttab';
    const roots: string[] = [];
    const after = parseManifest([entry(ws, 'd', 0, '1', ''), entry(ws, 'f', 4, '2', 'a\tb\nc'), entry(ws, 'f', 1, '1', 'kept')].join(''), roots);
    assert.deepEqual(roots, [ws]);
    const changes = diffWorkspace({ before: new Map([['kept', { type: 'file' as const, size: 1, mtime: 1 }]]), after, workspace: ws, home: '/h', ignore: new Set() });
    assert.deepEqual(changes.map((c) => `${c.area} ${c.kind} ${JSON.stringify(c.path)}`), ['workspace created "a\\tb\\nc"']);
  });

  it('finds created, modified and deleted files and ignores Fang\'s own', () => {
    const before = new Map([
      ['a.txt', { type: 'file' as const, size: 2, mtime: 100 }],
      ['gone.txt', { type: 'file' as const, size: 2, mtime: 100 }],
      ['same.txt', { type: 'file' as const, size: 2, mtime: 100 }],
    ]);
    // The workspace is a mount point inside the home: its folder there is Fang's, not a change.
    const manifest = [entry('/h/w', 'f', 3, '200.5', 'a.txt'), entry('/h/w', 'f', 2, '100.0000000000', 'same.txt'), entry('/h/w', 'f', 1, '300', 'new.txt'), entry('/h/w', 'l', 10, '300', 'query-model'), entry('/h', 'f', 5, '300', '.bashrc'), entry('/h', 'd', 0, '1', 'w')].join('');
    const changes = diffWorkspace({ before, after: parseManifest(manifest), workspace: '/h/w', home: '/h', ignore: new Set(['/h/w/query-model']) });
    assert.deepEqual(changes.map((c) => `${c.area} ${c.kind} ${c.path}`), ['home created /h/.bashrc', 'workspace modified a.txt', 'workspace deleted gone.txt', 'workspace created new.txt']);
  });
});

describe('a listing cut short (item 10)', () => {
  it('keeps the changes it saw, knows which areas it finished, and names no deletions in an unfinished workspace', () => {
    const before = new Map([['kept.txt', { type: 'file' as const, size: 1, mtime: 1 }], ['gone.txt', { type: 'file' as const, size: 1, mtime: 1 }]]);
    // home listed whole, then the workspace started and cut in the middle of a record.
    const manifest = [entry('/h', 'd', 0, '1', ''), entry('/h', 'f', 5, '300', '.bashrc'), entry('/h/w', 'd', 0, '1', ''), entry('/h/w', 'f', 1, '1', 'kept.txt'), entry('/h/w', 'f', 1, '300', 'new.txt'), 'f 1 3\0/h/w\0cut-in-the-midd'].join('');
    const roots: string[] = [];
    const after = parseManifest(manifest, roots);
    assert.deepEqual(roots, ['/h', '/h/w']);
    assert.deepEqual(after.map((e) => e.rel), ['.bashrc', 'kept.txt', 'new.txt']);
    const changes = diffWorkspace({ before, after, workspace: '/h/w', home: '/h', ignore: new Set(), workspaceListed: false });
    assert.deepEqual(changes.map((c) => `${c.kind} ${c.area} ${c.path}`), ['created home /h/.bashrc', 'created workspace new.txt']);
  });
});

describe('forged trace text (item 7)', () => {
  it('drops xtrace records no shell writes and counts them', () => {
    const x = new XtraceParser();
    x.push('junk first\n\x1e0 0 1.0 s\x1fzero\n\x1e99999999 1 1.0 s\x1fhuge pid\n\x1e7 3 1.0 /run/fang/snippet.sh\x1fecho ok\n\x1eno separator\n\x1e8 4 1.0 s\x1fx\n');
    x.end();
    assert.deepEqual(x.records.map((r) => r.words), [['echo', 'ok'], ['x']]);
    assert.equal(x.rejected, 4);
  });
  it('drops strace lines strace does not write and counts them', () => {
    const p = new StraceParser();
    p.push('not strace\n99999999999 +++ exited with 0 +++\n7 +++ exited with 123456 +++\n7 execve("/bin/true", ["true"], 0x1 /* 1 vars */) = 0\n');
    assert.equal(p.unparsed, 3);
    assert.deepEqual([...p.processes.keys()], [7]);
  });
});

describe('report bounds (item 9)', () => {
  it('caps every list, counts what it dropped, keeps the report under its size cap, and drops forged entries', () => {
    const big = 'x'.repeat(8000);
    const report: DryRunReport = {
      version: 1,
      verdict: 'v',
      backend: { name: 'bubblewrap', version: '0.8.0', isolation: [], traced: true },
      language: 'bash',
      workspace: '/w',
      stubbedCommands: [],
      processes: Array.from({ length: 3000 }, (_, i) => ({ pid: i + 2, ppid: 1, argv: ['llm', big], exitCode: 0, signal: null, line: i === 7 ? 0 : 1, model: true })),
      modelCalls: Array.from({ length: 5000 }, (_, i) => ({ id: i, kind: 'command' as const, command: 'llm', argv: ['llm'], prompt: big, answer: big, answerSource: 'default-text', line: 1, pid: null })),
      executedModelOutput: [],
      recursion: [],
      fileChanges: Array.from({ length: 5000 }, (_, i) => ({ path: `f${i}`, kind: 'created' as const, area: 'workspace' as const, type: 'file' as const, size: 0 })),
      network: [],
      blocked: [],
      limitsHit: [],
      limits: { timeMs: 1, processes: 8, outputBytes: 1, tmpfsBytes: 1, memoryBytes: 1 },
      exitCode: 0,
      durationMs: 1,
      stdout: big.repeat(100),
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
      notes: [],
    };
    const { report: r, invalid } = boundReport(report);
    assert.equal(invalid, 1, 'the process with line 0 is no real trace entry');
    assert.ok(JSON.stringify(r).length <= REPORT_CAPS.bytes);
    assert.ok(r.processes.length <= REPORT_CAPS.processes && r.modelCalls.length <= REPORT_CAPS.modelCalls && r.fileChanges.length <= REPORT_CAPS.fileChanges);
    assert.equal(r.dropped!.processes! + r.processes.length + invalid, 3000);
    assert.equal(r.dropped!.modelCalls! + r.modelCalls.length, 5000);
    assert.equal(r.dropped!.fileChanges! + r.fileChanges.length, 5000);
    assert.ok(r.notes.some((n) => /to keep the report bounded, some parts were cut/.test(n)));
  });
});
