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

/**
 * The stored responses of `POST /v1/responses`, each readable only by the API client that made
 * it (another client's id is simply not found), gone once their time to live has passed.
 */
export interface ResponseStore {
  put(id: string, stored: StoredResponse): Promise<void>;
  get(id: string, clientId: string | null): Promise<StoredResponse | undefined>;
  delete(id: string, clientId: string | null): Promise<boolean>;
}

/** Injection token of the {@link ResponseStore}. */
export const RESPONSE_STORE = Symbol('RESPONSE_STORE');

export interface ResponseStoreLimits {
  maxEntries: number;
  maxBytes: number;
  ttlSeconds: number;
}

/** Bytes a stored response is accounted for: the JSON of what it keeps. */
export const storedBytes = (stored: StoredResponse): number =>
  Buffer.byteLength(JSON.stringify([stored.response, stored.inputItems, stored.messages]));

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
