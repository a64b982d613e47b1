import {
  HttpStatus,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ProblemException } from '@app/platform';
import { ACCESS_CONFIG, type AccessConfig } from '../access.config.js';
import { bearerMatches, tokenDigest } from '../auth/bearer-token.js';
import { WWW_AUTHENTICATE } from '../auth/credentials.js';
import { nodeRequest, nodeResponse } from '../http/node-http.js';

/**
 * /admin routes: `Authorization: Bearer <ADMIN_TOKEN>`. Without ADMIN_TOKEN they do not exist
 * (404, like any unknown route), so an unconfigured service shows no admin surface.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(ACCESS_CONFIG) config: AccessConfig) {
    this.expected = config.adminToken === undefined ? undefined : tokenDigest(config.adminToken);
  }

  canActivate(ctx: ExecutionContext): boolean {
    const http = ctx.switchToHttp();
    const req = nodeRequest(http.getRequest());
    if (!this.expected) {
      // The router's own answer to an unknown path (never quoting the query string).
      const path = (req.url ?? '/').split('?')[0];
      throw new ProblemException(HttpStatus.NOT_FOUND, `Cannot ${req.method} ${path}`);
    }
    if (!bearerMatches(req.headers.authorization, this.expected)) {
      nodeResponse(http.getResponse()).setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'A valid admin token is required');
    }
    return true;
  }
}
