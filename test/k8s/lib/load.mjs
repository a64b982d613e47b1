// Bounded load with autocannon (a devDependency), run as a child process so that the load
// generator does not share an event loop with the probes or the assertions.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/**
 * POST /query for `seconds`; `rate` caps requests per second over all connections (open loop);
 * without it the connections send back to back (closed loop). Resolves to autocannon's JSON result.
 */
export function queryLoad({ port, seconds, connections, rate, headers = {} }) {
  const args = [
    AUTOCANNON,
    '--json',
    '-d',
    String(seconds),
    '-c',
    String(connections),
    '-m',
    'POST',
    '--idReplacement',
  ];
  if (rate) args.push('-R', String(rate));
  args.push('-H', 'content-type=application/json');
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  args.push('-b', '{"prompt":"load [<id>]","max_tokens":50}', `http://127.0.0.1:${port}/query`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.on('close', (code) => {
      clearTimeout(killer);
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`autocannon exited ${code}: ${err.slice(-500)}`));
      }
    });
  });
}
