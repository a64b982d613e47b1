import { Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AccessStep, type MeteredCall, type MeteredRoute } from '@app/access';
import type { ResponseControls } from '@app/platform';
import { LLM_PROVIDER, type LlmProvider } from '../providers/llm-provider.js';
import { QueryService, type QueryStreamEvent } from '../query/query.service.js';
import { SSE_HEADERS, sseEvent } from '../streaming/sse.js';
import { SseStreams } from '../streaming/sse-streams.js';
import { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { chatCompletion, ChunkWriter } from './chat-completion.mapper.js';
import { readMessages } from './chat-messages.js';
import { readParameters } from './chat-parameters.js';
import { OPENAI_SETTINGS, type OpenAiSettings } from './openai-settings.js';
import { OpenAiRequestError, requireServedModel } from './openai-error.js';
import { openAiError } from './openai-error.filter.js';
import { ModelRoute, OpenAiController } from './openai-route.js';
import { ApiOpenAiErrors, CHAT_COMPLETION_SCHEMA } from './openai-api.schemas.js';
import { refuseUnsupported } from './unsupported-parameters.js';
import { reserveChatTokens } from './chat-cost.js';
import { SERVER_TIMING_HEADER, setAnswerHeaders } from '../query/server-timing.js';

const STREAM_EXAMPLE = [
  'data: {"id":"chatcmpl-…","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],…}',
  'data: {"id":"chatcmpl-…","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Processed:"},"finish_reason":null}],…}',
  'data: {"id":"chatcmpl-…","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],…}',
  'data: [DONE]',
].join('\n\n');

/** POST /v1/chat/completions: its body, and its reservation. */
const CHAT_ROUTE: MeteredRoute<ChatCompletionRequestDto> = {
  body: ChatCompletionRequestDto,
  reserveTokens: reserveChatTokens,
};

/**
 * `POST /v1/chat/completions`: the query use-case (cache, history, providers) in OpenAI's
 * Chat Completions shape, streamed or not, with OpenAI's error format.
 */
@OpenAiController('v1')
export class ChatCompletionsController {
  constructor(
    private readonly queries: QueryService,
    private readonly streams: SseStreams,
    @Inject(LLM_PROVIDER) private readonly provider: LlmProvider,
    @Inject(OPENAI_SETTINGS) private readonly settings: OpenAiSettings,
    private readonly access: AccessStep,
  ) {}

  @Post('chat/completions')
  @ModelRoute(CHAT_ROUTE)
  @ApiOperation({
    operationId: 'createChatCompletion',
    summary: 'Create a chat completion (OpenAI-compatible)',
    description:
      'OpenAI Chat Completions. Sampling parameters, function `tools`, `tool_choice`, `response_format`, ' +
      '`stop`, `n` and `logprobs` go to the provider as given; `max_tokens` is clamped to ' +
      'LLM_MAX_COMPLETION_TOKENS. With `stream: true`: `chat.completion.chunk` events (an ' +
      "OpenAI-compatible upstream's as it sent them), then `data: [DONE]`; " +
      '`stream_options.include_usage` adds a last chunk with the usage. A failure after the first ' +
      'chunk is sent as `data: {"error": {...}}` and the stream ends without `[DONE]`. Errors: ' +
      '`{"error": {"message", "type", "param", "code"}}`.',
  })
  @ApiOkResponse({
    description: 'A `chat.completion` object, or (stream) Server-Sent Events.',
    headers: {
      'X-Cache': {
        description: 'HIT, MISS or BYPASS',
        schema: { type: 'string', enum: ['HIT', 'MISS', 'BYPASS'] },
      },
      'Server-Timing': SERVER_TIMING_HEADER,
    },
    content: {
      'application/json': { schema: CHAT_COMPLETION_SCHEMA },
      'text/event-stream': {
        schema: {
          type: 'string',
          description:
            '`data: <chat.completion.chunk JSON>` events, then `data: [DONE]`; a failure after the first chunk is `data: {"error": {...}}` and no `[DONE]`.',
        },
        example: STREAM_EXAMPLE,
      },
    },
  })
  @ApiOpenAiErrors(
    {
      status: 400,
      description: 'Invalid, unknown or unsupported parameter, or malformed JSON',
      message: 'Unrecognized request argument supplied: temperature',
      param: 'temperature',
      code: 'unknown_parameter',
    },
    {
      status: 404,
      description: 'Unknown model (code model_not_found)',
      message: 'The model does not exist or you do not have access to it (see GET /v1/models).',
      param: 'model',
      code: 'model_not_found',
    },
    {
      status: 413,
      description: 'Body larger than BODY_LIMIT',
      message: 'Request body is larger than the configured limit',
    },
    {
      status: 415,
      description: 'Body not sent as application/json',
      message: 'Request body must be sent as application/json',
    },
  )
  create(
    @Req() req: IncomingMessage & { id?: string },
    @Res({ passthrough: true }) res: ResponseControls,
  ): Promise<object | AsyncIterable<string>> {
    return this.access.run(req, res, CHAT_ROUTE, (call) => this.answer(call, req, res));
  }

  private async answer(
    { body, clientId, signal, charge }: MeteredCall<ChatCompletionRequestDto>,
    req: IncomingMessage & { id?: string },
    res: ResponseControls,
  ): Promise<object | AsyncIterable<string>> {
    const requestId = req.id ?? null;
    refuseUnsupported(body);
    requireServedModel(body.model, this.provider.model);
    const includeUsage = body.stream_options?.include_usage;
    if (includeUsage !== undefined && typeof includeUsage !== 'boolean') {
      throw new OpenAiRequestError(
        'stream_options.include_usage must be a boolean',
        'stream_options.include_usage',
      );
    }
    const { messages, prompt } = readMessages(body.messages);
    const { params, maxTokens, cacheable } = readParameters(
      body,
      this.settings.maxCompletionTokens,
    );
    const id = randomUUID();
    const created = Math.floor(Date.now() / 1000);
    const input = {
      id,
      prompt,
      // A single user turn hashes as POST /query's prompt does.
      messages: messages.length === 1 && messages[0].role === 'user' ? undefined : messages,
      maxTokens,
      params,
      cacheable,
      bypassCache: /\bno-cache\b/i.test(req.headers['cache-control'] ?? ''),
      requestId,
      clientId,
    };
    if (!body.stream) {
      const result = await this.queries.query({ ...input, signal });
      charge(result.tokensUsed);
      setAnswerHeaders(res, result.cache, result.timings);
      return chatCompletion(result, created, body.n ?? 1);
    }
    for (const [name, value] of Object.entries(SSE_HEADERS)) res.header(name, value);
    const writer = new ChunkWriter(
      `chatcmpl-${id}`,
      created,
      body.model,
      includeUsage === true,
      body.n ?? 1,
    );
    const frames = (chunks: object[]) => chunks.map((c) => sseEvent(c)).join('');
    // An upstream's chunks go on as it sent them; the writer speaks for the built-in provider
    // and for cache hits.
    let forwarded = false;
    const forward = (chunk: object) => {
      forwarded = true;
      // The usage is always asked of the upstream (it settles the budget), shown only if asked.
      const usageOnly = (chunk as { choices?: unknown[] }).choices?.length === 0;
      return usageOnly && includeUsage !== true ? '' : sseEvent(chunk);
    };
    return this.streams.body(this.queries.stream({ ...input, signal }), {
      frame: (event: QueryStreamEvent) =>
        'text' in event
          ? event.chunk
            ? forward(event.chunk)
            : frames(writer.text(event.text))
          : 'result' in event
            ? (charge(event.result.tokensUsed), forwarded ? '' : frames(writer.done(event.result)))
            : (setAnswerHeaders(res, event.cache, event.timings), ''),
      // What the official SDKs raise as an APIError: an `error` object in a data line.
      fail: (error) => sseEvent(openAiError(error).body),
      end: sseEvent('[DONE]'),
    });
  }
}
