import { Worker } from 'node:worker_threads';

export interface LivenessListenerOptions {
  port: number;
  host: string;
  version: string;
  /** The event loop counts as stuck once it has not turned for this long: 503. */
  maxStallMs: number;
}

export interface LivenessListener {
  /** The port it listens on (the one asked for, or the one the system chose for 0). */
  port: number;
  close(): Promise<void>;
}

// How often the main thread proves it is turning: far below any sensible stall limit.
const HEARTBEAT_MS = 100;

/**
 * GET /health on a port of its own, answered by a worker thread: a kubelet liveness probe is
 * never queued behind the requests the main event loop is busy with (on a saturated service a
 * probe on the main port waits for passes of the loop: tens to hundreds of milliseconds). It
 * still tells the truth about the main thread: the main loop stamps a shared clock every
 * HEARTBEAT_MS, and a stamp older than `maxStallMs` (a loop stuck in a busy loop or a runaway
 * computation) answers 503, so the kubelet restarts a pod that cannot serve.
 */
export async function startLivenessListener(
  options: LivenessListenerOptions,
): Promise<LivenessListener> {
  const heartbeat = new BigInt64Array(new SharedArrayBuffer(8));
  const beat = (): void => {
    Atomics.store(heartbeat, 0, BigInt(Date.now()));
  };
  beat();
  const timer = setInterval(beat, HEARTBEAT_MS).unref();
  const worker = new Worker(LIVENESS_WORKER, {
    eval: true,
    workerData: { ...options, heartbeat },
    // A few MiB: it serves one tiny response.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
  });
  worker.unref();
  try {
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', (message: { port?: number; error?: string }) =>
        message.port !== undefined
          ? resolve(message.port)
          : reject(
              Object.assign(new Error(`liveness port ${options.port}: ${message.error}`), {
                code: message.error,
              }),
            ),
      );
      worker.once('error', reject);
    });
    return {
      port,
      close: async () => {
        clearInterval(timer);
        await worker.terminate();
      },
    };
  } catch (error) {
    clearInterval(timer);
    await worker.terminate();
    throw error;
  }
}

/**
 * The worker, as source: a plain script on node builtins only, so no compiler or bundler step
 * (tsc, swc under Jest, esbuild's name-keeping helpers in the image) can make it refer to code
 * outside itself.
 */
const LIVENESS_WORKER = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { port, host, version, maxStallMs, heartbeat } = workerData;
function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': status < 400 ? 'application/json; charset=utf-8' : 'application/problem+json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}
const server = createServer((req, res) => {
  req.resume();
  const path = (req.url || '/').split('?')[0];
  if (path !== '/health') {
    reply(res, 404, { type: 'about:blank', title: 'Not Found', status: 404 });
  } else if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    reply(res, 405, { type: 'about:blank', title: 'Method Not Allowed', status: 405 });
  } else if (Date.now() - Number(Atomics.load(heartbeat, 0)) > maxStallMs) {
    reply(res, 503, { status: 'unresponsive', version });
  } else {
    reply(res, 200, { status: 'healthy', version });
  }
});
server.once('error', (error) => parentPort.postMessage({ error: error.code || error.message }));
server.listen({ port, host }, () => parentPort.postMessage({ port: server.address().port }));
`;
