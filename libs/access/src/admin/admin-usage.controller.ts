import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@app/platform';
import { AdminUsageQueryDto, UsageReportDto } from '../budgets/usage-report.dto.js';
import { UsageReport } from '../budgets/usage-report.js';
import { AdminTokenGuard } from './admin-token.guard.js';

/** Name of the OpenAPI security scheme of the admin routes. */
export const ADMIN_SCHEME = 'admin-token';

/** Any client's usage, for operators (ADMIN_TOKEN). */
@ApiTags('admin')
@Controller('admin/usage')
@UseGuards(AdminTokenGuard)
@ApiBearerAuth(ADMIN_SCHEME)
export class AdminUsageController {
  constructor(@Inject(UsageReport) private readonly usage: UsageReport) {}

  @Get()
  @ApiOperation({ operationId: 'getClientUsage', summary: "A client's token usage and budgets" })
  @ApiOkResponse({ type: UsageReportDto })
  @ApiProblemResponses(
    {
      status: 400,
      description: 'A missing or malformed client, from or to.',
      detail: 'from must be a date such as 2026-01-31',
    },
    {
      status: 401,
      description: 'ADMIN_TOKEN is set and the request does not carry it.',
      detail: 'A valid admin token is required',
      headers: {
        'WWW-Authenticate': { required: true, schema: { type: 'string', example: 'Bearer' } },
      },
    },
    {
      status: 404,
      description: 'ADMIN_TOKEN is not set: there are no admin routes.',
      detail: 'Cannot GET /admin/usage',
    },
    {
      status: 503,
      description: 'PostgreSQL is configured but unreachable.',
      detail: 'Usage is temporarily unavailable',
    },
  )
  report(@Query() query: AdminUsageQueryDto): Promise<UsageReportDto> {
    // A client no longer configured still has its record; it is reported with the defaults.
    return this.usage.report(query.client, query);
  }
}
