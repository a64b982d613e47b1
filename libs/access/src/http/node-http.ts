import type { IncomingMessage, ServerResponse } from 'node:http';

// Adapter-neutral access: Express hands Node's objects over directly, Fastify wraps them in `raw`.
export function nodeRequest(req: unknown): IncomingMessage {
  return ((req as { raw?: IncomingMessage }).raw ?? req) as IncomingMessage;
}

export function nodeResponse(res: unknown): ServerResponse {
  return ((res as { raw?: ServerResponse }).raw ?? res) as ServerResponse;
}

export function setHeaders(res: ServerResponse, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

/** The peer address, IPv4-mapped IPv6 folded to IPv4. */
export function remoteAddress(req: IncomingMessage): string {
  const address = req.socket?.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
