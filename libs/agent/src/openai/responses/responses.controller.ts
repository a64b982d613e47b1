import { Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { AccessStep, type MeteredCall, type MeteredRoute } from '@app/access';
import type { ResponseControls } from '@app/platform';
import type { CacheStatus } from '../../history/query-record.js';
import { QueryService, type QueryInput } from '../../query/query.service.js';
import { SSE_HEADERS, sseEvent } from '../../streaming/sse.js';
import { SseStreams } from '../../streaming/sse-streams.js';
import { openAiError } from '../openai-error.filter.js';
import { ApiOpenAiErrors } from '../openai-api.schemas.js';
import { ModelRoute, OpenAiController } from '../openai-route.js';
import { CreateResponseDto } from './create-response.dto.js';
import { itemId, outputItems, responseObject } from './response-output.js';
import { ResponseEventWriter } from './response-events.js';
import { ResponseTurns, type ResponseTurn } from './response-turns.service.js';
import { RESPONSE_SCHEMA } from './responses.schemas.js';
import { StreamedToolCalls } from './streamed-tool-calls.js';

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
 * `POST /v1/responses` (OpenAI's Responses API), mapped onto the chat completions path of the
 * query use-case: the same providers, cache, history and limits.
 */
@OpenAiController('v1/responses')
export class ResponsesController {
  constructor(
    private readonly queries: QueryService,
    private readonly streams: SseStreams,
    private readonly turns: ResponseTurns,
    private readonly access: AccessStep,
  ) {}

  @Post()
  @ModelRoute(RESPONSE_ROUTE)
  @ApiOperation({
    operationId: 'createResponse',
    summary: 'Create a response (OpenAI Responses API)',
    description:
      'Text or item `input`, `instructions`, function `tools`, `text.format`, `max_output_tokens`, `store`, ' +
      '`previous_response_id` or `conversation`. With `stream: true`, the Responses events (each with ' +
      '`sequence_number`), ' +
      'sent as the provider streams the answer, ending with `response.completed`. With `conversation`, ' +
      'the conversation’s items are the context and this input and the output are added to it.',
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
      description: 'Unknown model, previous response or conversation',
      message: 'No response with this id exists for this client',
      code: 'not_found',
    },
  )
  create(
    @Req() req: IncomingMessage & { id?: string },
    @Res({ passthrough: true }) res: ResponseControls,
  ): Promise<object | AsyncIterable<string>> {
    return this.access.run(req, res, RESPONSE_ROUTE, (call) =>
      this.respond(call, req.id ?? null, res),
    );
  }

  private async respond(
    { body, clientId, signal, charge }: MeteredCall<CreateResponseDto>,
    requestId: string | null,
    res: ResponseControls,
  ): Promise<object | AsyncIterable<string>> {
    const turn = await this.turns.prepare(body, clientId);
    const input = { ...turn.query, requestId, signal };
    if (!body.stream) {
      const result = await this.queries.query(input);
      charge(result.tokensUsed);
      res.header('X-Cache', result.cache);
      const response = responseObject(turn.fields, result, outputItems(result));
      await this.turns.keep(turn, result, response);
      return response;
    }
    for (const [name, value] of Object.entries(SSE_HEADERS)) res.header(name, value);
    const messageId = itemId('msg');
    const writer = new ResponseEventWriter(responseObject(turn.fields), messageId);
    return this.streams.body(this.answer(turn, input, messageId), {
      frame: (event: AnswerEvent) =>
        'text' in event
          ? writer.text(event.text)
          : 'completed' in event
            ? (charge(event.tokensUsed), writer.finish(event.completed))
            : (res.header('X-Cache', event.cache), writer.start()),
      fail: (error) => {
        const { message, code, param } = openAiError(error).body.error;
        return sseEvent({ type: 'error', message, code, param }, 'error');
      },
    });
  }

  /**
   * The answer as the provider streams it; once complete, the response is kept (stored, added
   * to its conversation) before `response.completed` goes out, so the client can continue it.
   */
  private async *answer(
    turn: ResponseTurn,
    input: QueryInput,
    messageId: string,
  ): AsyncGenerator<AnswerEvent> {
    let text = '';
    const calls = new StreamedToolCalls();
    for await (const event of this.queries.stream(input)) {
      if ('text' in event) {
        text += event.text;
        calls.add(event.chunk);
        yield { text: event.text };
      } else if ('result' in event) {
        const toolCalls = event.result.toolCalls ?? calls.get();
        const result = { ...event.result, response: text, ...(toolCalls ? { toolCalls } : {}) };
        const completed = responseObject(turn.fields, result, outputItems(result, messageId));
        await this.turns.keep(turn, result, completed);
        yield { completed, tokensUsed: result.tokensUsed };
      } else {
        yield { cache: event.cache };
      }
    }
  }
}

type AnswerEvent =
  | { cache: CacheStatus }
  | { text: string }
  | { completed: Record<string, unknown>; tokensUsed: number };
