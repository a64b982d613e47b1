import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import request from 'supertest';
import { OpenApiContract, type Exchange } from './support/openapi-contract.js';
import { ServiceProcess } from './support/service-process.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking a JSON document
type Doc = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operations(doc: Doc): [string, Doc][] {
  return Object.entries(doc.paths as Doc).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m): [string, Doc] => [`${m} ${path}`, item[m] as Doc]),
  );
}

/** The served document tells the truth, and the check every suite runs would catch a lie. */
describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Doc;
  beforeAll(async () => {
    t = await createTestApp();
    doc = (await request(t.server).get('/openapi.json').expect(200)).body;
  });
  afterAll(() => t.close());

  it('declares every error as a problem document with an example of its own status', () => {
    for (const [name, op] of operations(doc)) {
      expect(op.responses['500']).toBeDefined();
      for (const [status, response] of Object.entries(op.responses as Doc)) {
        expect(response.headers['X-Request-Id']).toEqual({
          $ref: '#/components/headers/X-Request-Id',
        });
        // /ready answers 503 with its readiness body, as existing clients expect.
        if (Number(status) < 400 || (name === 'get /ready' && status === '503')) continue;
        // /v1 answers every error in OpenAI's shape (the SDKs read it), the access layer's too.
        if (name.includes(' /v1/')) {
          expect([name, Object.keys(response.content)]).toEqual([name, ['application/json']]);
          expect(response.content['application/json'].schema.required).toEqual(['error']);
          continue;
        }
        expect([name, Object.keys(response.content)]).toEqual([name, ['application/problem+json']]);
        expect(response.content['application/problem+json'].example.status).toBe(Number(status));
      }
    }
    expect(doc.paths['/queries/{id}'].get.responses['404']).toBeDefined();
    for (const [name, op] of operations(doc).filter(([n]) => n.includes(' /admin/'))) {
      expect([name, op.security]).toEqual([name, [{ 'admin-bearer': [] }]]);
      for (const status of ['400', '401', '403', '404']) expect(op.responses[status]).toBeDefined();
    }
    expect(doc.paths['/admin/keys'].post.responses['409']).toBeDefined();
  });

  it('types integers as integers and states bounds, formats and closed bodies', () => {
    const { schemas } = doc.components;
    expect(schemas.CreateQueryDto.properties.max_tokens.type).toBe('integer');
    expect(schemas.CreateQueryDto.additionalProperties).toBe(false);
    expect(schemas.QueryResponseDto.properties.tokens_used.type).toBe('integer');
    expect(schemas.QueryResponseDto.properties.id.format).toBe('uuid');
    const list = doc.paths['/queries'].get.parameters as Doc[];
    expect(list.find((p) => p.name === 'limit')?.schema.type).toBe('integer');
    expect(list.find((p) => p.name === 'cursor')?.schema.maxLength).toBe(256);
    const get = doc.paths['/queries/{id}'].get.parameters as Doc[];
    expect(get.find((p) => p.name === 'id')?.schema.format).toBe('uuid');
    expect(doc.components.headers['X-Request-Id'].schema.maxLength).toBe(128);
  });

  it('declares API keys as opaque bearer tokens or an X-API-Key header, not as JWTs', () => {
    expect(doc.components.securitySchemes).toEqual({
      'admin-bearer': { type: 'http', scheme: 'bearer', description: expect.any(String) },
      'api-key-bearer': {
        type: 'http',
        scheme: 'bearer',
        description: expect.any(String),
      },
      'api-key-header': {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description: expect.any(String),
      },
    });
  });

  it('describes /metrics as text, with the JSON summary as a second media type', () => {
    const content = doc.paths['/metrics'].get.responses['200'].content;
    expect(content['text/plain'].schema).toEqual({ type: 'string' });
    expect(content['application/json'].schema.$ref).toMatch(/MetricsSummaryDto/);
  });

  it('fills servers, license and tags, and every operation has a declared tag and an id', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(doc.info.license).toMatchObject({ name: 'MIT' });
    const tags = (doc.tags as Doc[]).map((tag) => tag.name as string);
    expect(tags).toEqual(['agent', 'openai', 'operations', 'documentation', 'admin']);
    for (const [, op] of operations(doc)) {
      expect(tags).toEqual(expect.arrayContaining(op.tags));
      expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
    }
  });

  describe('the response check', () => {
    let contract: OpenApiContract;
    const ok: Exchange = {
      method: 'POST',
      url: '/query',
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r-1' },
      body: {
        response: 'Processed: hi',
        tokens_used: 4,
        id: '0b9f4c1e-5d2a-4f43-8a8e-3c1d2e4f5a6b',
        provider: 'builtin',
        model: 'builtin-echo',
        client_id: null,
      },
    };
    const problem = { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'x' };
    beforeAll(() => {
      contract = new OpenApiContract(doc as never);
    });

    it('accepts a response the document declares', () => {
      expect(contract.check(ok)).toEqual([]);
    });

    it.each<[string, Partial<Exchange>, RegExp]>([
      ['an undeclared status', { status: 418 }, /status not declared/],
      [
        'a missing X-Request-Id',
        { headers: { 'content-type': 'application/json' } },
        /X-Request-Id/,
      ],
      ['an invalid X-Request-Id', { headers: { ...ok.headers, 'x-request-id': 'a b' } }, /pattern/],
      ['an undeclared field', { body: { ...(ok.body as object), extra: 1 } }, /extra/],
      ['a wrong field type', { body: { ...(ok.body as object), tokens_used: 1.5 } }, /integer/],
      [
        'an error sent as application/json',
        { status: 400, headers: { ...ok.headers }, body: problem },
        /media type application\/json not declared/,
      ],
      ['a 200 on an unknown route', { url: '/nope', method: 'GET' }, /no operation/],
    ])('rejects %s', (_name, change, message) => {
      const problems = contract.check({ ...ok, ...change });
      expect(problems.join('\n')).toMatch(message);
    });
  });
});

