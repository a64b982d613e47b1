import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { JsonBodyReader, takesBody } from '@app/platform';
import { setAccessContext } from './access-context.js';
import { AccessStep } from './access-step.js';
import { traceAccess } from './access-span.js';
import { nodeRequest, nodeResponse } from './node-http.js';

/**
 * Who may call the routes that are authenticated but not metered (`@Authenticated()`: history,
 * models, stored responses, conversations): a valid key when keys are configured (401); a body
 * is read only after the key was accepted. Metered routes call the {@link AccessStep}
 * themselves; probes pass through neither.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly step: AccessStep,
    private readonly bodies: JsonBodyReader,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const http = ctx.switchToHttp();
    const request = http.getRequest<object>();
    const req = nodeRequest(request);
    const res = nodeResponse(http.getResponse());
    await traceAccess(request, () => {
      setAccessContext(request, this.step.identify(req, res));
      return Promise.resolve();
    });
    if (takesBody(ctx)) await this.bodies.read(req, res);
    return true;
  }
}
