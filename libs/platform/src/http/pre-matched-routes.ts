import type { IncomingMessage, ServerResponse } from 'node:http';

type Next = (error?: unknown) => void;
type Handler = (...args: unknown[]) => unknown;

/** The parts of Express's router this reads (express 5, router 2). */
interface RouterLayer {
  handle: Handler;
  route?: RouterRoute;
  match(path: string): { params: Record<string, unknown>; path: string } | false;
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
}

/** One layer of a pre-matched chain, with the params the router would set before calling it. */
interface Step {
  /** The layer's handler: a middleware, or a route's `dispatch` (which runs its own handlers). */
  handle: Handler;
  params: Record<string, unknown>;
  isRoute: boolean;
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
 * each such request runs through it directly, with what the router sets on the way (`req.params`,
 * `req.next`, `req.baseUrl`, `req.originalUrl`; a route's own dispatch sets `req.route`) and its
 * error flow: a handler that throws, rejects or calls `next(error)` skips to the error-handling
 * middleware after it; a middleware mounted on a path sees `req.url` and `req.baseUrl` as the
 * router shows them. The layers' handlers are called as they are (tracing wraps them). Any
 * other request goes through Express.
 */
export class PreMatchedRoutes {
  private chains: Map<string, Step[]> | undefined;
  private builtFor = -1;

  constructor(private readonly app: DispatchingApp) {}

  /** Runs the request through its chain and returns true, or returns false (Express's turn). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const chain = this.chainsNow().get(`${req.method} ${query === -1 ? url : url.slice(0, query)}`);
    if (chain === undefined) return false;
    this.run(chain, req, res);
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

  private run(chain: Step[], req: RoutedRequest, res: ServerResponse): void {
    // What Express's app.handle does before its router runs.
    if (this.app.enabled('x-powered-by')) res.setHeader('X-Powered-By', 'Express');
    req.res = res;
    (res as ServerResponse & { req: IncomingMessage }).req = req;
    Object.setPrototypeOf(req, this.app.request);
    Object.setPrototypeOf(res, this.app.response);
    const locals = res as ServerResponse & { locals?: object };
    locals.locals ??= Object.create(null) as object;
    req.baseUrl = '';
    req.originalUrl ??= req.url;
    let index = 0;
    let removed = '';
    let slashAdded = false;
    // As the router does at every `next`: the URL as it was before the last middleware's mount.
    const restore = () => {
      if (slashAdded) {
        const url = req.url ?? '';
        if (url === '/' || url.startsWith('/?') || (removed.endsWith('/') && url[0] === '/')) {
          req.url = url.slice(1);
        }
        slashAdded = false;
      }
      if (removed.length !== 0) {
        req.baseUrl = '';
        req.url = removed + (req.url ?? '');
        removed = '';
      }
    };
    const enter = (step: Step) => {
      req.params = step.params === NO_PARAMS ? {} : { ...step.params };
      if (step.mountedOn.length === 0) return;
      removed = step.mountedOn;
      req.url = (req.url ?? '').slice(removed.length);
      if (req.url[0] !== '/') {
        req.url = `/${req.url}`;
        slashAdded = true;
      }
      req.baseUrl = removed.endsWith('/') ? removed.slice(0, -1) : removed;
    };
    const next: Next = (error?: unknown) => {
      restore();
      // 'route' ends a route's own dispatch, which then calls this without it.
      if (error === 'router') return void setImmediate(finish, res, undefined);
      if (error !== undefined && error !== 'route') return fail(error);
      const step = chain[index++];
      if (step === undefined) return void setImmediate(finish, res, undefined);
      // Error handlers (four parameters) are skipped on the way down, as the router does.
      if (step.handle.length > 3) return next();
      enter(step);
      invoke(() => step.handle(req, res, next), next);
    };
    // Past a failure only error-handling middleware runs; routes are skipped.
    const fail = (error: unknown) => {
      while (index < chain.length) {
        const step = chain[index++];
        if (step.isRoute || step.handle.length !== 4) continue;
        enter(step);
        return invoke(() => step.handle(error, req, res, next), next);
      }
      setImmediate(finish, res, error);
    };
    req.next = next;
    next();
  }
}

/** Calls a handler as the router's layers do: a throw or a rejection goes to `next`. */
function invoke(call: () => unknown, next: Next): void {
  try {
    const result = call();
    if (result instanceof Promise) {
      result.then(undefined, (error: unknown) => next(error ?? new Error('Rejected promise')));
    }
  } catch (error) {
    next(error);
  }
}

/**
 * Nothing answered (Express's final handler would send its own 404 or 500 page). The service's
 * stack ends in Nest's not-found and exception handlers, so this is not reached in practice.
 */
function finish(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  res.statusCode = error === undefined ? 404 : 500;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(error === undefined ? 'Not Found' : 'Internal Server Error');
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
      const chain = chainFor(stack, verb, route.path);
      if (chain) chains.set(key, chain);
    }
  }
  return chains;
}

/** A path the router matches literally: no parameter, wildcard, optional part or escape. */
function isFixed(path: string): boolean {
  return path.startsWith('/') && !/[:*{}()\\%?+]/.test(path);
}

/** The layers the router would run for `method path`, in order; undefined when it cannot tell. */
function chainFor(stack: RouterLayer[], method: string, path: string): Step[] | undefined {
  const chain: Step[] = [];
  for (const layer of stack) {
    let match: ReturnType<RouterLayer['match']>;
    try {
      match = layer.match(path);
    } catch {
      return undefined;
    }
    if (!match) continue;
    const params = Object.keys(match.params).length === 0 ? NO_PARAMS : match.params;
    const route = layer.route;
    if (route) {
      if (route._handlesMethod(method)) {
        chain.push({ handle: layer.handle, params, isRoute: true, mountedOn: '' });
      }
      continue;
    }
    // The router passes over a middleware whose mount path does not end at a `/` of this path.
    const mountedOn = match.path;
    const after = path[mountedOn.length];
    if (!path.startsWith(mountedOn) || (after !== undefined && after !== '/')) continue;
    chain.push({ handle: layer.handle, params, isRoute: false, mountedOn });
  }
  return chain;
}
