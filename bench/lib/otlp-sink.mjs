// An OTLP/HTTP endpoint for the traced benchmark row: reads each export and answers 200, as a
// collector does, so the service pays for building, serializing and sending its spans. It runs
// in the bench process (the load generator's core), never on the server's.
import { createServer } from 'node:http';

export const OTLP_SINK_PORT = Number(process.env.BENCH_OTLP_PORT ?? 14318);

/** Starts the sink once; resolves with a counter of the spans' export requests received. */
let sink;
export function startOtlpSink() {
  sink ??= new Promise((resolve, reject) => {
    const stats = { exports: 0, bytes: 0 };
    const server = createServer((req, res) => {
      req.on('data', (chunk) => (stats.bytes += chunk.length));
      req.on('end', () => {
        stats.exports += 1;
        res.writeHead(200, { 'content-type': 'application/x-protobuf' });
        res.end();
      });
    });
    server.once('error', reject);
    server.listen(OTLP_SINK_PORT, '127.0.0.1', () => {
      server.unref();
      resolve(stats);
    });
  });
  return sink;
}
