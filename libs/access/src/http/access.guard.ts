import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { setAccessContext } from './access-context.js';
import { AccessStep } from './access-step.js';
import { traceAccess } from './access-span.js';
import { nodeRequest, nodeResponse } from './node-http.js';

/**
 * Who may call the routes that are authenticated but not metered (`@Authenticated()`: history,
 * models, stored responses): a valid key when keys are configured (401). Metered routes call
 * the {@link AccessStep} themselves; probes pass through neither.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly step: AccessStep) {}

  canActivate(ctx: ExecutionContext): Promise<boolean> {
    const http = ctx.switchToHttp();
    const request = http.getRequest<object>();
    return traceAccess(request, () => {
      setAccessContext(
        request,
        this.step.identify(nodeRequest(request), nodeResponse(http.getResponse())),
      );
      return Promise.resolve(true);
    });
  }
}
