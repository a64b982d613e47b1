import { Controller, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import {
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  AccessStep,
  Metered,
  RATE_LIMIT_HEADERS,
  type MeteredCall,
  type MeteredRoute,
} from '@app/access';
import { ApiProblemResponses, type ResponseControls } from '@app/platform';
import { CreateQueryDto } from './create-query.dto.js';
import { reserveQueryTokens } from './query-cost.js';
import { QueryResponseDto } from './query-response.dto.js';
import { problemOf } from '../streaming/problem-event.js';
import { SSE_HEADERS, sseEvent } from '../streaming/sse.js';
import { SseStreams } from '../streaming/sse-streams.js';
import {
  QUERY_STREAM_DESCRIPTION,
  QUERY_STREAM_EXAMPLE,
  QueryStreamChunkDto,
  QueryStreamDoneDto,
} from './query-stream.dto.js';
import { QueryService, type QueryInput, type QueryStreamEvent } from './query.service.js';
import { SERVER_TIMING_HEADER, setAnswerHeaders } from './server-timing.js';

/** POST /query: its body, and its reservation (max_tokens plus the prompt's estimate). */
const QUERY_ROUTE: MeteredRoute<CreateQueryDto> = {
  body: CreateQueryDto,
  reserveTokens: reserveQueryTokens,
};

@ApiTags('agent')
@ApiExtraModels(QueryResponseDto, QueryStreamChunkDto, QueryStreamDoneDto)
@Controller('query')
export class QueryController {
  constructor(
    private readonly queries: QueryService,
    private readonly streams: SseStreams,
    private readonly access: AccessStep,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @Metered(QUERY_ROUTE)
  @ApiOperation({
    operationId: 'createQuery',
    summary: 'Ask the agent',
    description: 'Sends the prompt to the configured LLM provider.',
  })
  @ApiHeader({
    name: 'Cache-Control',
    required: false,
    description: '`no-cache` skips the cached answer (the fresh one is cached).',
  })
  @ApiHeader({
    name: 'Accept',
    required: false,
    description: '`text/event-stream` streams the answer (as `"stream": true` does).',
  })
  @ApiOkResponse({
    description: `The answer. ${QUERY_STREAM_DESCRIPTION}`,
    content: {
      'application/json': { schema: { $ref: getSchemaPath(QueryResponseDto) } },
      'text/event-stream': {
        schema: {
          type: 'string',
          description:
            'SSE events: chunk (QueryStreamChunkDto), done (QueryStreamDoneDto), error (ProblemDetailsDto).',
        },
        // The `data` of each event type (OpenAPI 3.0 cannot type an event stream's items).
        ...({
          'x-sse-events': {
            chunk: { $ref: getSchemaPath(QueryStreamChunkDto) },
            done: { $ref: getSchemaPath(QueryStreamDoneDto) },
            error: { $ref: '#/components/schemas/ProblemDetailsDto' },
          },
        } as object),
        example: QUERY_STREAM_EXAMPLE,
      },
    },
    headers: {
      'X-Cache': {
        description: 'HIT, MISS or BYPASS',
        schema: { type: 'string', enum: ['HIT', 'MISS', 'BYPASS'] },
      },
      'Server-Timing': SERVER_TIMING_HEADER,
      ...RATE_LIMIT_HEADERS,
    },
  })
  @ApiProblemResponses(
    {
      status: 400,
      description:
        'Empty prompt, max_tokens out of 10..2000, wrong types, unknown fields or malformed JSON.',
      detail: 'Prompt cannot be empty',
      errors: [{ field: 'prompt', message: 'Prompt cannot be empty' }],
      instance: '/query',
    },
    {
      status: 404,
      description: 'conversation_id names no conversation of this client.',
      detail: 'No conversation with this id exists for this client',
      instance: '/query',
    },
    { status: 413, description: 'Body larger than BODY_LIMIT.', instance: '/query' },
    { status: 415, description: 'Body not sent as application/json.', instance: '/query' },
    {
      status: 502,
      description: 'The configured LLM provider failed or sent no completion.',
      detail: 'LLM provider answered with status 500',
      instance: '/query',
    },
    {
      status: 504,
      description: 'The configured LLM provider did not answer within LLM_TIMEOUT_MS.',
      detail: 'LLM provider did not answer in time',
      instance: '/query',
    },
  )
  query(
    @Req() req: IncomingMessage & { id?: string },
    @Res({ passthrough: true }) res: ResponseControls,
  ): Promise<QueryResponseDto | AsyncIterable<string>> {
    return this.access.run(req, res, QUERY_ROUTE, (call) => this.answer(call, req, res));
  }

  private async answer(
    { body, clientId, signal, charge }: MeteredCall<CreateQueryDto>,
    req: IncomingMessage & { id?: string },
    res: ResponseControls,
  ): Promise<QueryResponseDto | AsyncIterable<string>> {
    const requestId = req.id ?? null;
    const input: QueryInput = {
      prompt: body.prompt,
      maxTokens: body.max_tokens ?? undefined,
      bypassCache: /\bno-cache\b/i.test(req.headers['cache-control'] ?? ''),
      requestId,
      clientId,
      conversationId: body.conversation_id,
    };
    const wantsStream = body.stream ?? /\btext\/event-stream\b/i.test(req.headers.accept ?? '');
    if (wantsStream) {
      for (const [name, value] of Object.entries(SSE_HEADERS)) res.header(name, value);
      return this.streams.body(this.queries.stream({ ...input, signal }), {
        frame: (event: QueryStreamEvent) =>
          'text' in event
            ? sseEvent({ text: event.text }, 'chunk')
            : 'result' in event
              ? (charge(event.result.tokensUsed),
                sseEvent(
                  {
                    id: event.result.id,
                    tokens_used: event.result.tokensUsed,
                    provider: event.result.provider,
                    model: event.result.model,
                    cache: event.result.cache,
                  },
                  'done',
                ))
              : (setAnswerHeaders(res, event.cache, event.timings), ''),
        fail: (error) => sseEvent(problemOf(error, '/query', requestId), 'error'),
      });
    }
    const result = await this.queries.query({ ...input, signal });
    charge(result.tokensUsed);
    setAnswerHeaders(res, result.cache, result.timings);
    return {
      response: result.response,
      tokens_used: result.tokensUsed,
      id: result.id,
      provider: result.provider,
      model: result.model,
      client_id: result.clientId,
    };
  }
}
