/* eslint-disable @typescript-eslint/require-await -- scripted providers that answer at once */
import { describe, expect, it } from '@jest/globals';
import { MetricsRegistry } from '@app/platform';
import { GuardedProvider } from './guarded-provider.js';
import type { Completion, CompletionPart, CompletionRequest, LlmProvider } from './llm-provider.js';
import { ProviderChain } from './provider-chain.js';
import { ProviderError } from './provider-error.js';
import { ProviderMetrics } from './provider-metrics.js';

const completion: Completion = {
  text: 'ab',
  model: 'm',
  provider: 'p',
  promptTokens: 4,
  completionTokens: 2,
};
const request: CompletionRequest = { prompt: 'x', maxTokens: 10 };
const abortError = () => Object.assign(new Error('aborted'), { name: 'AbortError' });

/** A provider whose calls run the given scripts. */
function provider(
  name: string,
  complete: () => Promise<Completion>,
  stream: () => AsyncGenerator<CompletionPart> = async function* () {
    yield { text: 'ab' };
    yield { completion };
  },
): LlmProvider {
  return { name, model: `${name}-model`, complete, stream };
}

function guard(p: LlmProvider, threshold = 5) {
  const registry = new MetricsRegistry();
  const metrics = new ProviderMetrics(registry);
  const changes: [string, string][] = [];
  const guarded = new GuardedProvider(
    p,
    'fake',
    metrics,
    { threshold, halfOpenAfterMs: 60_000 },
    (name, state) => changes.push([name, state]),
  );
  const metricText = () => registry.metrics();
  return { guarded, metrics, metricText, changes };
}

async function collect(parts: AsyncIterable<CompletionPart>) {
  const seen: CompletionPart[] = [];
  for await (const part of parts) seen.push(part);
  return seen;
}

const labels = (name: string) =>
  `provider="${name}",gen_ai_provider_name="fake",gen_ai_request_model="${name}-model",gen_ai_operation_name="chat"`;

