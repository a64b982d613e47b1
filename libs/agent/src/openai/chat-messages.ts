import type { ChatMessage, ToolCall } from '../providers/llm-provider.js';
import { FUNCTION_NAME } from './chat-tools.js';
import { OpenAiRequestError } from './openai-error.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const MAX_TOOL_CALLS = 128;
const MAX_ID = 256;

/**
 * Reads OpenAI `messages` into turns with text content (a string or `text` parts), assistant
 * `tool_calls` and `tool` results. Images, audio, files and the legacy `function` role are
 * refused with the index of the message.
 */
export function readMessages(raw: unknown[]): { messages: ChatMessage[]; prompt: string } {
  const messages = raw.map((entry, index): ChatMessage => {
    const param = `messages[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new OpenAiRequestError(`${param} must be an object`, param);
    }
    const {
      role,
      content,
      tool_calls: toolCalls,
      tool_call_id: toolCallId,
    } = entry as Record<string, unknown>;
    if (role === 'function') {
      throw new OpenAiRequestError(
        'function messages are not supported: use tool messages',
        `${param}.role`,
        'unsupported_parameter',
      );
    }
    if (typeof role !== 'string' || !ROLES.has(role)) {
      throw new OpenAiRequestError(
        `${param}.role must be one of system, developer, user, assistant, tool`,
        `${param}.role`,
      );
    }
    const extra: Partial<ChatMessage> = {};
    if (toolCalls !== undefined && toolCalls !== null) {
      if (role !== 'assistant') {
        throw new OpenAiRequestError(
          'only assistant messages have tool_calls',
          `${param}.tool_calls`,
        );
      }
      extra.tool_calls = readToolCalls(toolCalls, `${param}.tool_calls`);
    }
    if (role === 'tool') {
      if (typeof toolCallId !== 'string' || toolCallId.length === 0 || toolCallId.length > MAX_ID) {
        throw new OpenAiRequestError(
          `a tool message needs a tool_call_id of 1 to ${MAX_ID} characters`,
          `${param}.tool_call_id`,
        );
      }
      extra.tool_call_id = toolCallId;
    }
    const text = textOf(content, `${param}.content`);
    if (text.includes('\u0000')) {
      throw new OpenAiRequestError(
        `${param}.content must not contain NUL characters`,
        `${param}.content`,
      );
    }
    return { role: role as ChatMessage['role'], content: text, ...extra };
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

function readToolCalls(raw: unknown, param: string): ToolCall[] {
  if (!Array.isArray(raw) || raw.length > MAX_TOOL_CALLS) {
    throw new OpenAiRequestError(`tool_calls must be an array of at most ${MAX_TOOL_CALLS}`, param);
  }
  return raw.map((call, i) => {
    const { id, type, function: fn } = (call ?? {}) as Record<string, unknown>;
    const { name, arguments: args } = (fn ?? {}) as Record<string, unknown>;
    const valid =
      typeof id === 'string' &&
      id.length > 0 &&
      id.length <= MAX_ID &&
      type === 'function' &&
      typeof name === 'string' &&
      FUNCTION_NAME.test(name) &&
      typeof args === 'string';
    if (!valid) {
      throw new OpenAiRequestError(
        'a tool call is {"id", "type": "function", "function": {"name", "arguments": string}}',
        `${param}[${i}]`,
      );
    }
    return { id, type, function: { name, arguments: args } };
  });
}
