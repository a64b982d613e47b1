import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until it returns true; fails with `what` after `timeoutMs`. The timeout is the
 * assertion: returning means the condition held in time, so there is nothing to compare after.
 */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (
      await Promise.resolve()
        .then(probe)
        .catch(() => false)
    )
      return;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
