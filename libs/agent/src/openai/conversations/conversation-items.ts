import { randomBytes } from 'node:crypto';
import type { ChatMessage } from '../../providers/llm-provider.js';
import { OpenAiRequestError } from '../openai-error.js';
import { readItems, type InputItem } from '../responses/response-input.js';
import { itemBytes, type ConversationItem } from '../../conversations/conversation-store.js';

type Json = Record<string, unknown>;

const MAX_ITEMS = 1024;
const PREFIX: Record<string, string> = {
  message: 'msg',
  function_call: 'fc',
  function_call_output: 'fco',
};

const newId = (type: string) => `${PREFIX[type] ?? 'item'}_${randomBytes(24).toString('hex')}`;

/**
 * Input items (as `readInput` checked them) as a conversation keeps them: each gets its own id
 * and a status, and a message's content becomes text parts. Ids a client sends are not kept:
 * every id in a conversation is the service's, so none can collide.
 */
export function conversationItems(items: InputItem[]): ConversationItem[] {
  return items.map((item) => {
    const id = newId(item.type);
    if (item.type !== 'message') return { id, ...item, status: 'completed' };
    const role = item.role as string;
    const type = role === 'assistant' ? 'output_text' : 'input_text';
    const parts =
      typeof item.content === 'string'
        ? [{ type, text: item.content }]
        : (item.content as Json[]).map((p) => ({ type: p.type, text: p.text }));
    return { id, type: 'message', status: 'completed', role, content: parts };
  });
}

/**
 * Reads a client's `items` (create, or add to, a conversation): at most 1024, only the kinds
 * `/v1/responses` reads, and no larger as a batch than one conversation may keep.
 */
export function readConversationItems(
  raw: unknown,
  maxBytes: number,
  min: 0 | 1 = 0,
): ConversationItem[] {
  if (min === 0 && (raw === undefined || raw === null)) return [];
  if (!Array.isArray(raw) || raw.length < min || raw.length > MAX_ITEMS) {
    throw new OpenAiRequestError(`items must be an array of ${min} to ${MAX_ITEMS} items`, 'items');
  }
  if (raw.length === 0) return [];
  const items = conversationItems(readItems(raw, 'items').items);
  requireWithin(items, maxBytes, 'items');
  return items;
}

/** A batch one conversation could not keep whole is refused rather than half kept. */
export function requireWithin(items: ConversationItem[], maxBytes: number, param: string): void {
  const bytes = items.reduce((sum, item) => sum + itemBytes(item), 0);
  if (bytes > maxBytes) {
    throw new OpenAiRequestError(
      `these items take ${bytes} bytes; a conversation keeps at most ${maxBytes}`,
      param,
      'conversation_too_large',
    );
  }
}

/** The chat turns a conversation's items stand for. */
export function conversationTurns(items: ConversationItem[]): ChatMessage[] {
  return items.length ? readItems(items, 'conversation').messages : [];
}
