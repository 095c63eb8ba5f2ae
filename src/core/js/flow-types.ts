/**
 * The JavaScript dataflow: what a TypeScript type annotation says a value is. A field, parameter or
 * variable typed with a model SDK's client class (`client: OpenAI`, `chat: ChatSession`) holds such
 * a client wherever it came from (a factory, a caller in another file); one typed with a class of
 * the project holds an instance of it.
 */
import type { Node } from 'web-tree-sitter';
import type { Env } from './env';
import { isSdkPackage, langchainModelClass } from './modules';
import { CLEAN, type Val } from './taint';
import type { FlowState } from './flow-state';

/** Types of an SDK that describe data (requests, answers, options), not a client with methods. */
const DATA_TYPE = /(Params?|Request|Response|Options|Opts|Config|Configuration|Settings|Message|Result|Input|Output|Schema|Error|Content|Part|Role|Chunk|Event|Choice|Usage|Tool|Args|Body|Type|Id)s?$/;

/** The value a type annotation (`: T`) promises, when it names an SDK client class or a project class. */
export function typedValue(w: FlowState, annotation: Node | null, env: Env): Val | undefined {
  if (!annotation) return undefined;
  const type = annotation.type === 'type_annotation' ? w.nodes.kids(annotation)[0] : annotation;
  return type ? typeValue(w, type, env, 0) : undefined;
}

function typeValue(w: FlowState, type: Node, env: Env, depth: number): Val | undefined {
  if (depth > 3) return undefined;
  switch (type.type) {
    case 'type_identifier':
      return namedType(w, type.text, env);
    case 'generic_type': {
      const name = type.childForFieldName('name');
      return name?.type === 'type_identifier' ? namedType(w, name.text, env) : undefined;
    }
    case 'union_type':
    case 'parenthesized_type':
      // `OpenAI | undefined`, `(Anthropic | null)`: the client when there is one
      for (const c of w.nodes.kids(type)) {
        const v = typeValue(w, c, env, depth + 1);
        if (v) return v;
      }
      return undefined;
    default:
      return undefined;
  }
}

function namedType(w: FlowState, name: string, env: Env): Val | undefined {
  const b = env.lookup(name);
  if (!b) return undefined;
  if (b.cls) return { t: CLEAN, instanceOf: b.cls };
  const ref = b.ref;
  if (!ref || ref.instance || ref.path.length > 1 || !isSdkPackage(ref.pkg, w.extraSdk)) return undefined;
  const cls = ref.path[0] ?? name;
  if (DATA_TYPE.test(cls) || !/^[A-Z]/.test(cls)) return undefined;
  return { t: CLEAN, ref: { pkg: ref.pkg, path: [], instance: true, cls, hasModel: langchainModelClass(cls) } };
}

/** `constructor(private client: OpenAI)`: a TypeScript parameter property, also a field of the instance. */
export function isParameterProperty(p: Node): boolean {
  if (p.type !== 'required_parameter' && p.type !== 'optional_parameter') return false;
  for (const c of p.children) if (c && (c.type === 'accessibility_modifier' || c.type === 'readonly' || c.type === 'override_modifier')) return true;
  return false;
}
