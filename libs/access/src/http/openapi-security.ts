import type { DocumentBuilder } from '@nestjs/swagger';
import { ADMIN_SCHEME } from '../admin/admin-openapi.js';
import { BEARER_SCHEME, HEADER_SCHEME } from './access.decorators.js';

/** Declares both ways to send a key, so "Authorize" in Swagger UI works with either, and the admin credential. */
export function addAccessSecuritySchemes(builder: DocumentBuilder): DocumentBuilder {
  // Not addBearerAuth(): it labels the token `bearerFormat: JWT`, and these keys are opaque.
  return builder
    .addSecurity(BEARER_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description: 'API key as a bearer token',
    })
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key in X-API-Key' },
      HEADER_SCHEME,
    )
    .addSecurity(ADMIN_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description:
        'ADMIN_TOKEN, or an API key flagged admin, as a bearer token (the key API and usage per client)',
    });
}
