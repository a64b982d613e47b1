import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, BodyReadByGuard } from '@app/platform';
import { AdminGuard } from './admin.guard.js';

/** Security scheme of the key API: ADMIN_TOKEN or an admin key, as a bearer token. */
export const ADMIN_SCHEME = 'admin-bearer';

/** What every key API route declares: its guard, tag, security and the refusals it shares. */
export function AdminRoute(): ClassDecorator {
  return applyDecorators(
    UseGuards(AdminGuard),
    BodyReadByGuard(),
    ApiTags('admin'),
    ApiSecurity(ADMIN_SCHEME),
    ApiProblemResponses(
      {
        status: 401,
        description: 'No admin credential, or a wrong one.',
        detail: 'An admin credential is required (ADMIN_TOKEN or an admin key, as a bearer token)',
        headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
      },
      {
        status: 403,
        description: 'A client key that is not an admin key.',
        detail: 'This key may call the API but not manage keys',
      },
      {
        status: 404,
        description: 'The key API is off (neither ADMIN_TOKEN nor an admin key), or no such key.',
        detail: 'No API key with id acme-prod',
      },
      {
        status: 503,
        description: 'PostgreSQL is configured but unreachable.',
        detail: 'The key store is temporarily unavailable',
      },
    ),
  );
}
