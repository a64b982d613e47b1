import { afterEach, describe, expect, it } from '@jest/globals';
import { ExpressAdapter } from '@nestjs/platform-express';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PreMatchedRoutes, type DispatchingApp } from './pre-matched-routes.js';

type Req = IncomingMessage & Record<string, unknown>;
type Res = ServerResponse & { json(body: unknown): void; status(code: number): Res };
type Fn = (...args: never[]) => unknown;
type App = DispatchingApp &
  ((req: IncomingMessage, res: ServerResponse) => void) & {
    use(...args: unknown[]): App;
    get(path: string, ...handlers: Fn[]): App;
    post(path: string, ...handlers: Fn[]): App;
    delete(path: string, ...handlers: Fn[]): App;
    all(path: string, ...handlers: Fn[]): App;
    param(name: string, fn: Fn): App;
    disable(setting: string): App;
    set(setting: string, value: unknown): App;
  };

/** What a handler saw of the router's doing: the same on both paths, or the test fails. */
function seen(req: Req) {
  const route = req.route as { path?: string } | undefined;
  return {
    params: req.params,
    route: route?.path,
    baseUrl: req.baseUrl,
    originalUrl: req.originalUrl,
    url: req.url,
    trail: req.trail,
    mounted: req.mounted,
  };
}

