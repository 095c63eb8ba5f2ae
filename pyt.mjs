import { Parser, Language } from 'web-tree-sitter';
import fs from 'node:fs';
await Parser.init();
const L = await Language.load('node_modules/tree-sitter-python/tree-sitter-python.wasm');
const p = new Parser(); p.setLanguage(L);
const t = p.parse(fs.readFileSync(process.argv[2],'utf8'));
console.log(t.rootNode.toString().replace(/\((\w+)/g,'\n$&').split('\n').length > 0 ? t.rootNode.toString() : '');
t.delete();
