import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { MetricsRegistry } from '@app/platform';
import { InMemoryResponseCache } from '../cache/in-memory-response-cache.js';
import { RESPONSE_CACHE } from '../cache/response-cache.js';
import { InMemoryQueryHistory } from '../history/in-memory-query-history.js';
import { QUERY_HISTORY } from '../history/query-history.js';
import {
  LLM_PROVIDER,
  type Completion,
  type CompletionPart,
  type LlmProvider,
} from '../providers/llm-provider.js';
import { ProviderError } from '../providers/provider-error.js';
import { QUERY_POLICY, QueryService } from '../query/query.service.js';
import { GenAiMetrics } from './gen-ai-metrics.js';
import { MeasuredQueryService } from './measured-query.service.js';

class SlowStreamProvider implements LlmProvider {
  readonly name = 'openai';
  readonly model = 'm-request';
  fail = false;

  complete(): Promise<Completion> {
    if (this.fail) return Promise.reject(new ProviderError('timeout', 'late'));
    return Promise.resolve(this.completion());
  }

  async *stream(): AsyncGenerator<CompletionPart> {
    await new Promise((r) => setTimeout(r, 60));
    yield { text: 'a ' };
    await new Promise((r) => setTimeout(r, 60));
    yield { text: 'b' };
    yield { completion: this.completion() };
  }

  private completion(): Completion {
    return {
      text: 'a b',
      model: 'm-response',
      provider: 'openai',
      promptTokens: 3,
      completionTokens: 3,
    };
  }
}

async function subject() {
  const provider = new SlowStreamProvider();
  const registry = new MetricsRegistry();
  const module = await Test.createTestingModule({
    providers: [
      { provide: QueryService, useClass: MeasuredQueryService },
      { provide: LLM_PROVIDER, useValue: provider },
      {
        provide: RESPONSE_CACHE,
        useValue: new InMemoryResponseCache({ maxEntries: 10, maxBytes: 1e6, ttlSeconds: 60 }),
      },
      {
        provide: QUERY_HISTORY,
        useValue: new InMemoryQueryHistory({ maxRecords: 10, maxBytes: 1e6 }),
      },
      { provide: QUERY_POLICY, useValue: { cacheEnabled: true, storeText: false } },
      { provide: MetricsRegistry, useValue: registry },
      { provide: GenAiMetrics, useFactory: () => new GenAiMetrics(registry) },
    ],
  }).compile();
  return { service: module.get(QueryService), provider, registry };
}

/** The value of one Prometheus sample, by its line prefix. */
function sample(text: string, prefix: string): number {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`no sample ${prefix}`);
  return Number(line.split(' ').at(-1));
}

const LABELS =
  'provider="openai",gen_ai_operation_name="chat",gen_ai_request_model="m-request",gen_ai_response_model="m-response"';

describe('MeasuredQueryService', () => {
  it('is what the agent injects as QueryService, and measures a streamed answer', async () => {
    const { service, registry } = await subject();
    expect(service).toBeInstanceOf(MeasuredQueryService);
    for await (const event of service.stream({ prompt: 'hello' })) void event;
    const text = await registry.metrics();
    const duration = sample(
      text,
      `gen_ai_server_request_duration_seconds_sum{${LABELS},error_type=""}`,
    );
    const ttft = sample(text, `gen_ai_server_time_to_first_token_seconds_sum{${LABELS}}`);
    const tpot = sample(text, `gen_ai_server_time_per_output_token_seconds_sum{${LABELS}}`);
    // First token after ~60 ms, the last ~60 ms later, over 3 - 1 tokens.
    expect(ttft).toBeGreaterThanOrEqual(0.05);
    expect(duration).toBeGreaterThanOrEqual(ttft + 0.05);
    expect(tpot).toBeGreaterThanOrEqual(0.02);
    expect(tpot).toBeLessThan(duration);
  });

  it('measures a cached answer too, and a failure by its kind', async () => {
    const { service, provider, registry } = await subject();
    await service.query({ prompt: 'hi' });
    await service.query({ prompt: 'hi' }); // the cache answers
    provider.fail = true;
    await expect(service.query({ prompt: 'new' })).rejects.toThrow(ProviderError);
    const text = await registry.metrics();
    expect(
      sample(text, `gen_ai_server_request_duration_seconds_count{${LABELS},error_type=""}`),
    ).toBe(2);
    expect(
      sample(
        text,
        'gen_ai_server_request_duration_seconds_count{provider="openai",gen_ai_operation_name="chat",gen_ai_request_model="m-request",gen_ai_response_model="",error_type="timeout"}',
      ),
    ).toBe(1);
    expect(sample(text, `gen_ai_server_time_to_first_token_seconds_count{${LABELS}}`)).toBe(2);
  });
});
