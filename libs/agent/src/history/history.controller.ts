import {
  Controller,
  Get,
  HttpStatus,
  Inject,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Query,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, ClientId } from '@app/access';
import { ApiProblemResponses, ProblemException } from '@app/platform';
import {
  ListQueriesDto,
  QueryHistoryPageDto,
  QueryRecordDto,
  toQueryHistoryPageDto,
  toQueryRecordDto,
} from './query-record.dto.js';
import { QUERY_HISTORY, type QueryHistory } from './query-history.js';

function invalidId(): ProblemException {
  return new ProblemException(HttpStatus.BAD_REQUEST, 'id must be a UUID', [
    { field: 'id', message: 'id must be a UUID' },
  ]);
}
const UUID_PARAM = new ParseUUIDPipe({ exceptionFactory: invalidId });

/** Read access to the query history: with keys configured, each client sees only its own. */
@ApiTags('agent')
@Controller('queries')
@Authenticated()
@ApiProblemResponses({
  status: 503,
  description: 'PostgreSQL is configured but unreachable.',
  detail: 'Query history is temporarily unavailable',
})
export class HistoryController {
  constructor(@Inject(QUERY_HISTORY) private readonly history: QueryHistory) {}

  @Get()
  @ApiOperation({ operationId: 'listQueries', summary: 'List answered queries, newest first' })
  @ApiOkResponse({ type: QueryHistoryPageDto })
  @ApiProblemResponses({
    status: 400,
    description: 'limit out of 1..100, a malformed cursor or an unknown parameter.',
    detail: 'limit must be between 1 and 100',
    errors: [{ field: 'limit', message: 'limit must be between 1 and 100' }],
    instance: '/queries',
  })
  async list(
    @Query() query: ListQueriesDto,
    @ClientId() clientId: string | null,
  ): Promise<QueryHistoryPageDto> {
    const page = await this.history.list(query.limit ?? 20, query.cursor, clientId ?? undefined);
    return toQueryHistoryPageDto(page);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getQuery', summary: 'One answered query' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The `id` POST /query answered.' })
  @ApiOkResponse({ type: QueryRecordDto })
  @ApiProblemResponses(
    {
      status: 400,
      description: 'id is not a UUID.',
      detail: 'id must be a UUID',
      errors: [{ field: 'id', message: 'id must be a UUID' }],
    },
    {
      status: 404,
      description: 'No query with this id (or it belongs to another client).',
      detail: 'No query with id 0b9f4c1e-5d2a-4f43-8a8e-3c1d2e4f5a6b',
    },
  )
  async get(
    @Param('id', UUID_PARAM) id: string,
    @ClientId() clientId: string | null,
  ): Promise<QueryRecordDto> {
    const record = await this.history.get(id, clientId ?? undefined);
    if (!record) throw new NotFoundException(`No query with id ${id}`);
    return toQueryRecordDto(record);
  }
}
