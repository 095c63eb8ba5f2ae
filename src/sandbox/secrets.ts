/**
 * What of a workspace never enters the sandbox unless the user names it: credentials and keys
 * (`.ssh`, `.aws`, `.gnupg`, `.env*`, `*.pem`, `id_*`, `.netrc`, a `.npmrc` with a token, ...),
 * and which folders are refused as a workspace at all (one holding the home folder).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Folders that hold credentials, left out with everything in them. */
const SECRET_DIRS = new Set(['.ssh', '.aws', '.gnupg', '.gpg', '.kube', '.docker', '.azure', '.password-store', '.terraform.d', '.vault-token', '.gcloud']);
/** File names that are credentials by name. */
const SECRET_FILES = /^(\.env(\..*)?|\.envrc|\.netrc|_netrc|\.pgpass|\.git-credentials|\.pypirc|\.htpasswd|\.vault-token|credentials(\.json)?|id_[A-Za-z0-9]+(\.pub)?|.*\.(pem|key|p12|pfx|jks|keystore|kdbx|ppk|gpg|asc))$/;
/** Files that are credentials when they carry one. */
const TOKEN_FILES = new Map<string, RegExp>([
  ['.npmrc', /(_authToken|_auth|_password)\s*=|:_(authToken|auth|password)\s*=/],
  ['.yarnrc.yml', /npmAuth(Token|Ident)\s*:/],
  ['.pip.conf', /:\/\/[^/\s:]+:[^@\s]+@/],
]);

/** Why `rel` (a workspace-relative path) is a secret, or null. Reads the file only for token files. */
export function secretReason(rel: string, abs: string, isDir: boolean): string | null {
  const name = path.posix.basename(rel);
  if (isDir) return SECRET_DIRS.has(name) ? 'a folder of credentials' : rel === '.config/gcloud' ? 'a folder of credentials' : null;
  if (SECRET_FILES.test(name)) return 'credentials or a key, by its name';
  const token = TOKEN_FILES.get(name);
  if (token) {
    try {
      if (token.test(fs.readFileSync(abs, 'utf8').slice(0, 256 * 1024))) return 'it holds a token';
    } catch {
      return 'it could not be read to check for a token';
    }
  }
  return null;
}

/** Whether the user asked for `rel` to be copied anyway (it, or a folder above it, is named). */
export function includedOnPurpose(rel: string, include: readonly string[]): boolean {
  return include.some((i) => {
    const n = path.posix.normalize(i).replace(/^\.\/|\/$/g, '');
    return rel === n || rel.startsWith(n + '/');
  });
}

/**
 * Why `workspace` (a real path) must not be copied into the sandbox, or null: the whole
 * filesystem, the home folder or a folder holding it, and as root the folder of all homes.
 */
export function refusedWorkspace(workspace: string, home: string, root: boolean): string | null {
  const holds = (dir: string): boolean => dir === workspace || dir.startsWith(workspace === '/' ? '/' : workspace + '/');
  if (workspace === '/') return 'it is the whole filesystem';
  if (home && home !== '/' && holds(home)) return workspace === home ? 'it is your home folder' : `it holds your home folder (${home})`;
  if (root && holds('/home')) return 'it holds every user\'s home folder (/home)';
  return null;
}
