import type { ChatMessage } from '../providers/llm-provider.js';

/** Whether prompts and answers go into spans, and how many bytes of each. */
export interface MessageCapture {
  enabled: boolean;
  maxBytes: number;
}

/** Off: the default, and what a span gets when OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT is unset. */
export const NO_CAPTURE: MessageCapture = { enabled: false, maxBytes: 0 };

/**
 * `text` cut to at most `maxBytes` of UTF-8, at a character boundary. Work is bounded by the
 * limit, not by the text: only the first `maxBytes` characters are ever encoded.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  let head = text.length > maxBytes ? text.slice(0, maxBytes) : text;
  // A cut between the two halves of a surrogate pair would encode as U+FFFD: drop the half.
  if (head.length < text.length && /[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  const bytes = Buffer.from(head, 'utf8');
  if (bytes.length <= maxBytes && head.length === text.length) return text;
  let end = Math.min(maxBytes, bytes.length);
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * The conversation as `gen_ai.input.messages` wants it (JSON, role and text parts), each
 * message's text bounded; the whole attribute is bounded by the same limit again.
 */
export function inputMessages(messages: ChatMessage[], maxBytes: number): string {
  const shaped = messages.map((m) => ({
    role: m.role,
    parts: [{ type: 'text', content: truncateUtf8(m.content, maxBytes) }],
  }));
  return truncateUtf8(JSON.stringify(shaped), maxBytes);
}

/** The answer as `gen_ai.output.messages`, bounded. */
export function outputMessages(text: string, finishReason: string, maxBytes: number): string {
  const shaped = [
    {
      role: 'assistant',
      parts: [{ type: 'text', content: truncateUtf8(text, maxBytes) }],
      finish_reason: finishReason,
    },
  ];
  return truncateUtf8(JSON.stringify(shaped), maxBytes);
}