describe('GuardedProvider', () => {
  it('reports its circuit closed at start, and each change by name', async () => {
    const { guarded, metricText, changes } = guard(
      provider('a', () => Promise.reject(new ProviderError('unavailable', 'down'))),
      1,
    );
    expect(guarded.name).toBe('a');
    expect(guarded.circuit).toBe('closed');
    expect(await metricText()).toContain(
      'gen_ai_provider_circuit_state{provider="a",state="closed"} 1',
    );
    await expect(guarded.complete(request)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(guarded.circuit).toBe('open');
    expect(changes).toEqual([['a', 'open']]);
    expect(await metricText()).toContain(
      'gen_ai_provider_circuit_state{provider="a",state="open"} 1',
    );
  });

  it('turns an unexpected failure into invalid_response, which does not open the circuit', async () => {
    const { guarded, metricText } = guard(
      provider('a', () => Promise.reject(new TypeError('bug'))),
      1,
    );
    await expect(guarded.complete(request)).rejects.toMatchObject({
      kind: 'invalid_response',
      detail: 'LLM provider failed',
    });
    expect(guarded.circuit).toBe('closed');
    expect(await metricText()).toContain(
      `gen_ai_client_failures_total{${labels('a')},error_type="invalid_response"} 1`,
    );
  });

  it('names an open circuit in its refusal', async () => {
    const { guarded } = guard(
      provider('a', () => Promise.reject(new ProviderError('timeout', 'slow'))),
      1,
    );
    await expect(guarded.complete(request)).rejects.toMatchObject({ kind: 'timeout' });
    await expect(guarded.complete(request)).rejects.toMatchObject({
      kind: 'circuit_open',
      status: 503,
      detail: 'LLM provider is paused after repeated failures',
    });
  });

  it('passes an abort through as it came, without counting a failure', async () => {
    const aborted = abortError();
    const { guarded, metricText } = guard(
      provider('a', () => Promise.reject(aborted)),
      1,
    );
    await expect(guarded.complete(request)).rejects.toBe(aborted);
    expect(guarded.circuit).toBe('closed');
    expect(await metricText()).not.toContain('gen_ai_client_failures_total{');
  });

  it('counts a stream as succeeded when its completion arrives, with its tokens', async () => {
    const { guarded, metricText } = guard(provider('a', () => Promise.resolve(completion)));
    expect(await collect(guarded.stream(request))).toEqual([{ text: 'ab' }, { completion }]);
    const text = await metricText();
    expect(text).toContain(`gen_ai_client_requests_total{${labels('a')}} 1`);
    expect(text).toContain(
      `gen_ai_client_tokens_total{${labels('a')},gen_ai_token_type="input"} 4`,
    );
    expect(text).toContain(
      `gen_ai_client_tokens_total{${labels('a')},gen_ai_token_type="output"} 2`,
    );
    expect(text).toContain(
      `gen_ai_client_operation_duration_seconds_count{${labels('a')},error_type=""} 1`,
    );
  });

  it('records a stream that fails after its first part as failed, as a provider error', async () => {
    const { guarded, metricText } = guard(
      provider(
        'a',
        () => Promise.resolve(completion),
        async function* () {
          yield { text: 'a' };
          throw new Error('socket closed');
        },
      ),
    );
    await expect(collect(guarded.stream(request))).rejects.toMatchObject({
      kind: 'invalid_response',
    });
    expect(await metricText()).toContain(
      `gen_ai_client_failures_total{${labels('a')},error_type="invalid_response"} 1`,
    );
  });

  it('counts a stream that fails before its first part against the circuit', async () => {
    const { guarded } = guard(
      provider(
        'a',
        () => Promise.resolve(completion),
        // eslint-disable-next-line require-yield
        async function* () {
          throw new ProviderError('unavailable', 'down');
        },
      ),
      1,
    );
    await expect(collect(guarded.stream(request))).rejects.toMatchObject({ kind: 'unavailable' });
    expect(guarded.circuit).toBe('open');
  });

  it('stops the provider stream when the consumer stops', async () => {
    let stopped = false;
    const { guarded } = guard(
      provider(
        'a',
        () => Promise.resolve(completion),
        async function* () {
          try {
            yield { text: 'a' };
            yield { text: 'b' };
          } finally {
            stopped = true;
          }
        },
      ),
    );
    const stream = guarded.stream(request);
    await stream.next();
    await stream.return(undefined);
    expect(stopped).toBe(true);
  });

  it('streams from a provider whose iterator has no return method', async () => {
    const parts: CompletionPart[] = [{ text: 'ab' }, { completion }];
    const plain: LlmProvider = {
      ...provider('a', () => Promise.resolve(completion)),
      // An AsyncIterable is all the interface asks for: no generator, no return().
      stream: () => ({
        [Symbol.asyncIterator]: () => {
          let index = 0;
          return {
            next: async () =>
              index < parts.length
                ? { done: false as const, value: parts[index++] }
                : { done: true as const, value: undefined },
          };
        },
      }),
    };
    expect(await collect(guard(plain).guarded.stream(request))).toEqual(parts);
  });

  it('records durations in seconds, for answers and for failures', async () => {
    const slow = (fail: boolean) => () =>
      new Promise<Completion>((resolve, reject) =>
        setTimeout(
          () => (fail ? reject(new ProviderError('unavailable', 'down')) : resolve(completion)),
          60,
        ),
      );
    for (const fail of [false, true]) {
      const { guarded, metricText } = guard(provider('a', slow(fail)));
      const started = performance.now();
      await guarded.complete(request).catch(() => undefined);
      const elapsed = (performance.now() - started) / 1000;
      const sum = Number(
        /gen_ai_client_operation_duration_seconds_sum\{[^}]*\} (\S+)/.exec(await metricText())?.[1],
      );
      expect(sum).toBeGreaterThanOrEqual(0.05);
      expect(sum).toBeLessThanOrEqual(elapsed);
    }
  });
});

