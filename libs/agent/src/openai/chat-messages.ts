import type { ChatMessage } from '../providers/llm-provider.js';
import { OpenAiRequestError } from './openai-error.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

/**
 * Reads OpenAI `messages` into text-only turns: content as a string or as `text` parts.
 * Images, audio, files, tool turns and tool calls are refused with the index of the message.
 */
export function readMessages(raw: unknown[]): { messages: ChatMessage[]; prompt: string } {
  const messages = raw.map((entry, index): ChatMessage => {
    const param = `messages[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new OpenAiRequestError(`${param} must be an object`, param);
    }
    const { role, content, tool_calls: toolCalls } = entry as Record<string, unknown>;
    if (role === 'tool' || role === 'function' || (toolCalls !== undefined && toolCalls !== null)) {
      throw new OpenAiRequestError(
        'tool messages are not supported',
        `${param}.role`,
        'unsupported_parameter',
      );
    }
    if (typeof role !== 'string' || !ROLES.has(role)) {
      throw new OpenAiRequestError(
        `${param}.role must be one of system, developer, user, assistant`,
        `${param}.role`,
      );
    }
    const text = textOf(content, `${param}.content`);
    if (text.includes('\u0000')) {
      throw new OpenAiRequestError(
        `${param}.content must not contain NUL characters`,
        `${param}.content`,
      );
    }
    return { role: role as ChatMessage['role'], content: text };
  });
  const lastUser = messages.findLast((m) => m.role === 'user');
  if (!lastUser || !/\S/.test(lastUser.content)) {
    throw new OpenAiRequestError('messages must contain a non-empty user message', 'messages');
  }
  return { messages, prompt: lastUser.content };
}

function textOf(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) {
    throw new OpenAiRequestError(`${param} must be a string or an array of text parts`, param);
  }
  return content
    .map((part, i) => {
      const { type, text } = (part ?? {}) as Record<string, unknown>;
      if (type !== 'text' || typeof text !== 'string') {
        throw new OpenAiRequestError(
          'only text content parts are supported',
          `${param}[${i}]`,
          'unsupported_parameter',
        );
      }
      return text;
    })
    .join('');
}
