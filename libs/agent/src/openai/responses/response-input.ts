import type { ChatMessage, ToolCall } from '../../providers/llm-provider.js';
import { readTools } from '../chat-tools.js';
import type { ChatCompletionRequestDto } from '../chat-completion-request.dto.js';
import { OpenAiRequestError } from '../openai-error.js';
import type { CreateResponseDto } from './create-response.dto.js';

const MAX_ITEMS = 1024;
const ROLES = new Set(['user', 'assistant', 'system', 'developer']);
type Json = Record<string, unknown>;

/** An input item as `GET /v1/responses/{id}/input_items` lists it. */
export type InputItem = Json & { type: string };

/**
 * Reads a Responses API `input` into chat turns and the items to keep: a string is one user
 * message; items are messages (text parts), `function_call` (merged into one assistant turn
 * with tool calls) and `function_call_output` (a tool turn).
 */
export function readInput(input: unknown): { messages: ChatMessage[]; items: InputItem[] } {
  if (typeof input === 'string') {
    const item = { type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] };
    return { messages: [{ role: 'user', content: input }], items: [item] };
  }
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_ITEMS) {
    throw new OpenAiRequestError(`input must be a string or 1 to ${MAX_ITEMS} items`, 'input');
  }
  return readItems(input, 'input');
}

/**
 * Reads items (as `input` holds them, or as a conversation keeps them) into chat turns and the
 * items to keep; `name` is the parameter errors point at.
 */
export function readItems(
  input: unknown[],
  name: string,
): { messages: ChatMessage[]; items: InputItem[] } {
  const messages: ChatMessage[] = [];
  const items = input.map((raw, i): InputItem => {
    const param = `${name}[${i}]`;
    const item = (raw ?? {}) as Json;
    const type = item.type ?? 'message';
    if (type === 'message') {
      if (typeof item.role !== 'string' || !ROLES.has(item.role)) {
        throw new OpenAiRequestError(
          'role must be one of user, assistant, system, developer',
          `${param}.role`,
        );
      }
      messages.push({
        role: item.role as ChatMessage['role'],
        content: textOf(item.content, `${param}.content`),
      });
      return { type, role: item.role, content: item.content };
    }
    if (type === 'function_call') {
      const call = toolCall(item, param);
      const last = messages.at(-1);
      if (last?.role === 'assistant' && last.tool_calls && !last.content)
        last.tool_calls.push(call);
      else messages.push({ role: 'assistant', content: '', tool_calls: [call] });
      return {
        type,
        call_id: call.id,
        name: call.function.name,
        arguments: call.function.arguments,
      };
    }
    if (type === 'function_call_output') {
      const id = item.call_id;
      if (typeof id !== 'string' || !id || id.length > 256 || typeof item.output !== 'string') {
        throw new OpenAiRequestError(
          'a function_call_output needs a call_id and a string output',
          param,
        );
      }
      messages.push({ role: 'tool', content: item.output, tool_call_id: id });
      return { type, call_id: id, output: item.output };
    }
    throw new OpenAiRequestError(
      'only message, function_call and function_call_output items are supported',
      `${param}.type`,
      'unsupported_parameter',
    );
  });
  return { messages, items };
}

function toolCall(item: Json, param: string): ToolCall {
  const { call_id: id, name, arguments: args } = item;
  if (
    typeof id !== 'string' ||
    !id ||
    id.length > 256 ||
    typeof name !== 'string' ||
    typeof args !== 'string'
  ) {
    throw new OpenAiRequestError(
      'a function_call needs a call_id, a name and string arguments',
      param,
    );
  }
  return { id, type: 'function', function: { name, arguments: args } };
}

function textOf(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    throw new OpenAiRequestError('content must be a string or text parts', param);
  return content
    .map((part: Json, i) => {
      const ok =
        ['input_text', 'output_text', 'text'].includes(part?.type as string) &&
        typeof part?.text === 'string';
      if (!ok)
        throw new OpenAiRequestError(
          'only text content parts are supported',
          `${param}[${i}]`,
          'unsupported_parameter',
        );
      return part.text as string;
    })
    .join('');
}

/**
 * The chat parameters of a Responses request: its function tools, tool choice and text
 * format in Chat Completions' shapes (checked as /v1/chat/completions checks them), sampling.
 */
export function readResponseParameters(body: CreateResponseDto): Json {
  const tools = Array.isArray(body.tools)
    ? body.tools.map((t: Json) =>
        t?.type === 'function'
          ? {
              type: 'function',
              function: {
                name: t.name,
                description: t.description,
                parameters: t.parameters,
                strict: t.strict,
              },
            }
          : t,
      )
    : body.tools;
  const choice = body.tool_choice as Json | string | undefined;
  const toolChoice =
    typeof choice === 'object' && choice?.type === 'function'
      ? { type: 'function', function: { name: choice.name } }
      : choice;
  const format = (body.text as { format?: Json } | undefined)?.format;
  const responseFormat =
    format?.type === 'json_schema'
      ? {
          type: 'json_schema',
          json_schema: {
            name: format.name,
            description: format.description,
            schema: format.schema,
            strict: format.strict,
          },
        }
      : format;
  const params = readTools({
    tools,
    tool_choice: toolChoice,
    response_format: responseFormat,
  } as ChatCompletionRequestDto);
  for (const name of ['temperature', 'top_p', 'parallel_tool_calls', 'user'] as const) {
    if (body[name] !== undefined && body[name] !== null) params[name] = body[name];
  }
  return params;
}
