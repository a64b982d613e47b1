import {
  Inject,
  Injectable,
  NotFoundException,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { JsonBodyReader, takesBody } from '@app/platform';
import { ADMIN_CONFIG, type AdminConfig } from '../access.config.js';
import { tokenDigest } from '../auth/bearer-token.js';
import { CONFLICTING_KEYS, presentedKey, WWW_AUTHENTICATE } from '../auth/credentials.js';
import { conflictingKeys } from '../http/access-problem.js';
import { nodeRequest, nodeResponse, remoteAddress } from '../http/node-http.js';
import { KeyRegistry } from '../keys/key-registry.js';
import { adminProblems } from './admin-problem.js';
import type { AuditSource } from './managed-key.js';

const SOURCE = Symbol('adminAuditSource');
type AdminRequest = IncomingMessage & { [SOURCE]?: AuditSource; id?: unknown };

/**
 * The key API's door: ADMIN_TOKEN or a key flagged admin (401 without either, 403 for a plain
 * client key). With neither configured the API does not exist (404), as for an unknown route.
 * A body is read only once the caller was accepted.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly adminTokenDigest: Buffer | undefined;

  constructor(
    @Inject(ADMIN_CONFIG) config: AdminConfig,
    private readonly keys: KeyRegistry,
    private readonly bodies: JsonBodyReader,
  ) {
    this.adminTokenDigest = config.token === undefined ? undefined : tokenDigest(config.token);
  }

  /** Whether the key API is on: a token or an admin key is configured. */
  get enabled(): boolean {
    return this.adminTokenDigest !== undefined || this.keys.hasAdminKeys;
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = nodeRequest(ctx.switchToHttp().getRequest()) as AdminRequest;
    const res = nodeResponse(ctx.switchToHttp().getResponse());
    if (!this.enabled) {
      throw new NotFoundException(`Cannot ${req.method} ${(req.url ?? '').split('?')[0]}`);
    }
    const key = presentedKey(req.headers);
    if (key === CONFLICTING_KEYS) throw conflictingKeys();
    const actor = key === undefined ? undefined : this.actorOf(key);
    if (actor === undefined) {
      res.setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
      throw adminProblems.unauthorized();
    }
    req[SOURCE] = {
      actor,
      remoteAddress: remoteAddress(req),
      requestId: typeof req.id === 'string' ? req.id : null,
    };
    if (takesBody(ctx)) await this.bodies.read(req, res);
    return true;
  }

  /** `admin-token` or `client:<id>`; undefined for an unknown key; 403 for a non-admin one. */
  private actorOf(key: string): string | undefined {
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    if (this.adminTokenDigest && timingSafeEqual(tokenDigest(key), this.adminTokenDigest))
      return 'admin-token';
    const client = this.keys.authenticate(key);
    if (!client) return undefined;
    if (!client.admin) throw adminProblems.forbidden();
    return `client:${client.id}`;
  }
}

/** Who is calling the key API and from where (set by {@link AdminGuard}). */
export const AdminSource = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuditSource =>
    (nodeRequest(ctx.switchToHttp().getRequest()) as AdminRequest)[SOURCE]!,
);
