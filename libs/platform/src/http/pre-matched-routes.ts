import finalhandler from 'finalhandler';
import type { IncomingMessage, ServerResponse } from 'node:http';

type Next = (error?: unknown) => void;

/** The parts of Express's router this reads (express 5, router 2). */
interface RouterLayer {
  handle: (...args: never[]) => unknown;
  route?: RouterRoute;
  match(path: string): { params: Record<string, unknown>; path: string } | false;
  handleRequest(req: IncomingMessage, res: ServerResponse, next: Next): void;
  handleError(error: unknown, req: IncomingMessage, res: ServerResponse, next: Next): void;
}
interface RouterRoute {
  path: string;
  methods: Record<string, boolean>;
  _handlesMethod(method: string): boolean;
}
/** The Express application, as far as dispatching a request goes. */
export interface DispatchingApp {
  router: { stack: RouterLayer[]; params: Record<string, unknown> };
  request: object;
  response: object;
  enabled(setting: string): boolean;
  get(setting: string): unknown;
}

/** One layer of a pre-matched chain, with the params the router would set before calling it. */
interface Step {
  /** A middleware, or a route (whose `dispatch` runs the route's own handlers). */
  layer: RouterLayer;
  /** Where the layer is in the router's stack: a request rewritten on the way resumes after it. */
  stackIndex: number;
  params: Record<string, unknown>;
  /**
   * The part of the path a middleware mounted on a pattern (`app.use('{*path}', fn)`) is matched
   * on: the router strips it from `req.url` into `req.baseUrl` while that middleware runs.
   */
  mountedOn: string;
}

type RoutedRequest = IncomingMessage & {
  res?: ServerResponse;
  next?: Next;
  params?: Record<string, unknown>;
  baseUrl?: string;
  originalUrl?: string;
};

const NO_PARAMS: Record<string, unknown> = Object.freeze({});

/**
 * The Express router's decisions for the routes with a fixed path (`POST /query`, `GET /health`,
 * `POST /v1/chat/completions`…), made once: the router would match every layer's path against
 * every such request, merge params and wrap `next` at each layer to arrive at the same chain of
 * layers each time. Here the chain is found once per method and path, by the router's own
 * matching, when the first request arrives (the app's routes are all registered by then), and
 * each such request runs through it directly: each layer is called through the router's own
 * `handleRequest` / `handleError` (its promise handling and tracing), with what the router sets
 * on the way (`req.params`, `req.next`, `req.baseUrl`, `req.originalUrl`, and `req.url` and
 * `req.baseUrl` as a middleware mounted on a path sees them; a route's own dispatch sets
 * `req.route`), its error flow, and Express's final handler when nothing answers. A middleware
 * that changes the method or the path sends the rest of the request through the router's
 * matching again. Any other request goes through Express.
 */
export class PreMatchedRoutes {
  private chains: Map<string, Step[]> | undefined;
  private builtFor = -1;

  constructor(private readonly app: DispatchingApp) {}

  /** Runs the request through its chain and returns true, or returns false (Express's turn). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = pathOf(req.url ?? '');
    const chain = this.chainsNow().get(`${req.method} ${path}`);
    if (chain === undefined) return false;
    // What Express's app.handle does before its router runs.
    const app = this.app;
    if (app.enabled('x-powered-by')) res.setHeader('X-Powered-By', 'Express');
    const request = req as RoutedRequest;
    request.res = res;
    (res as ServerResponse & { req: IncomingMessage }).req = req;
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    const locals = res as ServerResponse & { locals?: object };
    locals.locals ??= Object.create(null) as object;
    request.baseUrl = '';
    request.originalUrl ??= req.url;
    new ChainRun(app, chain, request, res).start();
    return true;
  }

  private chainsNow(): Map<string, Step[]> {
    // Built on first use, and again should a layer ever be added after that.
    const stack = this.app.router.stack;
    if (this.chains === undefined || this.builtFor !== stack.length) {
      // `router.param` callbacks run as params are matched: none is used, else the router's.
      const hasParamCallbacks = Object.keys(this.app.router.params).length > 0;
      this.chains = hasParamCallbacks ? new Map() : buildChains(stack);
      this.builtFor = stack.length;
    }
    return this.chains;
  }
}

/** One request on its way through a chain: the router's `next`, for a list decided in advance. */
class ChainRun {
  private index = 0;
  private removed = '';
  private slashAdded = false;
  private method: string | undefined;
  private url: string | undefined;
  readonly next: Next = (error) => this.advance(error);

  constructor(
    private readonly app: DispatchingApp,
    private chain: Step[],
    private readonly req: RoutedRequest,
    private readonly res: ServerResponse,
  ) {
    this.method = req.method;
    this.url = req.url;
  }

  start(): void {
    this.req.next = this.next;
    this.advance(undefined);
  }

