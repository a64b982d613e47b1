import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceProcess } from './support/service-process.js';
import { parseSse, readStream } from './support/sse.js';
import { waitFor } from './support/wait.js';

const stream = (service: ServiceProcess, body: object, headers: Record<string, string> = {}) =>
  service.query({ ...body, stream: true }, headers);

async function metric(service: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

/** Streaming answers of POST /query, against the built service. */
describe('POST /query streaming (process)', () => {
  const started: ServiceProcess[] = [];
  const servers: Server[] = [];
  const start = async (env: Record<string, string>) => {
    const service = await ServiceProcess.start({ LOG_LEVEL: 'warn', ...env });
    started.push(service);
    await service.waitUntilLive();
    return service;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
    await Promise.all(
      servers.splice(0).map((s) => new Promise((r) => s.close(r) && s.closeAllConnections())),
    );
  });

  it('sends one chunk event per word as it is produced, then a done event', async () => {
    const service = await start({ BUILTIN_LATENCY_MS: '1000' });
    const response = await stream(service, { prompt: 'one two three four' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-cache')).toBe('MISS');
    const { text, arrivals } = await readStream(response);
    const events = parseSse(text);
    const chunks = events
      .filter((e) => e.event === 'chunk')
      .map((e) => (JSON.parse(e.data) as { text: string }).text);
    expect(chunks).toEqual(['Processed:', ' one', ' two', ' three', ' four']);
    // Produced over ~1 s: the first word reaches the client long before the last one.
    const firstChunkAt = arrivals.find((a) => a.text.includes('chunk'))!.at;
    expect(arrivals.at(-1)!.at - firstChunkAt).toBeGreaterThan(500);
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    const result = JSON.parse(done.data);
    expect(result).toEqual({
      id: expect.any(String),
      tokens_used: expect.any(Number),
      provider: 'builtin',
      model: 'builtin-echo',
      cache: 'MISS',
    });
    // Recorded in the history like any query.
    const record = (await (await fetch(`${service.url}/queries/${result.id}`)).json()) as {
      response: string;
    };
    expect(record.response).toBe('Processed: one two three four');
  });

  it('streams on Accept: text/event-stream, replays a cached answer, and keeps JSON errors before the first byte', async () => {
    const service = await start({});
    const first = await service.query({ prompt: 'cache me' });
    expect(first.status).toBe(200);
    const hit = await service.query({ prompt: 'cache me' }, { accept: 'text/event-stream' });
    expect(hit.headers.get('x-cache')).toBe('HIT');
    const events = parseSse(await hit.text());
    expect(
      events
        .filter((e) => e.event === 'chunk')
        .map((e) => (JSON.parse(e.data) as { text: string }).text)
        .join(''),
    ).toBe('Processed: cache me');
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ cache: 'HIT' });

    const bad = await stream(service, { prompt: '   ' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(await bad.json()).toMatchObject({ detail: 'Prompt cannot be empty' });
    // stream:false wins over the Accept header: the plain JSON contract stays as it was.
    const plain = await service.query(
      { prompt: 'x', stream: false },
      { accept: 'text/event-stream' },
    );
    expect(await plain.json()).toMatchObject({ response: 'Processed: x' });
  });

  it('sends keep-alive comments while the provider is silent', async () => {
    const service = await start({ BUILTIN_LATENCY_MS: '1200', STREAM_KEEPALIVE_MS: '150' });
    const { text } = await readStream(await stream(service, { prompt: 'x' }));
    expect(text.match(/^: keep-alive$/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(parseSse(text).map((e) => e.event)).toEqual(['chunk', 'chunk', 'done']);
  });

  it('keeps the framing intact for a client that reads slowly, a few bytes at a time', async () => {
    const service = await start({ BUILTIN_LATENCY_MS: '200' });
    const body = JSON.stringify({ prompt: 'ünïcödé ✓ '.repeat(9), stream: true });
    const socket = connect(service.port, '127.0.0.1');
    socket.write(
      `POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    socket.pause();
    await sleep(400); // everything is produced meanwhile and waits in the buffers
    const received: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('readable', function read() {
        const piece = socket.read(5) as Buffer | null;
        if (piece) {
          received.push(piece);
          setTimeout(read, 1);
        }
      });
      socket.on('end', resolve);
      socket.on('error', reject);
    });
    const raw = Buffer.concat(received).toString('utf8');
    const [head, ...rest] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    // Undo the chunked transfer encoding.
    let encoded = rest.join('\r\n\r\n');
    let decoded = '';
    while (encoded.length) {
      const eol = encoded.indexOf('\r\n');
      const size = parseInt(encoded.slice(0, eol), 16);
      if (!size) break;
      const start = Buffer.byteLength(encoded.slice(0, eol + 2));
      const bytes = Buffer.from(encoded);
      decoded += bytes.subarray(start, start + size).toString('utf8');
      encoded = bytes.subarray(start + size + 2).toString('utf8');
    }
    const events = parseSse(decoded);
    const answer = events
      .filter((e) => e.event === 'chunk')
      .map((e) => (JSON.parse(e.data) as { text: string }).text)
      .join('');
    expect(answer).toBe(`Processed: ${'ünïcödé ✓ '.repeat(9)}`);
    expect(events.at(-1)?.event).toBe('done');
  });

  it('aborts the upstream call when the client disconnects mid-stream, and leaves nothing open', async () => {
    const upstream = await start({ BUILTIN_LATENCY_MS: '6000' });
    const service = await start({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${upstream.url}/v1`,
      LLM_MODEL: 'builtin-echo',
    });
    const controller = new AbortController();
    const response = await service.query(
      { prompt: 'a b c d e f g h', stream: true },
      {},
      '/query',
      controller.signal,
    );
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('event: chunk');
    expect(await metric(upstream, 'sse_streams_active')).toBe(1);
    const cut = Date.now();
    controller.abort();
    // The upstream stream (6 s long) ends within moments: it was aborted, not left to finish.
    await waitFor(
      'upstream stream to close',
      async () => (await metric(upstream, 'sse_streams_active')) === 0,
      3_000,
    );
    expect(Date.now() - cut).toBeLessThan(3_000);
    await waitFor(
      'stream to close',
      async () => (await metric(service, 'sse_streams_active')) === 0,
      3_000,
    );
  });

  it('ends with an error event holding a problem document when the provider fails mid-answer', async () => {
    const upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: 'Half an' }, finish_reason: null }] })}\n\n`,
      );
      setTimeout(() => res.destroy(), 50);
    });
    servers.push(upstream);
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const service = await start({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `http://127.0.0.1:${(upstream.address() as { port: number }).port}/v1`,
      LLM_MODEL: 'm',
      LLM_MAX_RETRIES: '0',
      LLM_FALLBACKS: 'builtin',
    });
    const response = await stream(service, { prompt: 'x' });
    expect(response.status).toBe(200);
    const events = parseSse(await response.text());
    expect(events.map((e) => e.event)).toEqual(['chunk', 'error']);
    expect(JSON.parse(events[1].data)).toMatchObject({
      type: 'about:blank',
      status: 502,
      title: 'Bad Gateway',
      instance: '/query',
    });
  });
});
