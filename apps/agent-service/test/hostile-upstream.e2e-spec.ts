import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { bearer, testKey } from './support/api-keys.js';
import { HostileUpstream } from './support/hostile-upstream.js';
import { ServiceProcess } from './support/service-process.js';
import { parseSse } from './support/sse.js';

const MIB = 1024 ** 2;
/** The answer bound of a max_tokens=100 answer: 64 KiB + 100 KiB (see answer-bounds.ts). */
const ANSWER_BOUND = 64 * 1024 + 100 * 1024;

/** Resident memory of a process, from /proc (bytes). */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) * 1024;
}

/** The service in front of an upstream that sends giant answers and fails on chosen prompts. */
describe('a hostile upstream, and tenants that must not affect each other (process)', () => {
  const alice = testKey('alice');
  const mallory = testKey('mallory');
  const upstream = new HostileUpstream();
  let service: ServiceProcess;

  beforeAll(async () => {
    await upstream.start();
    service = await ServiceProcess.start({
      LOG_LEVEL: 'warn',
      API_KEYS: `${alice.entry},${mallory.entry}`,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: upstream.url,
      LLM_MODEL: 'hostile',
      LLM_MAX_RETRIES: '0',
      LLM_BREAKER_THRESHOLD: '5',
    });
    await service.waitUntilLive();
  });
  afterAll(async () => {
    await service.stop();
    await upstream.stop();
  });

  const ask = (key: string, prompt: string, stream = false) =>
    service.query({ prompt, stream }, bearer(key));

  it('cuts a 100 MB JSON answer at its bound: a 502, neither cached nor charged', async () => {
    const before = upstream.requests.length;
    for (let i = 0; i < 2; i++) {
      const res = await ask(alice.key, 'giant-body one');
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({
        status: 502,
        detail: 'LLM provider answer is larger than its bound',
      });
    }
    // Asked twice, sent upstream twice: nothing of it was cached.
    expect(upstream.requests.length - before).toBe(2);
    expect(Math.max(...upstream.cutOffAfter)).toBeLessThan(20 * MIB);
  });

  it('answers an oversized upstream answer on /v1 with an OpenAI error', async () => {
    const res = await fetch(`${service.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(alice.key) },
      body: JSON.stringify({
        model: 'hostile',
        messages: [{ role: 'user', content: 'giant-event json' }],
      }),
    });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error).toMatchObject({ type: expect.any(String), message: expect.any(String) });
  });

  it('ends a stream at a 50 MB event with an error event and no done', async () => {
    const res = await ask(alice.key, 'giant-event stream', true);
    expect(res.status).toBe(200);
    const events = parseSse(await res.text());
    expect(events[0]).toEqual({ event: 'chunk', data: '{"text":"Hello"}' });
    expect(events.at(-1)?.event).toBe('error');
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({
      status: 502,
      detail: 'LLM provider answer is larger than its bound',
    });
    expect(events.some((e) => e.event === 'done')).toBe(false);
  });

  it('keeps memory within the answer bound while clients that never read get 50 MB events', async () => {
    const pid = service.proc.pid!;
    const baseline = rssOf(pid);
    const body = JSON.stringify({ prompt: 'giant-event unread', stream: true });
    const sockets: Socket[] = [];
    const cutBefore = upstream.cutOffAfter.length;
    for (let i = 0; i < 3; i++) {
      const socket = connect(service.port, '127.0.0.1');
      socket.write(
        `POST /query HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${alice.key}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      socket.pause(); // never reads
      sockets.push(socket);
    }
    let peak = baseline;
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline && upstream.cutOffAfter.length < cutBefore + 3) {
      peak = Math.max(peak, rssOf(pid));
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const after = rssOf(pid);
    const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
    console.log(
      `RSS with three unread 50 MB events: baseline ${mib(baseline)}, peak ${mib(peak)}, ` +
        `after ${mib(after)}; upstream cut off after ${upstream.cutOffAfter
          .slice(cutBefore)
          .map(mib)
          .join(', ')}`,
    );
    expect(upstream.cutOffAfter.length).toBeGreaterThanOrEqual(cutBefore + 3);
    expect(peak - baseline).toBeLessThan(3 * ANSWER_BOUND + 50 * MIB);
    expect(after - baseline).toBeLessThan(3 * ANSWER_BOUND + 50 * MIB);
  });

  it("does not let one client's failing prompts open the circuit for another", async () => {
    for (let i = 0; i < 6; i++) {
      expect((await ask(mallory.key, `fail ${i}`)).status).toBe(502);
    }
    const res = await ask(alice.key, 'an ordinary question');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      response: 'Echo: an ordinary question',
      provider: 'openai',
    });
  });
});
