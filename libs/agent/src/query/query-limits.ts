/** Bounds and defaults of a query, owned by the use-case; the DTOs and the OpenAPI document read them. */
export const MIN_MAX_TOKENS = 10;
export const MAX_MAX_TOKENS = 2000;
export const DEFAULT_MAX_TOKENS = 100;
export const MAX_TOKENS_RANGE_MESSAGE = `max_tokens must be between ${MIN_MAX_TOKENS} and ${MAX_MAX_TOKENS}`;
