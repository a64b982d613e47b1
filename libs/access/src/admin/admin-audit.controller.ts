import { Controller, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiProblemResponses, ProblemException } from '@app/platform';
import { AuditPageDto, toAuditEntryDto } from './admin-key-response.dto.js';
import { AuditQueryDto } from './admin-key.dto.js';
import { AdminRoute } from './admin-openapi.js';
import { KeyAdminService } from './key-admin.service.js';

/** The key changes, newest first: who changed what, when and from where. */
@Controller('admin/audit')
@AdminRoute()
export class AdminAuditController {
  constructor(private readonly keys: KeyAdminService) {}

  @Get()
  @ApiOperation({ operationId: 'listKeyAudit', summary: 'Key changes, newest first' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiProblemResponses({
    status: 400,
    description: 'limit out of 1..100, a malformed cursor or key_id.',
    detail: 'limit must be between 1 and 100',
  })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const limit = query.limit ?? 20;
    // Audit cursors are entry ids.
    if (query.cursor !== undefined && !/^\d{1,18}$/.test(query.cursor)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'cursor is not valid', [
        { field: 'cursor', message: 'cursor is not valid' },
      ]);
    }
    const entries = await this.keys.audit(limit, query.cursor, query.key_id);
    const items = entries.map(toAuditEntryDto);
    const last = items.at(-1);
    return items.length === limit && last ? { items, next_cursor: last.id } : { items };
  }
}
