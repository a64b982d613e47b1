import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
// The router alone: the package's index loads an ESM-only dependency through require().
import type { Document } from 'openapi-backend';
import { OpenAPIRouter } from 'openapi-backend/router.js';

/** One HTTP exchange as a test saw it: enough to judge it against the document. */
export interface Exchange {
  method: string;
  /** Path with its query string, e.g. `/queries?limit=5`. */
  url: string;
  /** Request headers the client sent (lower-case names); only a few matter here. */
  requestHeaders?: Record<string, string | undefined>;
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the media type is JSON, else the text (undefined for binary bodies). */
  body: unknown;
}

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
}
interface Header {
  required?: boolean;
  schema?: Schema;
  $ref?: string;
}
interface Response {
  content?: Record<string, MediaType>;
  headers?: Record<string, Header>;
}
interface Operation {
  responses: Record<string, Response>;
}

/** Request id of the check's own GET /openapi.json, so log assertions can leave it out. */
export const CONTRACT_CHECK_REQUEST_ID = 'openapi-contract-check';

const PROBLEM_SCHEMA = '#/components/schemas/ProblemDetailsDto';
const SCHEMA_ID = 'openapi:components';

/**
 * Judges responses against a served OpenAPI 3.0 document: the status must be declared for the
 * operation, the media type declared for that status, declared headers present and valid, and
 * the body valid against the declared schema. Object schemas are closed while checking (a
 * field the document does not declare is drift too). Requests that match no operation must be
 * 404/405 problem documents. openapi-backend finds the operation; Ajv checks the schemas.
 */
