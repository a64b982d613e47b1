import { Body, Controller, Headers, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, RequestId, type ResponseControls } from '@app/platform';
import { CreateQueryDto } from './create-query.dto.js';
import { QueryResponseDto } from './query-response.dto.js';
import { QueryService } from './query.service.js';

@ApiTags('agent')
@Controller('query')
export class QueryController {
  constructor(private readonly queries: QueryService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
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
  @ApiOkResponse({
    type: QueryResponseDto,
    headers: {
      'X-Cache': {
        description: 'HIT, MISS or BYPASS',
        schema: { type: 'string', enum: ['HIT', 'MISS', 'BYPASS'] },
      },
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
  async query(
    @Body() body: CreateQueryDto,
    @Headers('cache-control') cacheControl: string | undefined,
    @RequestId() requestId: string | null,
    @Res({ passthrough: true }) res: ResponseControls,
  ): Promise<QueryResponseDto> {
    const { cache, ...result } = await this.queries.query({
      prompt: body.prompt,
      maxTokens: body.max_tokens ?? undefined,
      bypassCache: /\bno-cache\b/i.test(cacheControl ?? ''),
      requestId,
    });
    res.header('X-Cache', cache);
    return result;
  }
}
