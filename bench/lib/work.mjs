// The service's per-request work, shared by the floor and nest-minimal so both do exactly the
// same: the truncated echo and the token count. Keep in step with libs/agent (the run's sanity
// check compares `response` and `tokens_used` with the service's and flags any difference).

const PREVIEW_CHARS = 100;
// Special-token markers in user text count as plain text, as in the service.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set() };

/** First 100 code points plus `...` when the prompt is longer. */
export function preview(prompt) {
  if (prompt.length <= PREVIEW_CHARS) return prompt;
  const chars = Array.from(prompt);
  return chars.length <= PREVIEW_CHARS ? prompt : `${chars.slice(0, PREVIEW_CHARS).join('')}...`;
}

let counter;
let loading;

/** countTokens of the TOKEN_ENCODING encoding (gpt-tokenizer), loaded on first use. */
export function tokenCounter() {
  if (counter) return counter;
  const encoding = process.env.TOKEN_ENCODING ?? 'cl100k_base';
  loading ??= import(`gpt-tokenizer/encoding/${encoding}`).then(({ countTokens }) => {
    counter = (text) => countTokens(text, AS_PLAIN_TEXT);
    return counter;
  });
  return loading;
}

/** The body of a 200 answer to a valid query. */
export async function answerQuery(prompt, uuid) {
  const count = counter ?? (await tokenCounter());
  const response = `Processed: ${preview(prompt)}`;
  return {
    id: uuid,
    response,
    tokens_used: count(prompt) + count(response),
    provider: 'builtin',
    model: 'builtin-echo',
  };
}
