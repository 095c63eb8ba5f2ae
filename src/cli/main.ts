/** The `fang` command: dispatches to its subcommands and maps errors to exit status 2. */
import { visible } from '../core/display';
import { Analyzer } from '../core/index';
import { scanCommand, SCAN_HELP } from './scan';
import { hookCommand } from './hook/index';
import { UsageError, type Io } from './io';
import { useBaselineWasmCompiler } from './wasm-tier';
import pkg from '../../package.json';

const HELP = `usage: fang <command> [options]

commands:
  scan PATH...     find model calls, executed model output and self-feeding spawning
  dry-run FILE     run a snippet in a sandbox with stubbed models and report what it did
  hook AGENT       answer a coding agent's pre-tool hook (claude-code, codex, gemini-cli)
  lsp --stdio      the language server for editors (Neovim, Helix, Zed, Emacs, VS Code)
  rules            list the rules
  --version        print the version

${SCAN_HELP}`;

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'scan':
        return await scanCommand(rest, io, pkg.version);
      case 'dry-run':
        return await dryRun(rest, io);
      case 'hook':
        return await hookCommand(rest, { ...io, stdin: io.stdin ?? process.stdin });
      case 'lsp':
        return await lazy<LspModule>('./lsp', 'lsp').lspCommand(rest, io, pkg.version);
      case 'rules':
        return await listRules(io);
      case '--version':
      case '-v':
        io.stdout.write(`${pkg.version}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(HELP);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${cmd}"; run \`fang --help\``);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      io.stderr.write(`fang: ${visible((e as Error).message)}\n`);
      return 2;
    }
    io.stderr.write(`fang: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}

async function dryRun(argv: string[], io: Io): Promise<number> {
  return lazy<DryRunModule>('./dry-run', 'dry-run').dryRunCommand(argv, io);
}

type DryRunModule = { dryRunCommand(argv: string[], io: Io): Promise<number> };
type LspModule = { lspCommand(argv: string[], io: Io, version: string): Promise<number> };

/**
 * A bundle of its own (dist/dry-run.js, dist/lsp.js): the sandbox, the protocol library and
 * their schemas are loaded only by the command that needs them, not on every scan or hook call.
 */
function lazy<T>(file: './dry-run' | './lsp', command: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (file === './dry-run' ? require('./dry-run') : require('./lsp')) as T;
  } catch (e) {
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND') throw new UsageError(`${command} is not available in this build`);
    throw e;
  }
}

async function listRules(io: Io): Promise<number> {
  const a = await Analyzer.create();
  try {
    for (const r of a.rules()) io.stdout.write(`${r.id.padEnd(30)} ${r.category.padEnd(24)} ${r.severity.padEnd(8)} ${r.title}\n`);
    return 0;
  } finally {
    a.dispose();
  }
}

/** Runs the command line of this process. */
export function run(): void {
  useBaselineWasmCompiler();
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, isTTY: !!process.stdout.isTTY, cwd: process.cwd() }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}

if (require.main === module) run();