describe('every suite checks every response', () => {
  // A service whose document declares GET /x → 200 only, and which answers 418.
  const lying = createServer((req, res) => {
    res.setHeader('x-request-id', 'r-1');
    if (req.url === '/openapi.json') {
      res.setHeader('content-type', 'application/json');
      const op = { responses: { '200': { description: 'ok' } } };
      res.end(JSON.stringify({ openapi: '3.0.0', info: {}, paths: { '/x': { get: op } } }));
      return;
    }
    res.statusCode = 418;
    res.end();
  });
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => lying.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(lying.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => lying.close(() => resolve())));

  it('through supertest', async () => {
    await expect(request(url).get('/x')).rejects.toThrow(/GET \/x → 418: status not declared/);
  });

  it('through fetch', async () => {
    await expect(fetch(`${url}/x`)).rejects.toThrow(/GET \/x → 418: status not declared/);
  });
});

describe('/docs and /openapi.json go through the request pipeline', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answer with a request id, and are counted under their own routes', async () => {
    for (const path of ['/openapi.json', '/docs', '/docs/swagger-ui-init.js']) {
      const res = await request(t.server).get(path).set('X-Request-Id', `docs-${path.length}`);
      expect([path, res.status, res.headers['x-request-id']]).toEqual([
        path,
        200,
        `docs-${path.length}`,
      ]);
    }
    const metrics = (await request(t.server).get('/metrics')).text;
    for (const route of ['/openapi.json', '/docs', '/docs/:file'])
      expect(metrics).toContain(`route="${route}",status="200"`);
  });

  it('serve Swagger UI and its files, relative to /docs and to /docs/', async () => {
    expect((await request(t.server).get('/docs')).text).toContain(
      'src="docs/swagger-ui-bundle.js"',
    );
    expect((await request(t.server).get('/docs/')).text).toContain('src="./swagger-ui-bundle.js"');
    const bundle = await request(t.server).get('/docs/swagger-ui-bundle.js').expect(200);
    expect(bundle.headers['content-type']).toMatch(/^text\/javascript/);
    const css = await request(t.server).get('/docs/swagger-ui.css').expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    const missing = await request(t.server).get('/docs/package.json').expect(404);
    expect(missing.body.detail).toBe('No such file');
  });

  it('log one line each, at info, with route and request id (built service)', async () => {
    const service = await ServiceProcess.start({ LOG_LEVEL: 'info' });
    try {
      await service.waitUntilLive();
      await (
        await fetch(`${service.url}/openapi.json`, { headers: { 'x-request-id': 'doc-1' } })
      ).text();
      await (await fetch(`${service.url}/docs`, { headers: { 'x-request-id': 'doc-2' } })).text();
      await service.waitForLog('"doc-2"');
      const lines = service.logs().filter((l) => String(l.requestId).startsWith('doc-'));
      expect(lines.map((l) => [l.requestId, l.level, l.route])).toEqual([
        ['doc-1', 30, '/openapi.json'],
        ['doc-2', 30, '/docs'],
      ]);
    } finally {
      await service.stop();
    }
  });
});
