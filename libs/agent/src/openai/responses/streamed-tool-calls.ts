import type { ToolCall } from '../../providers/llm-provider.js';

interface ToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/**
 * The function calls of an upstream's streamed answer, put together from its chunks' deltas
 * (the id and name come once, the arguments in pieces), as Chat Completions streams them.
 */
export class StreamedToolCalls {
  private readonly calls: ToolCall[] = [];

  add(chunk: object | undefined): void {
    const choices = (chunk as { choices?: { delta?: { tool_calls?: unknown } }[] } | undefined)
      ?.choices;
    const deltas = choices?.[0]?.delta?.tool_calls;
    if (!Array.isArray(deltas)) return;
    for (const delta of deltas as ToolCallDelta[]) {
      const index = typeof delta.index === 'number' ? delta.index : this.calls.length;
      // As many calls as a chat request may declare tools; a wild index is not a call.
      if (!Number.isInteger(index) || index < 0 || index >= 128) continue;
      const call = (this.calls[index] ??= {
        id: '',
        type: 'function',
        function: { name: '', arguments: '' },
      });
      if (typeof delta.id === 'string') call.id = delta.id;
      if (typeof delta.function?.name === 'string') call.function.name += delta.function.name;
      if (typeof delta.function?.arguments === 'string') {
        call.function.arguments += delta.function.arguments;
      }
    }
  }

  /** The calls, or undefined when the answer called none. */
  get(): ToolCall[] | undefined {
    const calls = this.calls.filter((c) => c !== undefined);
    return calls.length ? calls : undefined;
  }
}
