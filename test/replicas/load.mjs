// Open-loop load for the rolling-update test: POST /query at a fixed rate through keep-alive
// connections, every request with its own prompt. Prints one JSON summary: counts, failures (any
// status but 200, any network error or timeout), every answered id, and each request's start time
// and latency so the caller can take percentiles over any window.
//
//   node test/replicas/load.mjs URL RATE SECONDS API_KEY
import http from 'node:http';

const [url, rateArg, secondsArg, key] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const target = new URL(url);
const samples = [];
const failures = [];
const ids = [];
let sent = 0;
let done = 0;

function send(n) {
  const started = Date.now();
  const body = JSON.stringify({ prompt: `rolling update ${process.pid} #${n}`, max_tokens: 50 });
  const req = http.request(
    {
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${key}`,
      },
      timeout: 10_000,
    },
    (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        const ms = Date.now() - started;
        samples.push([started, ms]);
        if (res.statusCode === 200) {
          try {
            ids.push(JSON.parse(text).id);
          } catch {
            failures.push({ n, status: 200, error: 'unparsable body' });
          }
        } else {
          failures.push({ n, status: res.statusCode, at: started });
        }
        done += 1;
      });
    },
  );
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (error) => {
    failures.push({ n, error: error.message, at: started });
    done += 1;
  });
  req.end(body);
}

const t0 = Date.now();
const timer = setInterval(() => {
  const due = Math.min(rate * seconds, Math.floor(((Date.now() - t0) / 1000) * rate));
  while (sent < due) send(++sent);
  if (sent >= rate * seconds) clearInterval(timer);
}, 5);

const finish = setInterval(() => {
  if (sent < rate * seconds || (done < sent && Date.now() - t0 < (seconds + 15) * 1000)) return;
  clearInterval(finish);
  agent.destroy();
  process.stdout.write(JSON.stringify({ sent, answered: ids.length, failures, ids, samples }));
}, 100);
