import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DEFAULT_MAX_TOKENS } from './dto/create-query.dto.js';
import { LLM_PROVIDER, type LlmProvider } from './providers/llm-provider.js';

export interface QueryInput {
  prompt: string;
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface QueryResult {
  id: string;
  response: string;
  tokens_used: number;
  provider: string;
  model: string;
}

/** The query use-case: ask the configured provider and account for the tokens. */
@Injectable()
export class QueryService {
  constructor(@Inject(LLM_PROVIDER) private readonly provider: LlmProvider) {}

  async query(input: QueryInput): Promise<QueryResult> {
    const completion = await this.provider.complete({
      prompt: input.prompt,
      maxTokens: input.maxTokens ?? DEFAULT_MAX_TOKENS,
      signal: input.signal,
    });
    return {
      id: randomUUID(),
      response: completion.text,
      tokens_used: completion.promptTokens + completion.completionTokens,
      provider: this.provider.name,
      model: completion.model,
    };
  }
}
