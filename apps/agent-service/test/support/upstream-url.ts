import type { Server } from 'node:http';

/** The OpenAI-style base URL (`…/v1`) of a test upstream listening on loopback. */
export function upstreamUrl(server: Server | undefined): string {
  const address = server?.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  return `http://127.0.0.1:${address.port}/v1`;
}
