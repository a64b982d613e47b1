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
 * that asks for nothing more than a plain text answer. Anything else is a 400 naming it: a
 * silently ignored `tools` or `response_format` would hand the client an answer it did not ask for.
 */
const RULES: [keyof ChatCompletionRequestDto, (v: unknown) => boolean, string][] = [
  ['n', (v) => v === undefined || v === null || v === 1, 'only n=1 is supported'],
  ['tools', empty, 'tools are not supported'],
  ['functions', empty, 'functions are not supported'],
  ['tool_choice', (v) => empty(v) || v === 'none' || v === 'auto', 'tool_choice is not supported'],
  [
    'function_call',
    (v) => empty(v) || v === 'none' || v === 'auto',
    'function_call is not supported',
  ],
  [
    'response_format',
    (v) => empty(v) || (v as { type?: unknown }).type === 'text',
    'only response_format {"type": "text"} is supported',
  ],
  ['logprobs', (v) => v === undefined || v === null || v === false, 'logprobs are not supported'],
  ['top_logprobs', (v) => v === undefined || v === null || v === 0, 'logprobs are not supported'],
  ['stop', empty, 'stop sequences are not supported'],
  ['logit_bias', empty, 'logit_bias is not supported'],
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
