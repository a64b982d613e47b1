// A mock OpenAI Chat Completions server for the gateway benchmark: answers every
// POST /v1/chat/completions at once with a short completion and its usage (streamed when asked),
// and GET /health. As cheap as node:http allows, so that what is measured is the gateway in
// front of it.
//
//   node bench/mock-openai-upstream.mjs PORT
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 8900);
const TEXT = 'Hello from the mock upstream.';

function completion(model) {
  return JSON.stringify({
    id: 'chatcmpl-mock',
    object: 'chat.completion',
    created: 1_800_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: TEXT }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
  });
}

function chunks(model) {
  const chunk = (delta, finish, usage) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-mock',
      object: 'chat.completion.chunk',
      created: 1_800_000_000,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...(usage ? { usage } : {}),
    })}\n\n`;
  return (
    chunk({ role: 'assistant', content: TEXT }, null) +
    chunk({}, 'stop', { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 }) +
    'data: [DONE]\n\n'
  );
}

createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
    res.end('{"status":"healthy"}');
    return;
  }
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    let body = {};
    try {
      body = JSON.parse(raw);
    } catch {
      // answered all the same
    }
    const model = typeof body.model === 'string' ? body.model : 'mock';
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(chunks(model));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion(model));
    }
  });
}).listen(port, '127.0.0.1');
