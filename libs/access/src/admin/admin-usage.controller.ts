import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiProblemResponses } from '@app/platform';
import { AdminUsageQueryDto, UsageReportDto } from '../budgets/usage-report.dto.js';
import { UsageReport } from '../budgets/usage-report.js';
import { AdminRoute } from './admin-openapi.js';

/** Any client's usage, for operators (ADMIN_TOKEN or an admin key). */
@Controller('admin/usage')
@AdminRoute()
export class AdminUsageController {
  constructor(@Inject(UsageReport) private readonly usage: UsageReport) {}

  @Get()
  @ApiOperation({ operationId: 'getClientUsage', summary: "A client's token usage and budgets" })
  @ApiOkResponse({ type: UsageReportDto })
  @ApiProblemResponses({
    status: 400,
    description: 'A missing or malformed client, from or to.',
    detail: 'from must be a date such as 2026-01-31',
  })
  report(@Query() query: AdminUsageQueryDto): Promise<UsageReportDto> {
    // A client no longer configured still has its record; it is reported with the defaults.
    return this.usage.report(query.client, query);
  }
}
