import { hash } from 'node:crypto';
import {
  messagesOf,
  type CompletionRequest,
  type FinishReason,
  type ToolCall,
} from './llm-provider.js';
import { schemaExample } from './schema-example.js';

/** What the built-in provider answers, before token accounting. */
export interface BuiltinAnswer {
  text: string;
  toolCalls?: ToolCall[];
  finishReason: FinishReason;
}

interface FunctionTool {
  type: 'function';
  function: { name: string; parameters?: unknown };
}

/**
 * The built-in provider's deterministic behaviour, so that agents can be tested offline:
 * - once a `tool` turn follows the last user turn, it answers with text built from the results;
 * - else, with function `tools` (and `tool_choice` not `none`), it calls the tool `tool_choice`
 *   names, or the first one, with the smallest arguments its JSON schema accepts;
 * - else it answers `Processed: <prompt>` as /query does.
 * A text answer follows `response_format` (`json_schema`: the smallest value the schema accepts,
 * its strings filled with the text; `json_object`: `{"response": text}`), then is cut at the
 * first `stop` sequence.
 */
export function builtinAnswer(request: CompletionRequest): BuiltinAnswer {
  const params = request.params ?? {};
  const messages = messagesOf(request);
  const lastUser = messages.findLastIndex((m) => m.role === 'user');
  const results = messages.slice(lastUser + 1).filter((m) => m.role === 'tool');
  if (results.length === 0) {
    const tool = chosenTool(params.tools, params.tool_choice);
    if (tool) {
      const id = `call_${hash('sha256', JSON.stringify(messages), 'hex').slice(0, 24)}`;
      const args = schemaExample(tool.function.parameters ?? { type: 'object' }, 'example');
      return {
        text: '',
        toolCalls: [
          {
            id,
            type: 'function',
            function: { name: tool.function.name, arguments: JSON.stringify(args) },
          },
        ],
        finishReason: 'tool_calls',
      };
    }
  }
  const names = new Map(
    messages.flatMap((m) => m.tool_calls ?? []).map((c) => [c.id, c.function.name]),
  );
  const text =
    results.length > 0
      ? results
          .map((r) => `${names.get(r.tool_call_id ?? '') ?? 'tool'} returned ${preview(r.content)}`)
          .join('; ')
      : echoOf(request.prompt);
  return {
    text: cutAtStop(formatted(text, params.response_format), params.stop),
    finishReason: 'stop',
  };
}

function chosenTool(tools: unknown, choice: unknown): FunctionTool | undefined {
  if (!Array.isArray(tools) || choice === 'none') return undefined;
  const functions = (tools as FunctionTool[]).filter((t) => t.type === 'function');
  const named = (choice as { function?: { name?: unknown } } | undefined)?.function?.name;
  return typeof named === 'string'
    ? functions.find((t) => t.function.name === named)
    : functions[0];
}

function formatted(text: string, format: unknown): string {
  const { type, json_schema: jsonSchema } = (format ?? {}) as {
    type?: unknown;
    json_schema?: { schema?: unknown };
  };
  if (type === 'json_schema') return JSON.stringify(schemaExample(jsonSchema?.schema ?? {}, text));
  if (type === 'json_object') return JSON.stringify({ response: text });
  return text;
}

function cutAtStop(text: string, stop: unknown): string {
  const sequences = (
    typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : []
  ) as string[];
  const cuts = sequences.map((s) => (s ? text.indexOf(s) : -1)).filter((i) => i >= 0);
  return cuts.length > 0 ? text.slice(0, Math.min(...cuts)) : text;
}

/** The built-in provider's plain answer: the prompt echoed back, cut to 100 characters. */
export function echoOf(prompt: string): string {
  return `Processed: ${preview(prompt)}`;
}

const PREVIEW_CHARS = 100;

/** First 100 characters (code points, as Python slices) plus `...` when the prompt is longer. */
export function preview(prompt: string): string {
  // Walks the first 100 code points (a surrogate pair is one, a lone surrogate one too):
  // no array of one-character strings, and never more than 200 UTF-16 units read.
  let end = 0;
  for (let points = 0; points < PREVIEW_CHARS; points++) {
    if (end >= prompt.length) return prompt;
    end += isPairAt(prompt, end) ? 2 : 1;
  }
  return end >= prompt.length ? prompt : `${prompt.slice(0, end)}...`;
}

function isPairAt(text: string, at: number): boolean {
  const high = text.charCodeAt(at);
  if (high < 0xd800 || high > 0xdbff) return false;
  const low = text.charCodeAt(at + 1);
  return low >= 0xdc00 && low <= 0xdfff;
}
