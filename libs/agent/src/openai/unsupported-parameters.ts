import type { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { OpenAiRequestError } from './openai-error.js';

const empty = (value: unknown) =>
  value === undefined ||
  value === null ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) ||
  value === '';

/**
 * OpenAI parameters whose meaning this service cannot honour, each allowed only in the form
 * that asks for nothing more than a text answer. Anything else is a 400 naming it: a silently
 * ignored `audio` or `web_search_options` would hand the client an answer it did not ask for.
 */
const RULES: [keyof ChatCompletionRequestDto, (v: unknown) => boolean, string][] = [
  ['functions', empty, 'functions are not supported: use tools'],
  [
    'function_call',
    (v) => empty(v) || v === 'none' || v === 'auto',
    'function_call is not supported: use tool_choice',
  ],
  [
    'modalities',
    (v) => empty(v) || (Array.isArray(v) && v.every((m) => m === 'text')),
    'only the text modality is supported',
  ],
  ['audio', empty, 'audio output is not supported'],
  ['prediction', empty, 'predicted outputs are not supported'],
  ['web_search_options', empty, 'web search is not supported'],
];

/** Throws OpenAI's 400 for the first parameter that asks for more than a text answer. */
export function refuseUnsupported(body: ChatCompletionRequestDto): void {
  for (const [param, allowed, message] of RULES) {
    if (!allowed(body[param]))
      throw new OpenAiRequestError(message, param, 'unsupported_parameter');
  }
}
