/**
 * The environment a snippet sees: an allowlist of harmless host variables, never credentials,
 * plus the variables that point model SDKs at the sandbox's stub server.
 */
import { MODEL_BASE_URL_VARS } from '../core/catalog';

const ALLOWED = new Set(['LANG', 'LANGUAGE', 'TERM', 'TZ', 'COLORTERM', 'NO_COLOR', 'FORCE_COLOR']);
const ALLOWED_PREFIX = ['LC_'];
/** Never passed, even when a future allowlist entry would match. */
const SECRET = /(_KEY|_TOKEN|_SECRET|_PASSWORD|_PASS|_CREDENTIALS?|_AUTH)$|^(AWS_|AZURE_|GOOGLE_|GCLOUD_|GH_|GITHUB_|SSH_|GPG_|KUBECONFIG$|DOCKER_)/i;

/** Where SDKs and scripts are sent: plain HTTP to the stub server inside the sandbox. */
export const STUB_BASE_URLS: Record<string, string> = {
  OPENAI_BASE_URL: 'http://api.openai.com/v1',
  OPENAI_API_BASE: 'http://api.openai.com/v1',
  ANTHROPIC_BASE_URL: 'http://api.anthropic.com',
  OLLAMA_HOST: 'http://127.0.0.1:11434',
  GOOGLE_GEMINI_BASE_URL: 'http://generativelanguage.googleapis.com',
};

/** Fake keys so SDKs that refuse to start without one reach the stub. */
const FAKE_KEYS: Record<string, string> = {
  OPENAI_API_KEY: 'fang-sandbox-fake-key',
  ANTHROPIC_API_KEY: 'fang-sandbox-fake-key',
  GEMINI_API_KEY: 'fang-sandbox-fake-key',
};

export function isSecretName(name: string): boolean {
  return SECRET.test(name);
}

export interface SandboxEnvOptions {
  home: string;
  workspace: string;
  pathPrefix: string;
}

export function sandboxEnv(host: NodeJS.ProcessEnv, o: SandboxEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(host)) {
    if (v === undefined || isSecretName(k)) continue;
    if (ALLOWED.has(k) || ALLOWED_PREFIX.some((p) => k.startsWith(p))) env[k] = v;
  }
  env.PATH = `${o.pathPrefix}:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin`;
  env.HOME = o.home;
  env.USER = 'sandbox';
  env.LOGNAME = 'sandbox';
  env.SHELL = '/bin/bash';
  env.PWD = o.workspace;
  env.TMPDIR = '/tmp';
  for (const name of MODEL_BASE_URL_VARS) {
    const url = STUB_BASE_URLS[name];
    if (url) env[name] = url;
  }
  Object.assign(env, FAKE_KEYS);
  return env;
}
