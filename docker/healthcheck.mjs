// Container HEALTHCHECK for images without a shell or curl: exit 0 when GET /health answers 200.
// HEALTHCHECK does not expand ENV, so the port is read here, from the container's environment.
import { request } from 'node:http';

const port = Number(process.env.PORT || 8000);
const bind = process.env.HOST || '0.0.0.0';
// A wildcard bind is reachable on loopback; a specific address only on itself.
const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS || 2000);

const req = request({ host, port, path: '/health', method: 'GET', timeout: timeoutMs }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => {
  req.destroy(new Error(`no answer within ${timeoutMs} ms`));
});
req.on('error', (error) => {
  process.stderr.write(`healthcheck: ${error.message}\n`);
  process.exit(1);
});
req.end();
