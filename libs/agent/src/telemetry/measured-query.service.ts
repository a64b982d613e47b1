import { Inject, Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { LLM_PROVIDER, type LlmProvider } from '../providers/llm-provider.js';
import {
  QueryService,
  type QueryInput,
  type QueryResult,
  type QueryStreamEvent,
} from '../query/query.service.js';
import { GenAiMetrics, type GenAiLabels } from './gen-ai-metrics.js';
import { genAiErrorType } from './gen-ai-semconv.js';

/**
 * The query use-case, measured as a GenAI server: duration of every answer (cache hits and
 * failures included), time to the first token and time per output token of successful ones.
 * Both APIs (/query and /v1/chat/completions) answer through it, streamed or not.
 */
@Injectable()
export class MeasuredQueryService extends QueryService {
  @Inject(GenAiMetrics) private readonly genAi!: GenAiMetrics;
  @Inject(LLM_PROVIDER) private readonly chain!: LlmProvider;

  override async query(input: QueryInput): Promise<QueryResult> {
    const started = performance.now();
    try {
      const result = await super.query(input);
      const seconds = (performance.now() - started) / 1000;
      this.answered(result, seconds, seconds);
      return result;
    } catch (error) {
      this.failed(started, error, input);
      throw error;
    }
  }

  override async *stream(input: QueryInput): AsyncGenerator<QueryStreamEvent> {
    const started = performance.now();
    let firstToken: number | undefined;
    try {
      for await (const event of super.stream(input)) {
        if ('text' in event) firstToken ??= performance.now();
        if ('result' in event) {
          const end = performance.now();
          this.answered(
            event.result,
            (end - started) / 1000,
            ((firstToken ?? end) - started) / 1000,
            end - (firstToken ?? end),
          );
        }
        yield event;
      }
    } catch (error) {
      this.failed(started, error, input);
      throw error;
    }
  }

  /** `afterFirstMs` is the streamed part after the first token; undefined when not streamed. */
  private answered(
    result: Omit<QueryResult, 'response'>,
    seconds: number,
    ttftSeconds: number,
    afterFirstMs?: number,
  ): void {
    const labels: GenAiLabels = {
      provider: result.provider,
      ...this.baseLabels(),
      gen_ai_response_model: result.model,
    };
    this.genAi.requestDuration.record({ ...labels, error_type: '' }, seconds);
    this.genAi.timeToFirstToken.record(labels, ttftSeconds);
    const tokens = result.completionTokens;
    if (afterFirstMs === undefined) {
      if (tokens > 0) this.genAi.timePerOutputToken.record(labels, seconds / tokens);
    } else if (tokens > 1) {
      this.genAi.timePerOutputToken.record(labels, afterFirstMs / 1000 / (tokens - 1));
    }
  }

  private failed(started: number, error: unknown, input: QueryInput): void {
    const type = genAiErrorType(error, input.signal);
    this.genAi.requestDuration.record(
      {
        provider: this.chain.name,
        ...this.baseLabels(),
        gen_ai_response_model: '',
        error_type: type,
      },
      (performance.now() - started) / 1000,
    );
  }

  private baseLabels(): GenAiLabels {
    return { gen_ai_operation_name: 'chat', gen_ai_request_model: this.chain.model };
  }
}
