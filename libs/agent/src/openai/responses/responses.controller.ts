import { Controller, HttpCode, HttpStatus, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { AccessStep, Metered, type MeteredCall, type MeteredRoute } from '@app/access';
import type { ResponseControls } from '@app/platform';
import { LLM_PROVIDER, type ChatMessage, type LlmProvider } from '../../providers/llm-provider.js';
import { QueryService } from '../../query/query.service.js';
import { SSE_HEADERS } from '../../streaming/sse.js';
import { SseStreams } from '../../streaming/sse-streams.js';
import { requireServedModel } from '../openai-error.js';
import { openAiError, OpenAiErrorFilter } from '../openai-error.filter.js';
import { ApiOpenAiErrors, OPENAI_ACCESS_ERRORS } from '../openai-api.schemas.js';
import { OPENAI_SETTINGS, type OpenAiSettings } from '../openai-settings.js';
import { sseEvent } from '../../streaming/sse.js';
import { CreateResponseDto } from './create-response.dto.js';
import { readInput, readResponseParameters } from './response-input.js';
import { assistantTurn, outputItems, responseObject } from './response-output.js';
import { responseEvents } from './response-events.js';
import { InMemoryResponseStore, trimConversation } from './response-store.js';
import { RESPONSE_SCHEMA } from './responses.schemas.js';
import { responseNotFound } from './stored-responses.controller.js';

/** Tokens reserved at admission: the output bound (1000 when unset, capped) plus ~4 bytes per input token. */
function reserveResponseTokens(body: CreateResponseDto): number {
  const max = body.max_output_tokens;
  const output = max && max > 0 ? Math.min(Math.trunc(max), 4096) : 1000;
  const bytes = Buffer.byteLength(JSON.stringify([body.input ?? null, body.instructions ?? null]));
  return output + Math.ceil(bytes / 4);
}

/** POST /v1/responses: its body, and its reservation. */
const RESPONSE_ROUTE: MeteredRoute<CreateResponseDto> = {
  body: CreateResponseDto,
  reserveTokens: reserveResponseTokens,
};

/**
 * `POST /v1/responses` and the stored responses (OpenAI's Responses API), mapped onto the chat
 * completions path of the query use-case: the same providers, cache, history and limits.
 */
@ApiTags('openai')
@Controller('v1/responses')
@UseFilters(OpenAiErrorFilter)
@ApiOpenAiErrors({
  status: 500,
  description: 'An unexpected error',
  message: 'An unexpected error occurred',
})
export class ResponsesController {
  constructor(
    private readonly queries: QueryService,
    private readonly streams: SseStreams,
    private readonly store: InMemoryResponseStore,
    @Inject(LLM_PROVIDER) private readonly provider: LlmProvider,
    @Inject(OPENAI_SETTINGS) private readonly settings: OpenAiSettings,
    private readonly access: AccessStep,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOpenAiErrors(...OPENAI_ACCESS_ERRORS)
  @Metered(RESPONSE_ROUTE)
  @ApiOperation({
    operationId: 'createResponse',
    summary: 'Create a response (OpenAI Responses API)',
    description:
      'Text or item `input`, `instructions`, function `tools`, `text.format`, `max_output_tokens`, `store`, ' +
      '`previous_response_id`. With `stream: true`, the Responses events (each with `sequence_number`), ' +
      'sent once the answer is complete, ending with `response.completed`.',
  })
  @ApiOkResponse({
    description: 'A `response` object, or (stream) Server-Sent Events.',
    content: {
      'application/json': { schema: RESPONSE_SCHEMA },
      'text/event-stream': {
        schema: {
          type: 'string',
          description: '`event: <type>` / `data: {"type", "sequence_number", ...}` events.',
        },
      },
    },
  })
  @ApiOpenAiErrors(
    {
      status: 400,
      description: 'Invalid or unsupported parameter',
      message: 'input must be a string or 1 to 1024 items',
      param: 'input',
    },
    {
      status: 404,
      description: 'Unknown model or previous response',
      message: 'No response with this id exists for this client',
      code: 'not_found',
    },
    {
      status: 502,
      description: 'The LLM provider failed',
      message: 'An unexpected error occurred',
    },
    {
      status: 504,
      description: 'The LLM provider did not answer in time',
      message: 'An unexpected error occurred',
    },
  )
  create(
    @Req() req: IncomingMessage & { id?: string },
    @Res({ passthrough: true }) res: ResponseControls,
  ): Promise<object | AsyncIterable<string>> {
    return this.access.run(req, res, RESPONSE_ROUTE, (call) =>
      this.answer(call, req.id ?? null, res),
    );
  }

  private async answer(
    { body, clientId, signal, charge }: MeteredCall<CreateResponseDto>,
    requestId: string | null,
    res: ResponseControls,
  ): Promise<object | AsyncIterable<string>> {
    requireServedModel(body.model, this.provider.model);
    const { messages: turns, items } = readInput(body.input);
    const params = readResponseParameters(body);
    const ceiling = this.settings.maxCompletionTokens;
    if (body.max_output_tokens)
      params.max_completion_tokens = Math.min(body.max_output_tokens, ceiling);
    const previous = body.previous_response_id
      ? this.store.get(body.previous_response_id, clientId)
      : undefined;
    if (body.previous_response_id && !previous) throw responseNotFound('previous_response_id');
    const conversation = trimConversation(
      [...(previous?.messages ?? []), ...turns],
      this.settings.contextMaxBytes,
    );
    const messages: ChatMessage[] = body.instructions
      ? [{ role: 'system', content: body.instructions }, ...conversation]
      : conversation;
    const id = randomUUID();
    const result = await this.queries.query({
      id,
      prompt: messages.findLast((m) => m.role === 'user')?.content ?? '',
      messages,
      maxTokens: Math.min(body.max_output_tokens ?? ceiling, ceiling),
      params,
      cacheable: !params.tools,
      requestId,
      clientId,
      signal,
    });
    charge(result.tokensUsed);
    res.header('X-Cache', result.cache);
    const fields = {
      id: `resp_${id.replaceAll('-', '')}`,
      createdAt: Math.floor(Date.now() / 1000),
      model: body.model,
      instructions: body.instructions ?? null,
      previousResponseId: body.previous_response_id ?? null,
      maxOutputTokens: body.max_output_tokens ?? null,
      store: body.store !== false,
      params,
    };
    const response = responseObject(fields, result, outputItems(result));
    if (fields.store) {
      this.store.put(fields.id, {
        clientId,
        response,
        inputItems: items,
        messages: [...conversation, assistantTurn(result)],
      });
    }
    if (!body.stream) return response;
    for (const [name, value] of Object.entries(SSE_HEADERS)) res.header(name, value);
    return this.streams.body(
      Readable.from(responseEvents(responseObject(fields), response)) as AsyncIterable<string>,
      {
        frame: (text: string) => text,
        fail: (error) => {
          const { message, code, param } = openAiError(error).body.error;
          return sseEvent({ type: 'error', message, code, param }, 'error');
        },
      },
    );
  }
}
