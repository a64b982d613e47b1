import { expect } from '@jest/globals';
import type { ReceivedSpan } from './otlp-receiver.js';

/** The one span named `name` among `spans` (fails when there is none or more than one). */
export function only(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0];
}

/** Whether `span` sits under `ancestor` in the tree made by `spans`. */
export function isDescendant(
  spans: ReceivedSpan[],
  span: ReceivedSpan,
  ancestor: ReceivedSpan,
): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (let at = byId.get(span.parentSpanId); at !== undefined; at = byId.get(at.parentSpanId)) {
    if (at.spanId === ancestor.spanId) return true;
  }
  return false;
}

/** The direct children of `parent`, oldest first. */
export function childrenOf(spans: ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] {
  return spans
    .filter((s) => s.parentSpanId === parent.spanId)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** Every attribute value of every span, as one text: to check what must never be in it. */
export function everyAttributeValue(spans: ReceivedSpan[]): string {
  return JSON.stringify(spans.map((s) => [s.name, s.attributes]));
}
