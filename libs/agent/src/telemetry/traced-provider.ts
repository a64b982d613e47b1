import { SpanKind, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { startSpan, inSpanContext, tracingStarted } from '@app/platform/telemetry';
import {
  messagesOf,
  type Completion,
  type CompletionPart,
  type CompletionRequest,
  type LlmProvider,
} from '../providers/llm-provider.js';
import type { GenAiMetrics } from './gen-ai-metrics.js';
import { GEN_AI, genAiErrorType, PROVIDER_ATTEMPT, PROVIDER_ID } from './gen-ai-semconv.js';
import { inputMessages, outputMessages, type MessageCapture } from './message-capture.js';

/**
 * One attempt at a chain member as seen by tracing and the token metric: every call is a CLIENT
 * span `chat {model}` with the GenAI attributes and its attempt number, so a retry and a fallback
 * are spans of their own, each with the HTTP call of the fetch instrumentation (which carries
 * `traceparent` upstream) as its child. Prompts and answers enter the span only when capture is on.
 */
export class TracedProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;

  constructor(
    private readonly inner: LlmProvider,
    private readonly kind: string,
    private readonly metrics: GenAiMetrics,
    private readonly capture: MessageCapture,
  ) {
    this.name = inner.name;
    this.model = inner.model;
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const span = this.start(request);
    try {
      const completion = await inSpanContext(span)(() => this.inner.complete(request));
      this.succeeded(span, completion);
      return completion;
    } catch (error) {
      failed(span, error, request);
      throw error;
    } finally {
      span.end();
    }
  }

  async *stream(request: CompletionRequest): AsyncGenerator<CompletionPart> {
    const span = this.start(request);
    const inSpan = inSpanContext(span);
    const iterator = this.inner.stream(request)[Symbol.asyncIterator]();
    try {
      // Each step of the upstream stream runs in the span's context (its fetch is a child).
      for (;;) {
        const next = await inSpan(() => iterator.next());
        if (next.done) break;
        if ('completion' in next.value) this.succeeded(span, next.value.completion);
        yield next.value;
      }
    } catch (error) {
      failed(span, error, request);
      throw error;
    } finally {
      await iterator.return?.(undefined);
      span.end();
    }
  }

  private start(request: CompletionRequest): Span {
    // Off, no attributes are even built (the returned span is a no-op).
    if (!tracingStarted()) return startSpan('', {});
    const attributes: Attributes = {
      [GEN_AI.operationName]: 'chat',
      [GEN_AI.providerName]: this.kind,
      [GEN_AI.requestModel]: this.model,
      [GEN_AI.requestMaxTokens]: request.maxTokens,
      [PROVIDER_ID]: this.name,
      [PROVIDER_ATTEMPT]: request.attempt ?? 1,
    };
    if (this.capture.enabled) {
      attributes[GEN_AI.inputMessages] = inputMessages(messagesOf(request), this.capture.maxBytes);
    }
    return startSpan(`chat ${this.model}`, { kind: SpanKind.CLIENT, attributes });
  }

  private succeeded(span: Span, completion: Completion): void {
    const finishReason = completion.finishReason ?? 'stop';
    span.setAttributes({
      [GEN_AI.responseModel]: completion.model,
      [GEN_AI.usageInputTokens]: completion.promptTokens,
      [GEN_AI.usageOutputTokens]: completion.completionTokens,
      [GEN_AI.responseFinishReasons]: [finishReason],
    });
    if (this.capture.enabled && span.isRecording()) {
      span.setAttribute(
        GEN_AI.outputMessages,
        outputMessages(completion.text, finishReason, this.capture.maxBytes),
      );
    }
    const labels = {
      provider: this.name,
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: this.kind,
      gen_ai_request_model: this.model,
      gen_ai_response_model: completion.model,
    };
    this.metrics.tokenUsage.record(
      { ...labels, gen_ai_token_type: 'input' },
      completion.promptTokens,
    );
    this.metrics.tokenUsage.record(
      { ...labels, gen_ai_token_type: 'output' },
      completion.completionTokens,
    );
  }
}

function failed(span: Span, error: unknown, request: CompletionRequest): void {
  span.setAttribute(GEN_AI.errorType, genAiErrorType(error, request.signal));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** Wraps each chain member as it is built (see createProviderChain). */
export function tracedProviders(metrics: GenAiMetrics, capture: MessageCapture) {
  return (provider: LlmProvider, kind: string): LlmProvider =>
    new TracedProvider(provider, kind, metrics, capture);
}
