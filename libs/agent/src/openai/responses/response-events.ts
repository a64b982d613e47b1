import { sseEvent } from '../../streaming/sse.js';

type Json = Record<string, unknown>;

const EMPTY_PART = { type: 'output_text', text: '', annotations: [], logprobs: [] };

/**
 * Writes the Server-Sent Events of a streamed response as the answer comes, in the order the
 * SDKs expect: created, in_progress; the message's `output_item.added` and `content_part.added`
 * with its first text, an `output_text.delta` per piece of text; once the answer is complete,
 * the `.done` events, one `output_item.added` … `function_call_arguments.delta/.done` …
 * `output_item.done` per function call, and `response.completed` with the output and usage.
 * Every event carries its `sequence_number`.
 */
export class ResponseEventWriter {
  private sequence = 0;
  private started = false;

  /** `messageId`: the id the completed response gives its message item. */
  constructor(
    private readonly inProgress: Json,
    private readonly messageId: string,
  ) {}

  start(): string {
    return (
      this.event('response.created', { response: this.inProgress }) +
      this.event('response.in_progress', { response: this.inProgress })
    );
  }

  text(delta: string): string {
    if (!delta) return '';
    return this.open() + this.event('response.output_text.delta', this.delta(delta));
  }

  finish(completed: Json): string {
    let frames = '';
    for (const [index, item] of (completed.output as Json[]).entries()) {
      const at = { item_id: item.id, output_index: index };
      if (item.type === 'message') {
        const part = (item.content as Json[])[0];
        const text = part.text as string;
        if (!this.started)
          frames +=
            this.open() + (text ? this.event('response.output_text.delta', this.delta(text)) : '');
        frames +=
          this.event('response.output_text.done', { ...at, content_index: 0, text, logprobs: [] }) +
          this.event('response.content_part.done', { ...at, content_index: 0, part });
      } else {
        frames +=
          this.event('response.output_item.added', {
            output_index: index,
            item: { ...item, arguments: '', status: 'in_progress' },
          }) +
          this.event('response.function_call_arguments.delta', { ...at, delta: item.arguments }) +
          this.event('response.function_call_arguments.done', {
            ...at,
            name: item.name,
            arguments: item.arguments,
          });
      }
      frames += this.event('response.output_item.done', { output_index: index, item });
    }
    return frames + this.event('response.completed', { response: completed });
  }

  /** The message item and its text part, before its first text. */
  private open(): string {
    if (this.started) return '';
    this.started = true;
    const item = {
      type: 'message',
      id: this.messageId,
      status: 'in_progress',
      role: 'assistant',
      content: [],
    };
    return (
      this.event('response.output_item.added', { output_index: 0, item }) +
      this.event('response.content_part.added', {
        item_id: this.messageId,
        output_index: 0,
        content_index: 0,
        part: EMPTY_PART,
      })
    );
  }

  private delta(delta: string): Json {
    return { item_id: this.messageId, output_index: 0, content_index: 0, delta, logprobs: [] };
  }

  private event(type: string, fields: Json): string {
    return sseEvent({ type, sequence_number: this.sequence++, ...fields }, type);
  }
}
