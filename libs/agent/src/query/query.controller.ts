import { Body, Controller, Headers, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { ClientId, Metered } from '@app/access';
import { ProblemDetailsDto, RequestId, type ResponseControls } from '@app/platform';
import { ClientSignal } from './client-signal.decorator.js';
import { CreateQueryDto } from './create-query.dto.js';
import { reserveQueryTokens } from './query-cost.js';
import { QueryResponseDto } from './query-response.dto.js';
import { QueryService } from './query.service.js';

@ApiTags('agent')
@Controller('query')
export class QueryController {
  constructor(private readonly queries: QueryService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @Metered<QueryResponseDto>({
    reserveTokens: reserveQueryTokens,
    tokensUsed: (result) => result.tokens_used,
  })
  @ApiOperation({
    summary: 'Ask the agent',
    description: 'Sends the prompt to the configured LLM provider.',
  })
  @ApiHeader({
    name: 'Cache-Control',
    required: false,
    description: '`no-cache` skips the cached answer (the fresh one is cached).',
  })
  @ApiOkResponse({
    type: QueryResponseDto,
    headers: {
      'X-Cache': {
        description: 'HIT, MISS or BYPASS',
        schema: { type: 'string', enum: ['HIT', 'MISS', 'BYPASS'] },
      },
      'X-Request-Id': {
        description: 'Request id (echoed or generated)',
        schema: { type: 'string' },
      },
      'RateLimit-Policy': {
        description: 'With a request limit: the per-minute policy (IETF HTTPAPI draft)',
        schema: { type: 'string', example: '"requests";q=60;w=60' },
      },
      RateLimit: {
        description: 'With a request limit: requests left and seconds until capacity returns',
        schema: { type: 'string', example: '"requests";r=59;t=60' },
      },
      'x-ratelimit-remaining-tokens': {
        description: 'With a token limit: tokens left this minute (also -limit-, -reset-)',
        schema: { type: 'integer' },
      },
    },
  })
  @ApiResponse({
    status: 502,
    type: ProblemDetailsDto,
    description: 'The configured LLM provider failed.',
  })
  @ApiResponse({
    status: 504,
    type: ProblemDetailsDto,
    description: 'The configured LLM provider timed out.',
  })
  @ApiBadRequestResponse({
    type: ProblemDetailsDto,
    description:
      'Empty prompt, max_tokens out of 10..2000, wrong types, unknown fields or malformed JSON.',
  })
  @ApiPayloadTooLargeResponse({
    type: ProblemDetailsDto,
    description: 'Body larger than BODY_LIMIT.',
  })
  @ApiUnsupportedMediaTypeResponse({
    type: ProblemDetailsDto,
    description: 'Body not sent as application/json.',
  })
  async query(
    @Body() body: CreateQueryDto,
    @Headers('cache-control') cacheControl: string | undefined,
    @RequestId() requestId: string | null,
    @ClientId() clientId: string | null,
    @ClientSignal() signal: AbortSignal,
    @Res({ passthrough: true }) res: ResponseControls,
  ): Promise<QueryResponseDto> {
    const result = await this.queries.query({
      prompt: body.prompt,
      maxTokens: body.max_tokens ?? undefined,
      bypassCache: /\bno-cache\b/i.test(cacheControl ?? ''),
      requestId,
      clientId,
      signal,
    });
    res.header('X-Cache', result.cache);
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
