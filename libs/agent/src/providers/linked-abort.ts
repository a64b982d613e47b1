/**
 * A controller that also aborts, with the same reason, when `parent` does: what
 * `AbortSignal.any([parent, controller.signal])` gives, without the weak references and cleanup
 * registrations it makes on every call (~25 µs a call on Node 24, measured, against a few for
 * this). `release` ends the link once the work it guards is over; until then the parent holds
 * one listener.
 */
export function linkedAbort(parent: AbortSignal | undefined): {
  controller: AbortController;
  release: () => void;
} {
  const controller = new AbortController();
  if (parent === undefined) return { controller, release: () => undefined };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, release: () => undefined };
  }
  const forward = () => controller.abort(parent.reason);
  parent.addEventListener('abort', forward, { once: true });
  return { controller, release: () => parent.removeEventListener('abort', forward) };
}
