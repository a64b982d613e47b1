import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` every 100 ms until it holds (resolves to the time it did) or `ms` have passed. */
export async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return Date.now();
    await sleep(100);
  }
  throw new Error(`${what}: not within ${ms} ms`);
}
