// `node bench/tokenizer.mjs` (after `npm run build`): CPU time of counting the tokens of each
// adversarial prompt shape at the body limit (100 kB of UTF-8), least of BENCH_TOKEN_RUNS (7)
// runs, with the service's counter. BENCH_REFERENCE=1 adds gpt-tokenizer's own countTokens
// (one run per shape, quadratic: several seconds each at 100 kB) for comparison.
// Env: BENCH_TOKEN_BYTES (100000), BENCH_TOKEN_RUNS (7), BENCH_REFERENCE (0).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/libs/agent/src/tokens/', import.meta.url);
if (!existsSync(fileURLToPath(new URL('bpe-counter.js', dist)))) {
  console.error('dist/ is missing: run "npm run build" first');
  process.exit(1);
}
const bytes = Number(process.env.BENCH_TOKEN_BYTES ?? 100_000);
const runs = Number(process.env.BENCH_TOKEN_RUNS ?? 7);
const withReference = process.env.BENCH_REFERENCE === '1';

const { BpeCounter } = await import(new URL('bpe-counter.js', dist).href);
const { adversarialTexts } = await import(new URL('adversarial-texts.js', dist).href);
const { readTiktokenRanks } = await import(new URL('tiktoken-ranks.js', dist).href);
const { cl100kAsciiPieceEnd } = await import(new URL('cl100k-ascii-split.js', dist).href);
const ranks = await readTiktokenRanks();
const { CL100K_TOKEN_SPLIT_REGEX } = await import('gpt-tokenizer/encodingParams/constants');
const reference = withReference ? await import('gpt-tokenizer/encoding/cl100k_base') : undefined;
reference?.setMergeCacheSize(0); // measure the merge, not a warm cache

function cpuMs(run) {
  const started = process.cpuUsage();
  const result = run();
  const used = process.cpuUsage(started);
  return { ms: (used.user + used.system) / 1000, result };
}

const load = cpuMs(() => new BpeCounter(ranks, CL100K_TOKEN_SPLIT_REGEX, cl100kAsciiPieceEnd));
const counter = load.result;
console.log(`tables loaded in ${load.ms.toFixed(0)} ms CPU; ${bytes} bytes per prompt\n`);
console.log(
  '| shape | tokens | CPU ms (least of ' +
    runs +
    ') |' +
    (withReference ? ' gpt-tokenizer CPU ms |' : ''),
);
console.log('|---|--:|--:|' + (withReference ? '--:|' : ''));
let worst = 0;
for (const [name, text] of Object.entries(adversarialTexts(bytes))) {
  let best = Number.POSITIVE_INFINITY;
  let tokens = 0;
  for (let i = 0; i < runs; i++) {
    const { ms, result } = cpuMs(() => counter.count(text));
    best = Math.min(best, ms);
    tokens = result;
  }
  worst = Math.max(worst, best);
  let row = `| ${name} | ${tokens} | ${best.toFixed(1)} |`;
  if (reference) {
    const { ms, result } = cpuMs(() =>
      reference.countTokens(text, { disallowedSpecial: new Set() }),
    );
    if (result !== tokens) row += ' (count differs!)';
    row += ` ${ms.toFixed(0)} |`;
  }
  console.log(row);
}
console.log(`\nworst shape: ${worst.toFixed(1)} ms CPU`);
