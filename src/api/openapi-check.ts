import type { Schema } from './openapi.js';

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
  components: { schemas: Record<string, Schema> };
};

/**
 * Validates a value against the JSON Schema subset the OpenAPI document uses: $ref, type (incl.
 * type arrays for nullables), enum, required, properties, additionalProperties: false, items.
 * Returns the problems found, each with its JSON path (empty when valid).
 */
export function checkSchema(doc: Doc, schema: Schema, value: unknown, path = '$'): string[] {
  if (typeof schema['$ref'] === 'string') {
    const name = schema['$ref'].replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) return [`${path}: unknown $ref ${name}`];
    return checkSchema(doc, target, value, path);
  }
  const problems: string[] = [];
  const types = schema['type'] === undefined ? undefined : ([] as string[]).concat(schema['type'] as string | string[]);
  if (types && !types.some((t) => typeMatches(t, value)))
    return [`${path}: expected ${types.join('|')}, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`];
  if (Array.isArray(schema['enum']) && !(schema['enum'] as unknown[]).includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const props = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const r of (schema['required'] ?? []) as string[]) if (!(r in o)) problems.push(`${path}.${r}: required`);
    for (const [k, v] of Object.entries(o)) {
      const ps = props[k];
      if (ps) problems.push(...checkSchema(doc, ps, v, `${path}.${k}`));
      else if (schema['additionalProperties'] === false) problems.push(`${path}.${k}: not allowed`);
    }
  }
  if (Array.isArray(value) && schema['items'])
    value.forEach((v, i) => problems.push(...checkSchema(doc, schema['items'] as Schema, v, `${path}[${i}]`)));
  return problems;
}

function typeMatches(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return false;
  }
}

/** The OpenAPI path template (`/api/alerts/{id}`) of a concrete path, or undefined. */
export function templateOf(doc: Doc, path: string): string | undefined {
  const xs = path.split('/');
  return Object.keys(doc.paths).find((t) => {
    const ts = t.split('/');
    return ts.length === xs.length && ts.every((s, i) => (s.startsWith('{') ? xs[i] !== '' : s === xs[i]));
  });
}

/** Checks one real response against the document: the path, method, status and (JSON) body schema. */
export function checkResponse(doc: Doc, method: string, path: string, status: number, contentType: string, body: unknown): string[] {
  const t = templateOf(doc, path);
  if (!t) return [`${path}: not in the OpenAPI document`];
  const op = doc.paths[t]![method.toLowerCase()];
  if (!op) return [`${method} ${t}: not in the OpenAPI document`];
  const resp = op.responses[String(status)];
  if (!resp) return [`${method} ${t}: status ${status} not documented`];
  const media = Object.keys(resp.content ?? {}).find((m) => contentType.startsWith(m));
  if (!media) return [`${method} ${t} ${status}: content type ${contentType} not documented`];
  if (!media.includes('json')) return [];
  return checkSchema(doc, resp.content![media]!.schema, body);
}
