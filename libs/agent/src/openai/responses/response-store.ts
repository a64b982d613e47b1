import type { ChatMessage } from '../../providers/llm-provider.js';
import type { InputItem } from './response-input.js';

/** A stored response: what GET answers, and the conversation `previous_response_id` continues. */
export interface StoredResponse {
  clientId: string | null;
  response: Record<string, unknown>;
  inputItems: InputItem[];
  /** The conversation so far (this response's answer included), instructions aside. */
  messages: ChatMessage[];
}

export interface ResponseStoreLimits {
  maxEntries: number;
  maxBytes: number;
}

/**
 * Responses kept in process, bounded in count and bytes (the oldest go first), each readable
 * only by the API client that made it: another client's id is simply not found.
 */
export class InMemoryResponseStore {
  private readonly entries = new Map<string, { stored: StoredResponse; bytes: number }>();
  private bytes = 0;

  constructor(private readonly limits: ResponseStoreLimits) {}

  put(id: string, stored: StoredResponse): void {
    const bytes = Buffer.byteLength(
      JSON.stringify([stored.response, stored.inputItems, stored.messages]),
    );
    if (bytes > this.limits.maxBytes) return;
    this.delete(id, stored.clientId);
    this.entries.set(id, { stored, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  get(id: string, clientId: string | null): StoredResponse | undefined {
    const entry = this.entries.get(id);
    return entry && entry.stored.clientId === clientId ? entry.stored : undefined;
  }

  delete(id: string, clientId: string | null): boolean {
    const entry = this.entries.get(id);
    if (!entry || entry.stored.clientId !== clientId) return false;
    this.entries.delete(id);
    this.bytes -= entry.bytes;
    return true;
  }
}

/**
 * The conversation to continue, trimmed to `maxBytes` of JSON: whole turns go from the oldest
 * on, and the kept part starts at a user turn (never at a tool result whose call was dropped).
 * Instructions are not part of it: they come from each request and are never trimmed.
 */
export function trimConversation(messages: ChatMessage[], maxBytes: number): ChatMessage[] {
  const sizes = messages.map((m) => Buffer.byteLength(JSON.stringify(m)));
  let total = sizes.reduce((a, b) => a + b, 0);
  if (total <= maxBytes) return messages;
  let start = 0;
  while (start < messages.length - 1 && total > maxBytes) total -= sizes[start++];
  while (start < messages.length - 1 && messages[start].role !== 'user') start++;
  return messages.slice(start);
}
