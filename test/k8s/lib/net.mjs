// Network helpers of the Kubernetes and replica suites: free ports, a TCP proxy that can be cut
// (a dependency outage without touching the shared servers), and a probe the way the kubelet
// sends one.
import http from 'node:http';
import net from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A TCP proxy on 127.0.0.1; `cut()` refuses and drops every connection until `restore()`. */
export class TcpProxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.sockets = new Set();
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async start() {
    this.port = await freePort();
    await this.listen();
    return this;
  }

  listen() {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  cut() {
    const closed = new Promise((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    return closed;
  }

  restore() {
    return this.listen();
  }

  stop() {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * One HTTP probe as the kubelet sends it: a new connection (no keep-alive), the probe's timeout,
 * success for a status from 200 to 399. Resolves to { ok, status, ms, error }.
 */
export function kubeletProbe({ port, path, timeoutSeconds }) {
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      resolve({ ...result, ms: performance.now() - started });
    };
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        headers: { 'User-Agent': 'kube-probe/1.36', Accept: '*/*', Connection: 'close' },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          finish({ ok: res.statusCode >= 200 && res.statusCode < 400, status: res.statusCode }),
        );
        res.on('error', (error) => finish({ ok: false, error: error.code ?? error.message }));
      },
    );
    req.setTimeout(timeoutSeconds * 1000, () => {
      req.destroy();
      finish({ ok: false, error: 'timeout' });
    });
    req.on('error', (error) => finish({ ok: false, error: error.code ?? error.message }));
  });
}