/** An app with middleware, a middleware route for all paths, fixed and parameterised routes. */
function sampleApp(): App {
  const app = new ExpressAdapter().getInstance<App>();
  app.disable('x-powered-by');
  // Express's final handler shows the error's stack in its page outside production.
  app.set('env', 'production');
  const mark = (name: string) => (req: Req, _res: Res, next: () => void) => {
    req.trail = [...((req.trail as string[] | undefined) ?? []), name];
    next();
  };
  app.use(mark('first'));
  app.use((req: Req, _res: Res, next: () => void) => {
    if (req.url === '/old') req.url = '/new';
    if (req.headers['x-http-method-override'] === 'DELETE') req.method = 'DELETE';
    next();
  });
  app.all('{/*splat}', mark('all-paths'));
  // Mounted middleware sees the URL without its mount path, which the router keeps in baseUrl.
  const mounted = (name: string) => (req: Req, _res: Res, next: () => void) => {
    req.mounted = [...((req.mounted as unknown[] | undefined) ?? []), [name, req.url, req.baseUrl]];
    next();
  };
  app.use('{*path}', mounted('everywhere'));
  app.use('/mounted', mounted('prefix'));
  app.get('/health', mark('health-1'), (req: Req, res: Res) => res.json(seen(req)));
  app.post('/query', (req: Req, res: Res) => res.json(seen(req)));
  app.get('/items/:id', (req: Req, res: Res) => res.json(seen(req)));
  app.get('/mounted/x', (req: Req, res: Res) => res.json(seen(req)));
  app.get(
    '/skip',
    (_req: Req, _res: Res, next: (e?: unknown) => void) => next('route'),
    () => {
      throw new Error('the rest of a route is skipped by next("route")');
    },
  );
  app.get('/skip', (req: Req, res: Res) => res.json({ ...seen(req), skipped: true }));
  app.get('/throws', () => {
    throw new Error('handler threw');
  });
  app.get('/rejects', () => Promise.reject(new Error('handler rejected')));
  app.get('/falls-through', (_req: Req, _res: Res, next: () => void) => next());
  app.get('/leaves-router', (_req: Req, _res: Res, next: (e?: unknown) => void) => next('router'));
  app.get('/null-is-no-error', (_req: Req, _res: Res, next: (e?: unknown) => void) => next(null));
  app.get('/null-is-no-error', (req: Req, res: Res) => res.json(seen(req)));
  app.get('/teapot', (_req: Req, _res: Res, next: (e?: unknown) => void) =>
    next(Object.assign(new Error('passed on'), { status: 418, expose: true })),
  );
  // A rewrite and a method override: the router matches what follows against the new request.
  app.get('/old', (_req: Req, res: Res) => res.json({ served: 'old' }));
  app.get('/new', (req: Req, res: Res) => res.json({ served: 'new', ...seen(req) }));
  app.delete('/resource', (req: Req, res: Res) => res.json({ served: 'delete', ...seen(req) }));
  app.post('/resource', (_req: Req, res: Res) => res.json({ served: 'post' }));
  app.use((error: Error, req: Req, res: Res, next: (e?: unknown) => void) => {
    if (error.message === 'passed on') return next(error);
    res.status(500).json({ error: error.message, ...seen(req) });
  });
  return app;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(listener: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The sample app served by Express alone, and with the pre-matched routes in front. */
async function bothWays() {
  const app = sampleApp();
  const routes = new PreMatchedRoutes(app);
  const preMatched: string[] = [];
  const viaRouter = await serve(app);
  const withRoutes = await serve((req, res) => {
    const url = `${req.method} ${req.url}`;
    if (routes.handle(req, res)) preMatched.push(url);
    else app(req, res);
  });
  return { viaRouter, withRoutes, preMatched };
}

async function answer(base: string, method: string, path: string, headers = {}) {
  const response = await fetch(base + path, { method, headers });
  const sent = Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'));
  return { status: response.status, headers: sent, body: await response.text() };
}

describe('PreMatchedRoutes', () => {
  const cases: [string, string][] = [
    ['GET', '/health'],
    ['GET', '/health?probe=1'],
    ['POST', '/query'],
    ['GET', '/skip'],
    ['GET', '/throws'],
    ['GET', '/rejects'],
    ['GET', '/items/7'],
    ['GET', '/mounted/x'],
    ['GET', '/mounted/x?q=1'],
    ['GET', '/missing'],
    ['PUT', '/query'],
    ['HEAD', '/health'],
    ['GET', '/falls-through'],
    ['GET', '/leaves-router'],
    ['GET', '/null-is-no-error'],
    ['GET', '/teapot'],
    ['GET', '/old'],
  ];

  it.each(cases)('answers %s %s exactly as the router does', async (method, path) => {
    const { viaRouter, withRoutes } = await bothWays();
    const expected = await answer(viaRouter, method, path);
    expect(await answer(withRoutes, method, path)).toEqual(expected);
  });

  it('takes the fixed-path routes, and leaves parameters and other methods to Express', async () => {
    const { withRoutes, preMatched } = await bothWays();
    for (const [method, path] of cases) await answer(withRoutes, method, path);
    expect(preMatched).toEqual([
      'GET /health',
      'GET /health?probe=1',
      'POST /query',
      'GET /skip',
      'GET /throws',
      'GET /rejects',
      'GET /mounted/x',
      'GET /mounted/x?q=1',
      'GET /falls-through',
      'GET /leaves-router',
      'GET /null-is-no-error',
      'GET /teapot',
      'GET /old',
    ]);
  });

  it('runs the middleware and the route as the router would, error handler included', async () => {
    const { withRoutes } = await bothWays();
    expect(JSON.parse((await answer(withRoutes, 'GET', '/health?probe=1')).body)).toEqual({
      params: {},
      route: '/health',
      baseUrl: '',
      originalUrl: '/health?probe=1',
      url: '/health?probe=1',
      trail: ['first', 'all-paths', 'health-1'],
      mounted: [['everywhere', '/?probe=1', '/health']],
    });
    expect(JSON.parse((await answer(withRoutes, 'GET', '/mounted/x?q=1')).body)).toMatchObject({
      url: '/mounted/x?q=1',
      baseUrl: '',
      mounted: [
        ['everywhere', '/?q=1', '/mounted/x'],
        ['prefix', '/x?q=1', '/mounted'],
      ],
    });
    const failed = await answer(withRoutes, 'GET', '/rejects');
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body)).toMatchObject({ error: 'handler rejected' });
  });

  it('matches again after a middleware rewrites the path or overrides the method', async () => {
    const { viaRouter, withRoutes, preMatched } = await bothWays();
    const rewritten = await answer(withRoutes, 'GET', '/old');
    expect(JSON.parse(rewritten.body)).toMatchObject({ served: 'new', route: '/new', url: '/new' });
    const override = { 'x-http-method-override': 'DELETE' };
    const overridden = await answer(withRoutes, 'POST', '/resource', override);
    expect(overridden).toEqual(await answer(viaRouter, 'POST', '/resource', override));
    expect(JSON.parse(overridden.body)).toMatchObject({ served: 'delete' });
    expect(preMatched).toEqual(['GET /old', 'POST /resource']);
  });

  it("ends in Express's final handler when nothing answers, with the error's status", async () => {
    const { withRoutes } = await bothWays();
    expect((await answer(withRoutes, 'GET', '/falls-through')).status).toBe(404);
    expect((await answer(withRoutes, 'GET', '/teapot')).status).toBe(418);
  });

  it('pre-matches nothing when the router has param callbacks', async () => {
    const app = sampleApp();
    app.param('id', (_req: Req, _res: Res, next: () => void) => next());
    const routes = new PreMatchedRoutes(app);
    const base = await serve((req, res) => {
      if (!routes.handle(req, res)) app(req, res);
    });
    expect((await answer(base, 'GET', '/health')).status).toBe(200);
    const req = { method: 'GET', url: '/health' } as IncomingMessage;
    expect(routes.handle(req, {} as ServerResponse)).toBe(false);
  });

  it('sees a route added after the first request', async () => {
    const app = sampleApp();
    const routes = new PreMatchedRoutes(app);
    const late = { method: 'GET', url: '/late' } as IncomingMessage;
    expect(routes.handle(late, {} as ServerResponse)).toBe(false);
    app.get('/late', (req: Req, res: Res) => res.json(seen(req)));
    const taken: string[] = [];
    const base = await serve((req, res) => {
      if (routes.handle(req, res)) taken.push(req.url ?? '');
      else app(req, res);
    });
    const viaRouter = await serve(app);
    expect(await answer(base, 'GET', '/late')).toEqual(await answer(viaRouter, 'GET', '/late'));
    expect(taken).toEqual(['/late']);
  });
});