export class OpenApiContract {
  private readonly router: OpenAPIRouter;
  private readonly ajv = new Ajv({ allErrors: true, strict: false, discriminator: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: Document) {
    this.router = new OpenAPIRouter({ definition: document });
    // ajv-formats is CommonJS: its function is the default export's default.
    const addFormats = formats.default;
    addFormats(this.ajv);
    const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
    const closed = Object.fromEntries(
      Object.entries(schemas).map(([name, schema]) => [name, closeObjects(schema)]),
    );
    this.ajv.addSchema(localise({ $id: SCHEMA_ID, definitions: closed }), SCHEMA_ID);
  }

  /** Every way `exchange` departs from the document; empty when it conforms. */
  check(exchange: Exchange): string[] {
    const [path, query = ''] = exchange.url.split('?');
    const method = exchange.method.toLowerCase();
    const operation = this.router.matchOperation({
      method: method === 'head' ? 'get' : method,
      path,
      query,
      headers: {},
    }) as (Operation & { method: string; path: string }) | undefined;
    const where = `${exchange.method} ${path} → ${exchange.status}`;
    if (!operation) return this.checkUnmatched(exchange, where);

    const response = operation.responses[String(exchange.status)];
    if (!response) {
      return [
        `${where}: status not declared for ${operation.method.toUpperCase()} ${operation.path} (declared: ${Object.keys(operation.responses).join(', ')})`,
      ];
    }
    const key = `${operation.method} ${operation.path} ${exchange.status}`;
    return [
      ...this.checkHeaders(response, exchange, where),
      ...this.checkContent(response, exchange, where, key),
    ];
  }

  private checkUnmatched(exchange: Exchange, where: string): string[] {
    if (exchange.status !== 404 && exchange.status !== 405) {
      return [`${where}: no operation is declared for this method and path`];
    }
    const problems: string[] = [];
    const type = mediaType(exchange.headers['content-type']);
    if (
      exchange.url === '/v1' ||
      exchange.url.startsWith('/v1/') ||
      exchange.url.startsWith('/v1?')
    ) {
      return this.checkUnmatchedOpenAi(exchange, where, type);
    }
    if (type !== 'application/problem+json') {
      problems.push(`${where}: an unknown route must answer a problem document, not ${type}`);
    }
    if (!exchange.headers['x-request-id']) problems.push(`${where}: X-Request-Id is missing`);
    return [
      ...problems,
      ...this.validate(PROBLEM_SCHEMA, { $ref: PROBLEM_SCHEMA }, exchange.body, where),
    ];
  }

  /** The OpenAI-compatible face answers unknown routes with OpenAI's error body instead. */
  private checkUnmatchedOpenAi(exchange: Exchange, where: string, type: string): string[] {
    const problems: string[] = [];
    if (type !== 'application/json') {
      problems.push(`${where}: an unknown /v1 route must answer an OpenAI error, not ${type}`);
    }
    if (!exchange.headers['x-request-id']) problems.push(`${where}: X-Request-Id is missing`);
    if (exchange.status === 405 && !exchange.headers.allow) problems.push(`${where}: no Allow`);
    const error = (exchange.body as { error?: Record<string, unknown> } | undefined)?.error;
    const fields = ['message', 'type', 'param', 'code'];
    if (!error || typeof error.message !== 'string' || !fields.every((f) => f in error)) {
      problems.push(`${where}: the body is not {"error": {message, type, param, code}}`);
    }
    return problems;
  }

  private checkHeaders(response: Response, exchange: Exchange, where: string): string[] {
    const problems: string[] = [];
    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      const header = this.resolveHeader(declared);
      const value = exchange.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) problems.push(`${where}: required header ${name} is missing`);
        continue;
      }
      if (header.schema) {
        const text = Array.isArray(value) ? value.join(', ') : value;
        problems.push(
          ...this.validate(
            `header ${where} ${name}`,
            header.schema,
            headerValue(text, header.schema),
            `${where}: header ${name}`,
          ),
        );
      }
    }
    return problems;
  }

  private checkContent(
    response: Response,
    exchange: Exchange,
    where: string,
    key: string,
  ): string[] {
    const declared = response.content ?? {};
    const raw = exchange.headers['content-type'];
    if (Object.keys(declared).length === 0) {
      const empty =
        exchange.body === undefined || exchange.body === '' || isEmptyObject(exchange.body);
      return empty ? [] : [`${where}: a body was sent but none is declared`];
    }
    if (exchange.method.toUpperCase() === 'HEAD') return [];
    const type = mediaType(raw);
    const media = declared[type];
    if (!media) {
      return [
        `${where}: media type ${type} not declared (declared: ${Object.keys(declared).join(', ')})`,
      ];
    }
    if (!media.schema || exchange.body === undefined) return [];
    return this.validate(`${key} ${type}`, media.schema, exchange.body, where);
  }

  private resolveHeader(header: Header): Header {
    if (!header.$ref) return header;
    const name = header.$ref.split('/').pop() ?? '';
    return ((this.document.components?.headers ?? {}) as Record<string, Header>)[name] ?? {};
  }

  private validate(key: string, schema: Schema, value: unknown, where: string): string[] {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(localise(closeObjects(schema)));
      this.validators.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${where}: body${e.instancePath} ${e.message ?? 'is invalid'}${extra(e.params)}`,
    );
  }
}

/** `type/subtype` of a Content-Type header, lower-cased, without parameters. */
export function mediaType(value: string | string[] | undefined): string {
  const first = Array.isArray(value) ? value[0] : value;
  return (first ?? '').split(';')[0].trim().toLowerCase();
}

// A header is text; a numeric schema describes the number it spells (OpenAPI's `simple` style).
// Text that is not a plain number stays text, so the schema rejects it.
function headerValue(text: string, schema: Schema): unknown {
  const numeric = schema.type === 'integer' || schema.type === 'number';
  return numeric && /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function extra(params: Record<string, unknown>): string {
  const name = params.additionalProperty ?? params.allowedValues ?? params.format;
  return name === undefined ? '' : ` (${JSON.stringify(name)})`;
}

// Component references point into the schema registered under SCHEMA_ID.
function localise<T>(schema: T): T {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${SCHEMA_ID}#/definitions/`),
  ) as T;
}

// Objects that list their properties and say nothing about others get no others.
function closeObjects(schema: Schema): Schema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const copy = Object.fromEntries(
      Object.entries(node as Schema).map(([k, v]) => [k, k === 'example' ? v : walk(v)]),
    );
    const composed = 'allOf' in copy || 'anyOf' in copy || 'oneOf' in copy;
    if ('properties' in copy && !('additionalProperties' in copy) && !composed) {
      copy.additionalProperties = false;
    }
    return copy;
  };
  return walk(schema) as Schema;
}
