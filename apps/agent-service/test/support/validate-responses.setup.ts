// Loaded by Jest before every end-to-end and integration suite (setupFilesAfterEnv): every
// response a test receives, through supertest or fetch, is checked against the OpenAPI document
// the same service serves at /openapi.json. A status, media type, header or body the document
// does not declare fails the request, and so the test, with the list of differences.
import request from 'supertest';
import {
  CONTRACT_CHECK_REQUEST_ID,
  OpenApiContract,
  mediaType,
  type Exchange,
} from './openapi-contract.js';

type Document = ConstructorParameters<typeof OpenApiContract>[0];

// CORS preflights belong to the CORS protocol, not to the API: OpenAPI does not describe them.
const UNCHECKED_METHODS = new Set(['OPTIONS']);
const SKIP = Symbol('skip contract check');

function fail(problems: string[]): Error {
  return new Error(
    `Response does not match the served OpenAPI document:\n  - ${problems.join('\n  - ')}`,
  );
}

function bodyOf(type: string, json: () => unknown, text: () => string | undefined): unknown {
  if (type === 'application/json' || type.endsWith('+json')) return json();
  if (type.startsWith('text/') || type.endsWith('javascript')) return text();
  return undefined; // binary: status, media type and headers are still checked
}

// ---- a service that serves no document (DOCS_ENABLED=false) ----------------------------------

let reference: Promise<OpenApiContract> | undefined;

/**
 * The document the same code builds with default settings, without the documentation routes the
 * service under test does not serve (a request to them must then be an ordinary 404). Built
 * in-process, once per test file, only when a service answers 404 for /openapi.json.
 */
function referenceContract(): Promise<OpenApiContract> {
  reference ??= (async () => {
    const { referenceOpenApiDocument } = await import('./reference-openapi-document.js');
    const document = await referenceOpenApiDocument();
    const paths = document.paths as Record<string, Record<string, { tags?: string[] }>>;
    for (const [path, item] of Object.entries(paths)) {
      const served = Object.values(item).some((op) => !op.tags?.includes('documentation'));
      if (!served) delete document.paths[path];
    }
    return new OpenApiContract(document as unknown as Document);
  })();
  return reference;
}

// ---- supertest (in-process apps) --------------------------------------------------------------

const contracts = new WeakMap<object, Promise<OpenApiContract>>();
const urlContracts = new Map<string, Promise<OpenApiContract>>();

interface PatchedTest {
  app: object | string;
  method: string;
  url: string;
  [SKIP]?: boolean;
}
type Assert = (this: PatchedTest, error: unknown, res: request.Response, fn: Callback) => void;
type Callback = (error: unknown, res?: request.Response) => void;

function contractForApp(app: object | string): Promise<OpenApiContract> {
  const load = async () => {
    const test = request(app as string)
      .get('/openapi.json')
      .set('X-Request-Id', CONTRACT_CHECK_REQUEST_ID);
    (test as unknown as PatchedTest)[SKIP] = true;
    const res = await test;
    if (res.status === 404) return referenceContract();
    if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
    return new OpenApiContract(res.body as Document);
  };
  if (typeof app === 'string') {
    const known = urlContracts.get(app) ?? load();
    urlContracts.set(app, known);
    return known;
  }
  const known = contracts.get(app) ?? load();
  contracts.set(app, known);
  return known;
}

const TestPrototype = (request as unknown as { Test: { prototype: { assert: Assert } } }).Test
  .prototype;
const originalAssert = TestPrototype.assert;
TestPrototype.assert = function (this: PatchedTest, error, res, fn) {
  if (!res || this[SKIP] || UNCHECKED_METHODS.has(this.method)) {
    originalAssert.call(this, error, res, fn);
    return;
  }
  const url = new URL(this.url);
  const type = mediaType(res.headers['content-type']);
  const exchange: Exchange = {
    method: this.method,
    url: url.pathname + url.search,
    status: res.status,
    headers: res.headers,
    body: bodyOf(
      type,
      () => res.body as unknown,
      () => res.text,
    ),
  };
  contractForApp(this.app).then(
    (contract) => {
      const problems = contract.check(exchange);
      if (problems.length) fn(fail(problems), res);
      else originalAssert.call(this, error, res, fn);
    },
    (loadError: unknown) => fn(loadError, res),
  );
};

// ---- fetch (the built service as a process) ---------------------------------------------------

const fetchContracts = new Map<string, Promise<OpenApiContract>>();
const realFetch = globalThis.fetch;

function contractForOrigin(origin: string): Promise<OpenApiContract> {
  const known =
    fetchContracts.get(origin) ??
    realFetch(`${origin}/openapi.json`, {
      headers: { 'x-request-id': CONTRACT_CHECK_REQUEST_ID },
    })
      .then(async (r) =>
        r.status === 404 ? referenceContract() : new OpenApiContract((await r.json()) as Document),
      )
      .catch((error: unknown) => {
        fetchContracts.delete(origin); // not up yet: ask again next time
        throw error;
      });
  fetchContracts.set(origin, known);
  return known;
}

globalThis.fetch = async function checkedFetch(input, init) {
  const response = await realFetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  // Only the service under test (bound to loopback by the suites) is judged.
  if (url.hostname !== '127.0.0.1' || UNCHECKED_METHODS.has(method)) return response;
  const type = mediaType(response.headers.get('content-type') ?? undefined);
  // A stream is judged by its status, media type and headers; its body may never end.
  const text = type === 'text/event-stream' ? undefined : await response.clone().text();
  const exchange: Exchange = {
    method,
    url: url.pathname + url.search,
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body:
      text === undefined
        ? undefined
        : bodyOf(
            type,
            () => JSON.parse(text) as unknown,
            () => text,
          ),
  };
  const problems = (await contractForOrigin(url.origin)).check(exchange);
  if (problems.length) throw fail(problems);
  return response;
};
