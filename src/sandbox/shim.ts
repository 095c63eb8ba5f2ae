/**
 * The command shim that stands in for each model command inside the sandbox (`llm`,
 * `./query-model`, the value of `$RUN_AI`, ...). It sends its argv and, when no prompt is
 * given as an argument, its stdin to the stub server, and prints the answer.
 *
 * It is Bash talking HTTP/1.0 over /dev/tcp, not a node program: an agent loop calls its model
 * again and again, and a Bash start costs a few milliseconds where node's costs tens (more
 * under the tracer). The request body is NUL-separated (pid, ppid, argv0, prompt, whether
 * stdin was read, stdin, the arguments), so no JSON is built in Bash; the answer comes back as
 * plain text.
 */

/** Which catalog commands need a subcommand (`ollama run`), as Bash the shim sources. */
export function shimSpecs(specs: Record<string, { sub?: string[] }>): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const entries = Object.entries(specs)
    .filter(([, s]) => s.sub && s.sub.length)
    .map(([name, s]) => `[${q(name)}]=${q(s.sub!.join(' '))}`);
  return `declare -A FANG_SUB=(${entries.join(' ')})\n`;
}

export const SHIM_SH = `#!/bin/bash
# Fang: a stubbed model command (see src/sandbox/shim.ts). Byte lengths below need LC_ALL=C.
export LC_ALL=C
. /run/fang/shims.sh
invoked=$0
name=\${invoked##*/}
sub=\${FANG_SUB[$name]-}
if [ -n "$sub" ]; then
  case " $sub " in
    *" \${1-} "*) ;;
    *) echo "$name \${1-}: not available inside the Fang sandbox (no network, no real $name)" >&2; exit 127 ;;
  esac
fi
# The prompt: positional words, without the subcommand (\`ollama run\`), the model name that
# follows it, and the values of the usual option flags (\`-m gpt-4o\`, \`--system "..."\`).
words=()
skip=0
for a in "$@"; do
  if ((skip)); then skip=0; continue; fi
  case $a in
    -m|--model|-s|--system|-t|--template|-o|--option|-p|--provider|--role|--temperature|--max-tokens|-c|--cid|--conversation|--format) skip=1 ;;
    -*) ;;
    *) words+=("$a") ;;
  esac
done
if [ -n "$sub" ]; then
  words=("\${words[@]:1}")
  if [ "$name" = ollama ] || [ "$name" = lms ]; then words=("\${words[@]:1}"); fi
fi
# A prompt given as an argument means the shim does not read stdin: inside
# \`producer | while read x; do model "..."; done\` stdin belongs to the loop.
stdin= read_stdin=0
if [ "\${#words[@]}" = 0 ] && [ ! -t 0 ]; then
  IFS= read -r -d '' -N 262144 stdin
  read_stdin=1
fi
fields=("$$" "$PPID" "\${FANG_SHIM_ARGV0:-$invoked}" "\${words[*]}" "$read_stdin" "$stdin" "$@")
len=0
for f in "\${fields[@]}"; do len=$((len + \${#f} + 1)); done
if ! exec 3<>/dev/tcp/127.0.0.1/80; then
  echo "fang shim: the stub server is unreachable; the snippet may have stopped it" >&2
  exit 1
fi
printf 'POST /__fang__/shim HTTP/1.0\\r\\nHost: fang\\r\\nContent-Type: application/x-fang-shim\\r\\nContent-Length: %d\\r\\n\\r\\n' "$len" >&3
printf '%s\\0' "\${fields[@]}" >&3
IFS= read -r status <&3
case $status in
  'HTTP/1.'?' 200 '*) ;;
  *) echo "fang shim: unreadable answer from the stub server" >&2; exit 1 ;;
esac
while IFS= read -r line <&3 && [ -n "\${line%$'\\r'}" ]; do :; done
answer=
IFS= read -r -d '' answer <&3
printf '%s' "$answer"
[[ $answer == *$'\\n' ]] || echo
`;
