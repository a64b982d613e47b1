/**
 * The smallest JSON value a JSON Schema accepts, for the built-in provider's tool arguments and
 * structured answers: required properties only, the first of an enum, `const`, the first branch
 * of anyOf/oneOf, local `$ref`s, minimum lengths and bounds, a few string formats. Patterns and
 * cross-field rules are not solved. Bounded: at most {@link MAX_NODES} schema nodes and
 * {@link MAX_DEPTH} levels are visited, whatever the client sent (a `$ref` cycle included).
 */
export function schemaExample(schema: unknown, text: string): unknown {
  const budget = { nodes: MAX_NODES };
  return example(schema, { root: schema, text, budget }, 0);
}

const MAX_NODES = 2_000;
const MAX_DEPTH = 24;
const MAX_ITEMS = 16;
const MAX_STRING = 1024;

const FORMATS: Record<string, string> = {
  'date-time': '1970-01-01T00:00:00Z',
  date: '1970-01-01',
  time: '00:00:00Z',
  email: 'user@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
  hostname: 'example.com',
  ipv4: '127.0.0.1',
};

interface Walk {
  root: unknown;
  text: string;
  budget: { nodes: number };
}
type Schema = Record<string, unknown>;

function example(node: unknown, walk: Walk, depth: number): unknown {
  if (--walk.budget.nodes < 0 || depth > MAX_DEPTH) return null;
  if (node === true || node === undefined) return walk.text;
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
  const schema = node as Schema;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0] ?? null;
  if (typeof schema.$ref === 'string')
    return example(resolve(walk.root, schema.$ref), walk, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0) {
      return example(branches[0], walk, depth + 1);
    }
  }
  const type: unknown = Array.isArray(schema.type) ? (schema.type as unknown[])[0] : schema.type;
  switch (type ?? (schema.properties ? 'object' : schema.items ? 'array' : 'string')) {
    case 'object':
      return objectOf(schema, walk, depth);
    case 'array': {
      const count = Math.min(MAX_ITEMS, bound(schema.minItems) ?? 0);
      return Array.from({ length: count }, () => example(schema.items, walk, depth + 1));
    }
    case 'string':
      return stringOf(schema, walk.text);
    case 'integer':
    case 'number':
      return numberOf(schema, type === 'integer');
    case 'boolean':
      return true;
    default:
      return null;
  }
}

function objectOf(schema: Schema, walk: Walk, depth: number): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const required = Array.isArray(schema.required) ? schema.required : [];
  const result: Record<string, unknown> = {};
  for (const name of required) {
    if (typeof name !== 'string' || walk.budget.nodes < 0) continue;
    result[name] = example(
      Object.hasOwn(properties, name) ? properties[name] : true,
      walk,
      depth + 1,
    );
  }
  return result;
}

function stringOf(schema: Schema, text: string): string {
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  if (format) return format;
  const min = Math.min(MAX_STRING, bound(schema.minLength) ?? 0);
  const max = bound(schema.maxLength) ?? Infinity;
  const value = Array.from(text).slice(0, Math.min(max, MAX_STRING)).join('');
  return value.length >= min ? value : value + 'x'.repeat(min - value.length);
}

function numberOf(schema: Schema, integer: boolean): number {
  const min =
    num(schema.minimum) ?? (num(schema.exclusiveMinimum) ?? -Infinity) + (integer ? 1 : 0.5);
  const max =
    num(schema.maximum) ?? (num(schema.exclusiveMaximum) ?? Infinity) - (integer ? 1 : 0.5);
  const value = Math.min(Math.max(0, min), max);
  return integer ? Math.ceil(value) : value;
}

/** A local reference (`#/$defs/x`, `#/definitions/x`); anything else is unknown. */
function resolve(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node = root;
  for (const part of ref.slice(1).split('/').slice(1, 8)) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Schema)[key];
  }
  return node;
}

function bound(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
