// The floor: the service's work (health JSON; POST /query with body limit, JSON parse,
// validation, truncated echo, uuid and token count) on bare node:http, no framework.
// Whatever the service spends above this is framework and middleware overhead.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { answerQuery } from './lib/work.mjs';

const PORT = Number(process.env.PORT ?? 8000);
const HOST = process.env.HOST ?? '127.0.0.1';
const BODY_LIMIT = 100 * 1024;
const HEALTH = JSON.stringify({ status: 'healthy', version: process.env.APP_VERSION ?? '1.0.0' });
const RANGE = 'max_tokens must be between 10 and 2000';

function send(res, status, payload) {
  res.writeHead(status, {
    'content-type': status < 400 ? 'application/json; charset=utf-8' : 'application/problem+json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

const problem = (res, status, detail) => send(res, status, JSON.stringify({ status, detail }));

async function answer(res, raw) {
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    return problem(res, 400, 'Malformed JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return problem(res, 400, 'Request body must be a JSON object');
  }
  for (const key in body) {
    if (key !== 'prompt' && key !== 'max_tokens')
      return problem(res, 400, `property ${key} should not exist`);
  }
  const { prompt, max_tokens: maxTokens = 100 } = body;
  if (typeof prompt !== 'string' || !/\S/.test(prompt))
    return problem(res, 400, 'Prompt cannot be empty');
  if (!Number.isInteger(maxTokens) || maxTokens < 10 || maxTokens > 2000)
    return problem(res, 400, RANGE);
  send(res, 200, JSON.stringify(await answerQuery(prompt, randomUUID())));
}

function query(req, res) {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) {
    req.resume();
    return problem(res, 415, 'Request body must be sent as application/json');
  }
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size > BODY_LIMIT) {
      tooLarge = true;
      res.setHeader('connection', 'close');
      problem(res, 413, 'Request body is too large');
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooLarge) return;
    answer(
      res,
      chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'),
    ).catch(() => problem(res, 500, 'Internal error'));
  });
}

const server = createServer((req, res) => {
  const path = req.url.split('?', 1)[0];
  if (path === '/health' && req.method === 'GET') return send(res, 200, HEALTH);
  if (path === '/query' && req.method === 'POST') return query(req, res);
  req.resume();
  problem(res, 404, 'Not Found');
});

server.listen(PORT, HOST);

// A normal exit, so that `node --cpu-prof` writes its profile.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