  private advance(error: unknown): void {
    this.restore();
    if (error === 'router') return void setImmediate(() => this.done(undefined));
    // As the router: only a truthy value is an error ('route' ends a route's own dispatch).
    const failure = error === 'route' ? undefined : error;
    if (failure) return this.fail(failure);
    if (!this.replanIfRewritten()) return;
    const step = this.chain[this.index++];
    if (step === undefined) return void setImmediate(() => this.done(undefined));
    this.enter(step);
    step.layer.handleRequest(this.req, this.res, this.next);
  }

  /** Past a failure only error-handling middleware runs; routes are skipped, as the router does. */
  private fail(error: unknown): void {
    if (!this.replanIfRewritten()) return;
    while (this.index < this.chain.length) {
      const step = this.chain[this.index++];
      if (step.layer.route) continue;
      this.enter(step);
      return step.layer.handleError(error, this.req, this.res, this.next);
    }
    setImmediate(() => this.done(error));
  }

  /**
   * A middleware changed the method or the path: the router would match the layers after it
   * against the new ones, so the rest of the chain is found again from there. False when that
   * matching itself failed (the request has then been sent on to the error handlers).
   */
  private replanIfRewritten(): boolean {
    // The URL as the chain was found for (restored after each mount): a string comparison.
    if (this.req.method === this.method && this.req.url === this.url) return true;
    this.url = this.req.url;
    const from = this.index === 0 ? 0 : this.chain[this.index - 1].stackIndex + 1;
    this.index = 0;
    this.method = this.req.method;
    try {
      const path = pathOf(this.url ?? '');
      this.chain = chainFor(this.app.router.stack, this.req.method ?? '', path, from);
    } catch (error) {
      this.chain = [];
      setImmediate(() => this.done(error));
      return false;
    }
    return true;
  }

  private enter(step: Step): void {
    const req = this.req;
    req.params = step.params === NO_PARAMS ? {} : { ...step.params };
    if (step.mountedOn.length === 0) return;
    this.removed = step.mountedOn;
    req.url = (req.url ?? '').slice(this.removed.length);
    if (req.url[0] !== '/') {
      req.url = `/${req.url}`;
      this.slashAdded = true;
    }
    req.baseUrl = this.removed.endsWith('/') ? this.removed.slice(0, -1) : this.removed;
  }

  /** As the router does at every `next`: the URL as it was before the last middleware's mount. */
  private restore(): void {
    const req = this.req;
    if (this.slashAdded) {
      const url = req.url ?? '';
      if (url === '/' || url.startsWith('/?') || (this.removed.endsWith('/') && url[0] === '/')) {
        req.url = url.slice(1);
      }
      this.slashAdded = false;
    }
    if (this.removed.length !== 0) {
      req.baseUrl = '';
      req.url = this.removed + (req.url ?? '');
      this.removed = '';
    }
  }

  /** Nothing answered: Express's final handler, as its app.handle would call it. */
  private done(error: unknown): void {
    const env = this.app.get('env');
    finalhandler(this.req, this.res, {
      env: typeof env === 'string' ? env : undefined,
      // Express's own: the error on stderr, except in its test environment.
      onerror: (err: unknown) => {
        if (env !== 'test') console.error(err);
      },
    })(error);
  }
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** A chain for every method of every route whose path has no parameter. */
function buildChains(stack: RouterLayer[]): Map<string, Step[]> {
  const chains = new Map<string, Step[]>();
  for (const layer of stack) {
    const route = layer.route;
    if (!route || typeof route.path !== 'string' || !isFixed(route.path)) continue;
    for (const method of Object.keys(route.methods)) {
      if (method === '_all') continue;
      const verb = method.toUpperCase();
      const key = `${verb} ${route.path}`;
      if (chains.has(key)) continue;
      try {
        chains.set(key, chainFor(stack, verb, route.path, 0));
      } catch {
        // A layer whose matching throws on this path: left to the router.
      }
    }
  }
  return chains;
}

/** A path the router matches literally: no parameter, wildcard, optional part or escape. */
function isFixed(path: string): boolean {
  return path.startsWith('/') && !/[:*{}()\\%?+]/.test(path);
}

/** The layers the router would run for `method path`, in order, from `stack[from]` on. */
function chainFor(stack: RouterLayer[], method: string, path: string, from: number): Step[] {
  const chain: Step[] = [];
  for (let stackIndex = from; stackIndex < stack.length; stackIndex++) {
    const layer = stack[stackIndex];
    const match = layer.match(path);
    if (!match) continue;
    const params = Object.keys(match.params).length === 0 ? NO_PARAMS : match.params;
    if (layer.route) {
      if (layer.route._handlesMethod(method)) {
        chain.push({ layer, stackIndex, params, mountedOn: '' });
      }
      continue;
    }
    // The router passes over a middleware whose mount path does not end at a `/` of this path.
    const mountedOn = match.path;
    const after = path[mountedOn.length];
    if (!path.startsWith(mountedOn) || (after !== undefined && after !== '/')) continue;
    chain.push({ layer, stackIndex, params, mountedOn });
  }
  return chain;
}
