import { OpenAiRequestError } from '../openai-error.js';
import type { Metadata } from '../../conversations/conversation-store.js';

const MAX_PAIRS = 16;

/** OpenAI's `metadata`: up to 16 pairs, keys of at most 64 characters, values strings of at most 512. */
export function readMetadata(raw: unknown): Metadata {
  if (raw === undefined || raw === null) return {};
  const bad = (message: string) => new OpenAiRequestError(message, 'metadata');
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('metadata must be an object');
  const pairs = Object.entries(raw as Record<string, unknown>);
  if (pairs.length > MAX_PAIRS) throw bad(`metadata holds at most ${MAX_PAIRS} pairs`);
  for (const [key, value] of pairs) {
    if (key.length > 64) throw bad('metadata keys are at most 64 characters');
    if (typeof value !== 'string' || value.length > 512) {
      throw bad('metadata values are strings of at most 512 characters');
    }
  }
  return Object.fromEntries(pairs) as Metadata;
}
