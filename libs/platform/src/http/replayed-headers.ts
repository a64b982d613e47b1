import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';

type Middleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * The same middleware, replayed: a middleware that only sets and removes fixed headers (helmet,
 * say) is run once against a recording response, and every request then gets the recorded
 * headers directly. helmet runs a chain of a dozen small middlewares per request to arrive at
 * the same dozen fixed headers. A middleware that reads the request, touches anything else on
 * the response, or does not call `next` at once is not fixed: it is returned as it is.
 */
export function replayedHeaders(middleware: Middleware): Middleware {
  const recorded = recordHeaders(middleware);
  if (recorded === undefined) return middleware;
  const { set, removed } = recorded;
  return function fixedHeaders(_req, res, next) {
    for (let i = 0; i < set.length; i++) res.setHeader(set[i][0], set[i][1]);
    for (let i = 0; i < removed.length; i++) res.removeHeader(removed[i]);
    next();
  };
}

interface RecordedHeaders {
  set: [string, OutgoingHttpHeader][];
  removed: string[];
}

function recordHeaders(middleware: Middleware): RecordedHeaders | undefined {
  const set = new Map<string, [string, OutgoingHttpHeader]>();
  const removed = new Set<string>();
  let fixed = true;
  let nextCalled = false;
  // Any access other than these (a read of the request, another response method) means the
  // headers may depend on the request: not replayable.
  const notFixed = (): never => {
    fixed = false;
    throw new NotFixed();
  };
  const request = new Proxy({}, { get: notFixed, set: notFixed }) as IncomingMessage;
  const recorder = {
    setHeader: (name: string, value: OutgoingHttpHeader): ServerResponse => {
      removed.delete(name.toLowerCase());
      set.set(name.toLowerCase(), [name, value]);
      return response;
    },
    removeHeader: (name: string): void => {
      set.delete(name.toLowerCase());
      removed.add(name.toLowerCase());
    },
  };
  const response = new Proxy(recorder, {
    get: (target, key) =>
      key === 'setHeader' || key === 'removeHeader' ? target[key] : notFixed(),
    set: notFixed,
  }) as unknown as ServerResponse;
  try {
    middleware(request, response, (error?: unknown) => {
      if (error !== undefined) fixed = false;
      nextCalled = true;
    });
  } catch (error) {
    if (!(error instanceof NotFixed)) throw error;
  }
  if (!fixed || !nextCalled) return undefined;
  return { set: [...set.values()], removed: [...removed] };
}

class NotFixed extends Error {}
