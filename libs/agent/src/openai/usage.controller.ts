import { Controller, Get, HttpStatus, Query, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, ClientId, UsageQueryDto, UsageReport, UsageReportDto } from '@app/access';
import { OpenAiRequestError } from './openai-error.js';
import { OpenAiErrorFilter } from './openai-error.filter.js';
import { ApiOpenAiErrors, OPENAI_ACCESS_ERRORS } from './openai-api.schemas.js';

/** `GET /v1/usage`: the calling client's tokens and requests per day, and its budgets. */
@ApiTags('openai')
@Controller('v1/usage')
@ApiOpenAiErrors(OPENAI_ACCESS_ERRORS[0])
@Authenticated()
@UseFilters(OpenAiErrorFilter)
export class UsageController {
  constructor(private readonly usage: UsageReport) {}

  @Get()
  @ApiOperation({
    operationId: 'getUsage',
    summary: "The calling client's token usage per UTC day and what is left of its budgets",
  })
  @ApiOkResponse({ type: UsageReportDto })
  @ApiOpenAiErrors(
    {
      status: 400,
      description: 'A malformed from or to, to before from, or a range over 366 days',
      message: 'from must be a date such as 2026-01-31',
    },
    {
      status: 404,
      description: 'The service runs without API keys: there is no client to report on',
      message: 'Usage is reported per API client; this service runs without keys',
    },
    { status: 500, description: 'An unexpected error', message: 'An unexpected error occurred' },
    {
      status: 503,
      description: 'PostgreSQL is configured but unreachable',
      message: 'Usage is temporarily unavailable',
    },
  )
  report(
    @Query() query: UsageQueryDto,
    @ClientId() clientId: string | null,
  ): Promise<UsageReportDto> {
    if (clientId === null) {
      throw new OpenAiRequestError(
        'Usage is reported per API client; this service runs without keys',
        null,
        'not_found',
        HttpStatus.NOT_FOUND,
      );
    }
    return this.usage.report(clientId, query);
  }
}
