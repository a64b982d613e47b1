import { wordChunks } from '../../providers/text-chunks.js';
import { sseEvent } from '../../streaming/sse.js';

type Json = Record<string, unknown>;

/**
 * The Server-Sent Events of a streamed response, in the order the SDKs expect: created,
 * in_progress, then per output item `output_item.added`, its content (`content_part.added`,
 * `output_text.delta`…, `.done` events; or `function_call_arguments.delta/.done`),
 * `output_item.done`, and `response.completed` with the output and usage. Every event carries
 * its `sequence_number`.
 */
export function* responseEvents(inProgress: Json, completed: Json): Generator<string> {
  let sequence = 0;
  const event = (type: string, fields: Json) =>
    sseEvent({ type, sequence_number: sequence++, ...fields }, type);
  yield event('response.created', { response: inProgress });
  yield event('response.in_progress', { response: inProgress });
  for (const [index, item] of (completed.output as Json[]).entries()) {
    const at = { item_id: item.id, output_index: index };
    if (item.type === 'message') {
      const part = (item.content as Json[])[0];
      const text = part.text as string;
      yield event('response.output_item.added', {
        output_index: index,
        item: { ...item, status: 'in_progress', content: [] },
      });
      yield event('response.content_part.added', {
        ...at,
        content_index: 0,
        part: { ...part, text: '' },
      });
      for (const delta of wordChunks(text)) {
        yield event('response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] });
      }
      yield event('response.output_text.done', { ...at, content_index: 0, text, logprobs: [] });
      yield event('response.content_part.done', { ...at, content_index: 0, part });
    } else {
      yield event('response.output_item.added', {
        output_index: index,
        item: { ...item, arguments: '', status: 'in_progress' },
      });
      yield event('response.function_call_arguments.delta', { ...at, delta: item.arguments });
      yield event('response.function_call_arguments.done', {
        ...at,
        name: item.name,
        arguments: item.arguments,
      });
    }
    yield event('response.output_item.done', { output_index: index, item });
  }
  yield event('response.completed', { response: completed });
}
