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
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, ClientId } from '@app/access';
import { ProblemDetailsDto, ProblemException } from '@app/platform';
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
@ApiServiceUnavailableResponse({
  type: ProblemDetailsDto,
  description: 'PostgreSQL is configured but unreachable.',
})
export class HistoryController {
  constructor(@Inject(QUERY_HISTORY) private readonly history: QueryHistory) {}

  @Get()
  @ApiOperation({ summary: 'List answered queries, newest first' })
  @ApiOkResponse({ type: QueryHistoryPageDto })
  @ApiBadRequestResponse({
    type: ProblemDetailsDto,
    description: 'limit out of 1..100 or a malformed cursor.',
  })
  async list(
    @Query() query: ListQueriesDto,
    @ClientId() clientId: string | null,
  ): Promise<QueryHistoryPageDto> {
    const page = await this.history.list(query.limit ?? 20, query.cursor, clientId ?? undefined);
    return toQueryHistoryPageDto(page);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One answered query' })
  @ApiOkResponse({ type: QueryRecordDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto, description: 'id is not a UUID.' })
  @ApiNotFoundResponse({
    type: ProblemDetailsDto,
    description: 'No query with this id (or it belongs to another client).',
  })
  async get(
    @Param('id', UUID_PARAM) id: string,
    @ClientId() clientId: string | null,
  ): Promise<QueryRecordDto> {
    const record = await this.history.get(id, clientId ?? undefined);
    if (!record) throw new NotFoundException(`No query with id ${id}`);
    return toQueryRecordDto(record);
  }
}
