/** One parsed Server-Sent Event. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Parses a complete SSE body into events (comments dropped), as a browser's EventSource does. */
export function parseSse(body: string): SseEvent[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .flatMap((block) => {
      const lines = block.split('\n').filter((l) => !l.startsWith(':'));
      if (lines.length === 0) return [];
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return [{ ...(event ? { event } : {}), data }];
    });
}

/** Reads a fetch() body as it arrives; resolves with the text and when each piece came in. */
export async function readStream(
  response: Response,
): Promise<{ text: string; arrivals: { at: number; text: string }[] }> {
  const decoder = new TextDecoder();
  const arrivals: { at: number; text: string }[] = [];
  let text = '';
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    const piece = decoder.decode(bytes, { stream: true });
    arrivals.push({ at: Date.now(), text: piece });
    text += piece;
  }
  return { text, arrivals };
}
