// Writes schemas/fang.schema.json (the JSON schema of `.fang.json`, contributed through
// `jsonValidation`) from the core's zod schema, so the two cannot drift apart.
//   node scripts/vscode-schema.mjs          write it
//   node scripts/vscode-schema.mjs --check  exit 1 when the committed file is out of date
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'schemas', 'fang.schema.json');

export async function generateSchema() {
  const out = await esbuild.build({
    stdin: {
      contents: "export { configSchema } from './src/core/config'; export { z } from 'zod';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'warning',
  });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, createRequire(path.join(root, 'package.json')));
  const { configSchema, z } = mod.exports;
  const schema = z.toJSONSchema(configSchema, { target: 'draft-7' });
  // Descriptions come from the settings of the same name, so editor and file read alike.
  const settings = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).contributes.configuration.properties;
  for (const [key, prop] of Object.entries(schema.properties)) {
    const md = settings[`fang.${key}`]?.markdownDescription;
    if (md) Object.assign(prop, { description: md.replace(/`/g, ''), markdownDescription: md });
  }
  return {
    $schema: schema.$schema,
    title: 'Fang configuration (.fang.json)',
    description: 'Read by the Fang editor extension and by `fang scan`; the same keys as the fang.* settings.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const text = `${JSON.stringify(await generateSchema(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`${path.relative(root, target)} is out of date with src/core/config.ts; run node scripts/vscode-schema.mjs\n`);
      process.exit(1);
    }
  } else {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }
}
