import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  type PipeTransform,
} from '@nestjs/common';
import { ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiProblemResponses, ProblemException } from '@app/platform';
import { KeyDto, KeyPageDto, KeySecretDto, toKeyDto } from './admin-key-response.dto.js';
import {
  CONFIGURED_KEY_ID,
  CreateKeyDto,
  KEY_ID,
  KeyLimitsDto,
  PageQueryDto,
  RotateKeyDto,
  UpdateKeyDto,
} from './admin-key.dto.js';
import { AdminRoute } from './admin-openapi.js';
import { AdminSource } from './admin.guard.js';
import { KeyAdminService } from './key-admin.service.js';
import type { AuditSource, ManagedLimits } from './managed-key.js';

const invalidId = () =>
  new ProblemException(400, 'id is not a key id', [{ field: 'id', message: 'id is not a key id' }]);
const KEY_ID_PARAM: PipeTransform<string, string> = {
  transform: (id) => {
    if (!KEY_ID.test(id) && !CONFIGURED_KEY_ID.test(id)) throw invalidId();
    return id;
  },
};
const ID = { name: 'id', description: 'The key id (see the list).', example: 'acme-prod' };
const BAD_BODY = {
  status: 400,
  description: 'An invalid or unknown field.',
  detail: 'requests_per_minute must be an integer from 0 to 1000000',
  errors: [
    {
      field: 'requests_per_minute',
      message: 'requests_per_minute must be an integer from 0 to 1000000',
    },
  ],
};
const CONFLICT = (description: string, detail: string) => ({ status: 409, description, detail });
const READ_ONLY = CONFLICT(
  'The key is configured by API_KEYS / API_KEYS_FILE (read-only here), or revoked.',
  'This key is configured by API_KEYS or API_KEYS_FILE and is read-only: change it there',
);

/** The key API: keys created, listed, changed, revoked and rotated by an operator. */
@Controller('admin/keys')
@AdminRoute()
export class AdminKeysController {
  constructor(private readonly keys: KeyAdminService) {}

  @Post()
  @ApiOperation({
    operationId: 'createKey',
    summary: 'Create an API key (its secret is shown once)',
  })
  @ApiCreatedResponse({ type: KeySecretDto })
  @ApiProblemResponses(
    BAD_BODY,
    CONFLICT(
      'A key with this id exists, or the store is full.',
      'An API key with id acme-prod already exists',
    ),
  )
  async create(
    @Body() body: CreateKeyDto,
    @AdminSource() source: AuditSource,
  ): Promise<KeySecretDto> {
    const { key, secret } = await this.keys.create(
      {
        id: body.id,
        clientId: body.client_id,
        name: body.name,
        admin: body.admin,
        limits: limitsOf(body, null),
      },
      source,
    );
    return { ...toKeyDto({ ...key, source: 'api' }), key: secret };
  }

  @Get()
  @ApiOperation({ operationId: 'listKeys', summary: 'List API keys by id (never their secrets)' })
  @ApiOkResponse({ type: KeyPageDto })
  @ApiProblemResponses({
    status: 400,
    description: 'limit out of 1..100 or a malformed cursor.',
    detail: 'limit must be between 1 and 100',
  })
  async list(@Query() query: PageQueryDto): Promise<KeyPageDto> {
    const page = await this.keys.list(query.limit ?? 20, query.cursor);
    const items = page.items.map(toKeyDto);
    return page.next === undefined ? { items } : { items, next_cursor: page.next };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getKey', summary: 'One API key' })
  @ApiParam(ID)
  @ApiOkResponse({ type: KeyDto })
  @ApiProblemResponses({ status: 400, description: 'Not a key id.', detail: 'id is not a key id' })
  async show(@Param('id', KEY_ID_PARAM) id: string): Promise<KeyDto> {
    return toKeyDto(await this.keys.show(id));
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateKey', summary: "Change a key's name, limits or budgets" })
  @ApiParam(ID)
  @ApiOkResponse({ type: KeyDto })
  @ApiProblemResponses(BAD_BODY, READ_ONLY)
  async update(
    @Param('id', KEY_ID_PARAM) id: string,
    @Body() body: UpdateKeyDto,
    @AdminSource() source: AuditSource,
  ): Promise<KeyDto> {
    const limits = limitsOf(body, undefined);
    if (body.name === undefined && Object.values(limits).every((v) => v === undefined)) {
      throw new ProblemException(400, 'Nothing to change: send name, limits or budgets');
    }
    const key = await this.keys.update(id, { name: body.name, limits }, source);
    return toKeyDto({ ...key, source: 'api' });
  }

  @Delete(':id')
  @ApiOperation({
    operationId: 'deleteKey',
    summary: 'Revoke a key: it stops working on every replica within a second',
  })
  @ApiParam(ID)
  @ApiOkResponse({ type: KeyDto })
  @ApiProblemResponses(
    { status: 400, description: 'Not a key id.', detail: 'id is not a key id' },
    READ_ONLY,
  )
  remove(
    @Param('id', KEY_ID_PARAM) id: string,
    @AdminSource() source: AuditSource,
  ): Promise<KeyDto> {
    return this.revoke(id, source);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ operationId: 'revokeKey', summary: 'Revoke a key (as DELETE)' })
  @ApiParam(ID)
  @ApiOkResponse({ type: KeyDto })
  @ApiProblemResponses(
    { status: 400, description: 'Not a key id.', detail: 'id is not a key id' },
    READ_ONLY,
  )
  async revoke(
    @Param('id', KEY_ID_PARAM) id: string,
    @AdminSource() source: AuditSource,
  ): Promise<KeyDto> {
    return toKeyDto({ ...(await this.keys.revoke(id, source)), source: 'api' });
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rotateKey',
    summary: 'Give a key a new secret (shown once); the old one works for a grace period',
  })
  @ApiParam(ID)
  @ApiOkResponse({ type: KeySecretDto })
  @ApiProblemResponses(
    {
      status: 400,
      description: 'Not a key id, or grace_seconds out of range.',
      detail: 'grace_seconds must be an integer from 0 to 2592000',
    },
    READ_ONLY,
  )
  async rotate(
    @Param('id', KEY_ID_PARAM) id: string,
    @Query() query: RotateKeyDto,
    @AdminSource() source: AuditSource,
  ): Promise<KeySecretDto> {
    const { key, secret } = await this.keys.rotate(id, query.grace_seconds, source);
    return { ...toKeyDto({ ...key, source: 'api' }), key: secret };
  }
}

/** A body's limits; `absent` for the fields it does not send (null on create, keep on update). */
function limitsOf<T extends null | undefined>(
  body: KeyLimitsDto,
  absent: T,
): { [K in keyof ManagedLimits]: number | null | T } {
  const pick = (v: number | null | undefined) => (v === undefined ? absent : v);
  return {
    requestsPerMinute: pick(body.requests_per_minute),
    tokensPerMinute: pick(body.tokens_per_minute),
    tokensPerDay: pick(body.tokens_per_day),
    tokensPerMonth: pick(body.tokens_per_month),
  };
}
