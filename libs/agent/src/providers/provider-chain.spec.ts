import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { MetricsRegistry } from '@app/platform';
import { GuardedProvider } from './guarded-provider.js';
import type { Completion, CompletionPart, CompletionRequest, LlmProvider } from './llm-provider.js';
import { ProviderChain } from './provider-chain.js';
import { ProviderError } from './provider-error.js';
import { ProviderMetrics } from './provider-metrics.js';

/** A scripted provider: each call takes the next behaviour ('ok', or an error to throw). */
class FakeProvider implements LlmProvider {
  calls = 0;
  constructor(
    readonly name: string,
    private readonly script: (ProviderError | 'ok' | 'mid-stream')[],
    readonly model = `${name}-model`,
  ) {}

  private next() {
    return this.script[Math.min(this.calls++, this.script.length - 1)];
  }

  private completion(text: string): Completion {
    return { text, model: this.model, provider: this.name, promptTokens: 1, completionTokens: 2 };
  }

  complete(): Promise<Completion> {
    const step = this.next();
    return step instanceof ProviderError
      ? Promise.reject(step)
      : Promise.resolve(this.completion(`from ${this.name}`));
  }

  async *stream(): AsyncGenerator<CompletionPart> {
    const step = this.next();
    await sleep(1);
    if (step instanceof ProviderError) throw step;
    yield { text: 'from' };
    if (step === 'mid-stream') throw new ProviderError('interrupted', 'cut');
    yield { text: ` ${this.name}` };
    yield { completion: this.completion(`from ${this.name}`) };
  }
}

const down = () => new ProviderError('unavailable', 'LLM provider is unreachable');
const rejected = () => new ProviderError('rejected', 'LLM provider answered with status 400');
const request: CompletionRequest = { prompt: 'x', maxTokens: 10 };

function chainOf(providers: FakeProvider[], threshold = 2, halfOpenAfterMs = 50) {
  const registry = new MetricsRegistry();
  const metrics = new ProviderMetrics(registry);
  const members = providers.map(
    (p) => new GuardedProvider(p, 'fake', metrics, { threshold, halfOpenAfterMs }),
  );
  return { chain: new ProviderChain(members, metrics), members, registry };
}

async function collect(parts: AsyncIterable<CompletionPart>) {
  let text = '';
  let completion: Completion | undefined;
  for await (const part of parts) {
    if ('text' in part) text += part.text;
    else completion = part.completion;
  }
  return { text, completion };
}

describe('ProviderChain', () => {
  it('answers from the first provider when it works', async () => {
    const { chain } = chainOf([new FakeProvider('a', ['ok']), new FakeProvider('b', ['ok'])]);
    await expect(chain.complete(request)).resolves.toMatchObject({ provider: 'a' });
    expect(chain.name).toBe('a');
  });

  it('falls back in order on provider failures, and reports the last one when all fail', async () => {
    const a = new FakeProvider('a', [down()]);
    const b = new FakeProvider('b', [down()]);
    const c = new FakeProvider('c', ['ok']);
    await expect(chainOf([a, b, c]).chain.complete(request)).resolves.toMatchObject({
      provider: 'c',
    });
    const all = chainOf([new FakeProvider('a', [down()]), new FakeProvider('b', [down()])]);
    await expect(all.chain.complete(request)).rejects.toMatchObject({ status: 502 });
  });

  it('does not fall back when the provider rejected the request', async () => {
    const b = new FakeProvider('b', ['ok']);
    const { chain } = chainOf([new FakeProvider('a', [rejected()]), b]);
    await expect(chain.complete(request)).rejects.toMatchObject({ kind: 'rejected', status: 502 });
    expect(b.calls).toBe(0);
  });

  it('opens the circuit after consecutive failures, skips the provider, then probes it again', async () => {
    const a = new FakeProvider('a', [down(), down(), 'ok']);
    const { chain, members, registry } = chainOf([a, new FakeProvider('b', ['ok'])], 2, 100);
    await chain.complete(request);
    await chain.complete(request);
    expect(members[0].circuit).toBe('open');
    // Open: the provider is not called at all.
    await expect(chain.complete(request)).resolves.toMatchObject({ provider: 'b' });
    expect(a.calls).toBe(2);
    const metrics = await registry.metrics();
    expect(metrics).toContain('gen_ai_provider_circuit_state{provider="a",state="open"} 1');
    expect(metrics).toMatch(
      /gen_ai_client_failures_total\{provider="a",.*error_type="circuit_open"\} 1/,
    );
    await sleep(150);
    // After the cool-down one probe passes; it succeeds and closes the circuit.
    await expect(chain.complete(request)).resolves.toMatchObject({ provider: 'a' });
    expect(members[0].circuit).toBe('closed');
  });

  it('does not count rejected requests or aborts against the circuit', async () => {
    const a = new FakeProvider('a', [rejected()]);
    const { chain, members } = chainOf([a], 1);
    await expect(chain.complete(request)).rejects.toBeInstanceOf(ProviderError);
    expect(members[0].circuit).toBe('closed');
  });

  it('streams from the first provider that produces something', async () => {
    const { chain } = chainOf([new FakeProvider('a', [down()]), new FakeProvider('b', ['ok'])]);
    const { text, completion } = await collect(chain.stream(request));
    expect(text).toBe('from b');
    expect(completion).toMatchObject({ provider: 'b' });
  });

  it('never falls back once a stream produced text: the failure reaches the caller', async () => {
    const b = new FakeProvider('b', ['ok']);
    const { chain } = chainOf([new FakeProvider('a', ['mid-stream']), b]);
    await expect(collect(chain.stream(request))).rejects.toMatchObject({ kind: 'interrupted' });
    expect(b.calls).toBe(0);
  });

  it('counts requests, tokens and latency per provider in the GenAI vocabulary', async () => {
    const { chain, registry } = chainOf([new FakeProvider('a', ['ok'])]);
    await chain.complete(request);
    await collect(chain.stream(request));
    const text = await registry.metrics();
    const labels =
      'provider="a",gen_ai_provider_name="fake",gen_ai_request_model="a-model",gen_ai_operation_name="chat"';
    expect(text).toContain(`gen_ai_client_requests_total{${labels}} 2`);
    expect(text).toContain(`gen_ai_client_tokens_total{${labels},gen_ai_token_type="input"} 2`);
    expect(text).toContain(`gen_ai_client_tokens_total{${labels},gen_ai_token_type="output"} 4`);
    expect(text).toContain(
      `gen_ai_client_operation_duration_seconds_count{${labels},error_type=""} 2`,
    );
  });
});
