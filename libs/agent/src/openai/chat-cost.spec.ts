import { describe, expect, it } from '@jest/globals';
import type { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { reserveChatTokens } from './chat-cost.js';

const reserve = (body: Partial<ChatCompletionRequestDto>) =>
  reserveChatTokens(body as ChatCompletionRequestDto);
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('reserveChatTokens', () => {
  it('reserves the completion bound plus a token per four bytes of the messages', () => {
    const messages = [{ role: 'user', content: 'hello there' }];
    expect(reserve({ messages, max_tokens: 50 })).toBe(50 + Math.ceil(bytes(messages) / 4));
    expect(reserve({ messages, max_tokens: 50, max_completion_tokens: 70 })).toBe(
      70 + Math.ceil(bytes(messages) / 4),
    );
  });

  it('reserves 1000 completion tokens without a bound, and caps one at 4096', () => {
    expect(reserve({})).toBe(1000);
    expect(reserve({ max_tokens: 3 })).toBe(3);
    expect(reserve({ max_tokens: 50_000 })).toBe(4096);
    expect(reserve({ max_tokens: 42.9 })).toBe(42);
  });
});
