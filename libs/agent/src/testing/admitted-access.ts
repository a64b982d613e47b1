import type { AccessStep, MeteredCall } from '@app/access';

/**
 * An access step that admits every request, for controller specs: the handler gets the request's
 * `body` as validated, `clientId`, `signal`, and a meter that records what it charges.
 */
export function admittedAccess(clientId: string | null, signal = new AbortController().signal) {
  const charged: number[] = [];
  const access = {
    run: (
      req: { body: unknown },
      _res: unknown,
      _route: unknown,
      handle: (call: MeteredCall<unknown>) => Promise<unknown>,
    ) =>
      handle({ body: req.body, clientId, signal, charge: (tokens) => void charged.push(tokens) }),
  } as unknown as AccessStep;
  return { access, charged, signal };
}
