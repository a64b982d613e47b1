const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Bytes in a validated BODY_LIMIT ("100kb", "1mb", "4096"); kb and mb are binary, as body-parser's. */
export function parseBodyLimit(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)?$/i.exec(value.trim());
  if (!match) throw new Error('BODY_LIMIT must look like 100kb, 1mb or 4096');
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]);
}
