// Writes schemas/fang.schema.json (the JSON schema of `.fang.json`, contributed through
// `jsonValidation`) from the core's zod schema, and the parts of package.json that list
// languages (activation events, the editor menu's language test, the `fang.enable` setting)
// from the core's language registry, so neither can drift from the code.
//   node scripts/vscode-schema.mjs          write them
//   node scripts/vscode-schema.mjs --check  exit 1 when a committed file is out of date
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadRegistry } from './registry.mjs';

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

/** package.json with its language lists as the registry says. */
export function packageWithLanguages(text) {
  const pkg = JSON.parse(text);
  const { LANGUAGES, MARKDOWN, editorIds, enableSettings } = loadRegistry();
  const ids = editorIds();
  const others = pkg.activationEvents.filter((e) => !e.startsWith('onLanguage:'));
  pkg.activationEvents = [...ids.map((id) => `onLanguage:${id}`), ...others];
  for (const item of pkg.contributes.menus['editor/context']) {
    item.when = item.when.replace(/editorLangId =~ \/\^\([^)]*\)\$\//, `editorLangId =~ /^(${ids.join('|')})$/`);
  }
  const groups = enableSettings();
  const enable = pkg.contributes.configuration.properties['fang.enable'];
  enable.default = Object.fromEntries(groups.map((g) => [g, true]));
  enable.properties = Object.fromEntries(groups.map((g) => [g, { type: 'boolean' }]));
  const covers = LANGUAGES.filter((l) => l.setting !== l.id).map((l) => `\`${l.setting}\` covers ${l.name} too`);
  enable.markdownDescription = `Which languages Fang analyses. \`${MARKDOWN.setting}\` covers code fences in Markdown files${covers.length ? `; ${covers.join('; ')}` : ''}.`;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const pkgFile = path.join(root, 'package.json');
  const outputs = [
    [target, `${JSON.stringify(await generateSchema(), null, 2)}\n`, 'src/core/config.ts'],
    [pkgFile, packageWithLanguages(fs.readFileSync(pkgFile, 'utf8')), 'src/core/languages.ts'],
  ];
  for (const [file, text, source] of outputs) {
    if (process.argv.includes('--check')) {
      const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      if (current !== text) {
        process.stderr.write(`${path.relative(root, file)} is out of date with ${source}; run node scripts/vscode-schema.mjs\n`);
        process.exitCode = 1;
      }
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
}
