import { randomBytes } from 'node:crypto';
import type { ChatMessage, ToolCall } from '../../providers/llm-provider.js';
import type { QueryResult } from '../../query/query.service.js';

type Json = Record<string, unknown>;

/** A new output item id, e.g. `msg_…`. */
export const itemId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** What the answer asked for: the built-in provider's tool calls, or an upstream's first choice's. */
function toolCallsOf(result: QueryResult): ToolCall[] {
  if (result.toolCalls) return result.toolCalls;
  const message = (result.choices?.[0] as { message?: { tool_calls?: unknown } } | undefined)
    ?.message;
  return Array.isArray(message?.tool_calls) ? (message.tool_calls as ToolCall[]) : [];
}

/**
 * The output items of an answer: its text as a message (with `messageId` when a stream named it
 * already), then one `function_call` per call.
 */
export function outputItems(result: QueryResult, messageId = itemId('msg')): Json[] {
  const calls = toolCallsOf(result);
  const text =
    result.response || calls.length === 0
      ? [
          {
            type: 'message',
            id: messageId,
            status: 'completed',
            role: 'assistant',
            content: [
              { type: 'output_text', text: result.response, annotations: [], logprobs: [] },
            ],
          },
        ]
      : [];
  return [
    ...text,
    ...calls.map((call) => ({
      type: 'function_call',
      id: itemId('fc'),
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      status: 'completed',
    })),
  ];
}

/** The assistant turn an answer adds to a conversation (for `previous_response_id`). */
export function assistantTurn(result: QueryResult): ChatMessage {
  const calls = toolCallsOf(result);
  return {
    role: 'assistant',
    content: result.response,
    ...(calls.length ? { tool_calls: calls } : {}),
  };
}

export interface ResponseFields {
  id: string;
  createdAt: number;
  model: string;
  instructions: string | null;
  previousResponseId: string | null;
  conversationId: string | null;
  maxOutputTokens: number | null;
  store: boolean;
  params: Json;
}

/** A `response` object: in progress (no output yet) or completed with its output and usage. */
export function responseObject(fields: ResponseFields, result?: QueryResult, output: Json[] = []) {
  const { params } = fields;
  return {
    id: fields.id,
    object: 'response',
    created_at: fields.createdAt,
    status: result ? 'completed' : 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: fields.instructions,
    max_output_tokens: fields.maxOutputTokens,
    model: result?.model ?? fields.model,
    output,
    parallel_tool_calls: params.parallel_tool_calls ?? true,
    previous_response_id: fields.previousResponseId,
    conversation: fields.conversationId ? { id: fields.conversationId } : null,
    store: fields.store,
    temperature: params.temperature ?? null,
    top_p: params.top_p ?? null,
    text: { format: textFormat(params.response_format as Json | undefined) },
    tool_choice: params.tool_choice ? toolChoice(params.tool_choice) : 'auto',
    tools: ((params.tools ?? []) as { function: Json }[]).map((t) => ({
      type: 'function',
      name: t.function.name,
      description: t.function.description ?? null,
      parameters: t.function.parameters ?? null,
      strict: t.function.strict ?? null,
    })),
    usage: result
      ? {
          input_tokens: result.promptTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: result.completionTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: result.tokensUsed,
        }
      : null,
    metadata: {},
  };
}

function textFormat(format: Json | undefined): Json {
  if (format?.type !== 'json_schema') return { type: format?.type ?? 'text' };
  const { name, schema, strict, description } = format.json_schema as Json;
  return {
    type: 'json_schema',
    name,
    schema: schema ?? {},
    strict: strict ?? null,
    ...(description ? { description } : {}),
  };
}

function toolChoice(choice: unknown): unknown {
  const name = (choice as { function?: { name?: string } }).function?.name;
  return name ? { type: 'function', name } : choice;
}
