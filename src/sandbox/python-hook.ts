/**
 * The line-linking trace for Python snippets, the equivalent of Bash's xtrace and node-hook.ts:
 * a `sitecustomize` module that Python imports at start-up (the sandbox puts its folder first on
 * PYTHONPATH). It adds an audit hook (PEP 578, `sys.addaudithook`) that sees processes started
 * (`subprocess.Popen`, `os.system`, `os.exec*`, `os.posix_spawn`, `os.spawn*`), code compiled
 * from strings (`exec`, `eval`, `compile`) or from files (`import`, `runpy`) and HTTP requests
 * (`http.client.send`, which urllib, requests and urllib3 go through), and writes one
 * record per event, with the snippet's line from the call stack, to fd 5 in the xtrace record
 * format (RS "pid line time source" US words), so one parser reads Bash, node and Python.
 *
 * Only the process started with FANG_SNIPPET_SOURCE writes records (the variable is removed at
 * once, so child processes, whose fd 5 may be anything, write none). Every Python process of the
 * run appends the stand-in SDK modules (python-stubs.ts) to the end of sys.path: an installed
 * SDK comes first and wins.
 *
 * Python source, kept as text: no backquotes and no dollar-brace in it.
 */
export const SITECUSTOMIZE_PY = String.raw`# Fang dry-run: imported by Python at start-up inside the sandbox (see src/sandbox/python-hook.ts).
import os as _fang_os
import sys as _fang_sys


def _fang_setup():
    stubs = '/run/fang/python-stubs'
    if stubs not in _fang_sys.path:
        _fang_sys.path.append(stubs)
    source = _fang_os.environ.pop('FANG_SNIPPET_SOURCE', None)
    if not source:
        return
    import stat
    import time
    try:
        mode = _fang_os.fstat(5).st_mode
        if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
            return
    except OSError:
        return
    getframe = _fang_sys._getframe
    write = _fang_os.write
    getpid = _fang_os.getpid
    now = time.time
    stdlib = tuple(p for p in {_fang_sys.prefix, _fang_sys.base_prefix, '/usr/lib/python3', '/usr/local/lib/python3'} if p)
    # HTTP: http.client.send sees the request line of urllib, requests and urllib3 alike (one record per request).
    events = frozenset(['subprocess.Popen', 'os.system', 'os.exec', 'os.posix_spawn', 'os.spawn', 'compile', 'http.client.send'])
    state = {'busy': False, 'count': 0}

    def line_of():
        f = getframe(2)
        while f is not None:
            if f.f_code.co_filename == source:
                return f.f_lineno
            f = f.f_back
        return None

    def quote(w):
        if isinstance(w, bytes):
            w = w.decode('utf-8', 'replace')
        w = str(w)
        if len(w) > 4096:
            w = w[:4096]
        return "'" + w.replace("'", "'\\''") + "'"

    def record(words):
        line = line_of()
        if line is None or state['count'] >= 5000:
            return
        state['count'] += 1
        text = '\x1e%d %d %.6f %s\x1f%s\n' % (getpid(), line, now(), source, ' '.join(quote(w) for w in list(words)[:64]))
        try:
            write(5, text.encode('utf-8', 'replace'))
        except OSError:
            pass

    def words_of(args):
        if isinstance(args, (str, bytes, _fang_os.PathLike)):
            return [_fang_os.fsdecode(args)]
        try:
            return [_fang_os.fsdecode(a) if isinstance(a, (bytes, _fang_os.PathLike)) else str(a) for a in args]
        except TypeError:
            return [str(args)]

    def request_line(conn, data):
        try:
            head = bytes(data[:2048]).split(b'\r\n', 1)[0].decode('latin-1')
        except Exception:
            return None
        parts = head.split(' ')
        if len(parts) != 3 or not parts[2].startswith('HTTP/'):
            return None
        target = parts[1]
        if target.startswith('/'):
            target = 'http://%s:%s%s' % (getattr(conn, 'host', ''), getattr(conn, 'port', ''), target)
        return target

    def hook(event, args):
        if event not in events or state['busy']:
            return
        state['busy'] = True
        try:
            if event == 'subprocess.Popen':
                executable, argv = args[0], args[1]
                words = words_of(argv)
                if executable is not None and words:
                    words[0] = _fang_os.fsdecode(executable)
                record(words)
            elif event == 'os.system':
                record(['/bin/sh', '-c', _fang_os.fsdecode(args[0])])
            elif event in ('os.exec', 'os.posix_spawn'):
                record(words_of(args[1]))
            elif event == 'os.spawn':
                record(words_of(args[2]))
            elif event == 'compile':
                code, filename = args[0], args[1]
                name = _fang_os.fsdecode(filename) if isinstance(filename, (str, bytes)) else str(filename)
                if isinstance(code, (str, bytes)) and name.startswith('<') and name not in ('<frozen>',):
                    record(['exec', code])
                elif name and not name.startswith('<') and name != source and not name.startswith(stdlib):
                    record(['source', name])
            elif event == 'http.client.send':
                target = request_line(args[0], args[1])
                if target:
                    record(['fetch', target])
        except Exception:
            pass
        finally:
            state['busy'] = False

    _fang_sys.addaudithook(hook)


_fang_setup()
del _fang_setup
`;