describe('ProviderChain', () => {
  const chainOf = (...providers: LlmProvider[]) => {
    const metrics = new ProviderMetrics(new MetricsRegistry());
    return new ProviderChain(
      providers.map(
        (p) => new GuardedProvider(p, 'fake', metrics, { threshold: 5, halfOpenAfterMs: 1_000 }),
      ),
      metrics,
    );
  };

  it('needs at least one provider, and is named after the first', () => {
    expect(() => chainOf()).toThrow('a provider chain needs at least one provider');
    const chain = chainOf(
      provider('a', () => Promise.resolve(completion)),
      provider('b', () => Promise.resolve(completion)),
    );
    expect(chain.name).toBe('a');
    expect(chain.model).toBe('a-model');
  });

  it('never falls back when the caller aborted', async () => {
    let asked = false;
    const aborted = abortError();
    const chain = chainOf(
      provider('a', () => Promise.reject(aborted)),
      provider('b', () => ((asked = true), Promise.resolve(completion))),
    );
    await expect(chain.complete(request)).rejects.toBe(aborted);
    expect(asked).toBe(false);
  });

  it('never falls back when the caller aborted a failing attempt', async () => {
    const controller = new AbortController();
    controller.abort();
    let asked = false;
    const chain = chainOf(
      provider('a', () => Promise.reject(new ProviderError('unavailable', 'down'))),
      provider('b', () => ((asked = true), Promise.resolve(completion))),
    );
    await expect(chain.complete({ ...request, signal: controller.signal })).rejects.toBeDefined();
    expect(asked).toBe(false);
  });

  it('falls back on a stream that fails before producing anything, but not on a rejection', async () => {
    const failing = (error: Error) =>
      // eslint-disable-next-line require-yield
      async function* (): AsyncGenerator<CompletionPart> {
        throw error;
      };
    const streamFailing = (name: string, error: ProviderError) =>
      provider(name, () => Promise.resolve(completion), failing(error));
    const ok = provider('b', () => Promise.resolve(completion));
    const down = streamFailing('a', new ProviderError('timeout', 'slow'));
    expect(await collect(chainOf(down, ok).stream(request))).toEqual([
      { text: 'ab' },
      { completion },
    ]);
    const refused = streamFailing('a', new ProviderError('rejected', 'bad request'));
    await expect(collect(chainOf(refused, ok).stream(request))).rejects.toMatchObject({
      kind: 'rejected',
    });
    // The last member has no one to hand over to: its failure is the stream's.
    const alsoDown = streamFailing('b', new ProviderError('server_error', 'down too'));
    await expect(collect(chainOf(down, alsoDown).stream(request))).rejects.toMatchObject({
      kind: 'server_error',
    });
  });

  it('stops the member stream when the consumer stops', async () => {
    let stopped = false;
    const chain = chainOf(
      provider(
        'a',
        () => Promise.resolve(completion),
        async function* () {
          try {
            yield { text: 'a' };
            yield { text: 'b' };
          } finally {
            stopped = true;
          }
        },
      ),
    );
    const stream = chain.stream(request);
    expect((await stream.next()).value).toEqual({ text: 'a' });
    await stream.return(undefined);
    expect(stopped).toBe(true);
  });

  it('counts a fallback against the provider that was skipped', async () => {
    const registry = new MetricsRegistry();
    const metrics = new ProviderMetrics(registry);
    const chain = new ProviderChain(
      [
        provider('a', () => Promise.reject(new ProviderError('unavailable', 'down'))),
        provider('b', () => Promise.resolve(completion)),
      ].map(
        (p) => new GuardedProvider(p, 'fake', metrics, { threshold: 5, halfOpenAfterMs: 1_000 }),
      ),
      metrics,
    );
    await chain.complete(request);
    const text = await registry.metrics();
    expect(text).toContain('gen_ai_provider_fallbacks_total{provider="a"} 1');
    expect(text).not.toContain('gen_ai_provider_fallbacks_total{provider="b"}');
  });

  it('counts no fallback when there is none: a rejection, or the last member failing', async () => {
    const registry = new MetricsRegistry();
    const metrics = new ProviderMetrics(registry);
    const chainOfFailures = (...errors: ProviderError[]) =>
      new ProviderChain(
        errors.map(
          (error, index) =>
            new GuardedProvider(
              provider(`p${index}`, () => Promise.reject(error)),
              'fake',
              metrics,
              { threshold: 5, halfOpenAfterMs: 1_000 },
            ),
        ),
        metrics,
      );
    await expect(
      chainOfFailures(
        new ProviderError('rejected', 'bad'),
        new ProviderError('rejected', 'bad'),
      ).complete(request),
    ).rejects.toMatchObject({ kind: 'rejected' });
    await expect(
      chainOfFailures(new ProviderError('unavailable', 'down')).complete(request),
    ).rejects.toMatchObject({ kind: 'unavailable' });
    expect(await registry.metrics()).not.toMatch(/gen_ai_provider_fallbacks_total\{/);
  });

  it("does not let one client's failing prompts open the circuit for everyone", async () => {
    let calls = 0;
    const { guarded } = guard(
      provider('a', () => {
        calls++;
        return Promise.reject(new ProviderError('server_error', 'status 500'));
      }),
      5,
    );
    const ask = (clientId: string | null, prompt: string) =>
      guarded
        .complete({ ...request, origin: { clientId, promptSha256: prompt } })
        .catch((e: unknown) => e);
    for (const prompt of ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']) {
      expect(await ask('mallory', prompt)).toMatchObject({ kind: 'server_error' });
    }
    expect(guarded.circuit).toBe('closed');
    // The same poison prompt, again and again, from a tenant-less service counts once.
    for (let i = 0; i < 6; i++) await ask(null, 'poison');
    expect(guarded.circuit).toBe('closed');
    // Failures from a second client do open it: the upstream fails for more than one caller.
    await ask('alice', 'a1');
    expect(guarded.circuit).toBe('open');
    expect(await ask('alice', 'a2')).toMatchObject({ kind: 'circuit_open' });
    expect(calls).toBe(13);
  });
});
