import type { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { OpenAiRequestError } from './openai-error.js';

const MAX_TOOLS = 128;
const MAX_DESCRIPTION = 32 * 1024;
/** OpenAI's rule for function and schema names. */
export const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `tools` (function tools), `tool_choice` and `response_format`, checked in shape and copied
 * field by field (only the fields the API defines go upstream). Schemas are passed on as JSON:
 * never compiled here, so a hostile schema costs its bytes, which the body limit bounds.
 */
export function readTools(body: ChatCompletionRequestDto): Json {
  const out: Json = {};
  const names = new Set<string>();
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    if (body.tools.length > MAX_TOOLS) {
      throw new OpenAiRequestError(`tools may hold at most ${MAX_TOOLS} entries`, 'tools');
    }
    out.tools = body.tools.map((tool, i) => {
      const param = `tools[${i}]`;
      if (!isObject(tool) || tool.type !== 'function') {
        throw new OpenAiRequestError(
          'only function tools are supported',
          `${param}.type`,
          'unsupported_parameter',
        );
      }
      const fn = readFunction(tool.function, `${param}.function`);
      if (names.has(fn.name as string)) {
        throw new OpenAiRequestError('tool names must be unique', `${param}.function.name`);
      }
      names.add(fn.name as string);
      return { type: 'function', function: fn };
    });
  }
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    out.tool_choice = readToolChoice(body.tool_choice, names);
  }
  if (body.response_format !== undefined && body.response_format !== null) {
    const format = readResponseFormat(body.response_format);
    if (format) out.response_format = format;
  }
  return out;
}

function readFunction(fn: unknown, param: string): Json {
  if (!isObject(fn) || typeof fn.name !== 'string' || !FUNCTION_NAME.test(fn.name)) {
    throw new OpenAiRequestError(
      'a function needs a name of 1 to 64 letters, digits, _ or -',
      `${param}.name`,
    );
  }
  return {
    name: fn.name,
    ...described(fn, param),
    ...(fn.parameters !== undefined
      ? { parameters: schemaOf(fn.parameters, `${param}.parameters`) }
      : {}),
    ...strictOf(fn, param),
  };
}

function readToolChoice(choice: unknown, names: Set<string>): unknown {
  if (choice === 'none' || choice === 'auto') return choice;
  if (names.size === 0) {
    throw new OpenAiRequestError('tool_choice needs tools', 'tool_choice');
  }
  if (choice === 'required') return choice;
  const name =
    isObject(choice) && choice.type === 'function' && isObject(choice.function)
      ? choice.function.name
      : undefined;
  if (typeof name !== 'string' || !names.has(name)) {
    throw new OpenAiRequestError(
      'tool_choice must be none, auto, required or {"type": "function", "function": {"name"}} naming one of the tools',
      'tool_choice',
    );
  }
  return { type: 'function', function: { name } };
}

function readResponseFormat(format: unknown): Json | undefined {
  const type = isObject(format) ? format.type : undefined;
  if (type === 'text') return undefined;
  if (type === 'json_object') return { type };
  if (type !== 'json_schema') {
    throw new OpenAiRequestError(
      'response_format.type must be text, json_object or json_schema',
      'response_format.type',
    );
  }
  const spec = (format as Json).json_schema;
  const param = 'response_format.json_schema';
  if (!isObject(spec) || typeof spec.name !== 'string' || !FUNCTION_NAME.test(spec.name)) {
    throw new OpenAiRequestError(
      'json_schema needs a name of 1 to 64 letters, digits, _ or -',
      `${param}.name`,
    );
  }
  return {
    type,
    json_schema: {
      name: spec.name,
      ...described(spec, param),
      ...(spec.schema !== undefined ? { schema: schemaOf(spec.schema, `${param}.schema`) } : {}),
      ...strictOf(spec, param),
    },
  };
}

function described(value: Json, param: string): Json {
  if (value.description === undefined || value.description === null) return {};
  if (typeof value.description !== 'string' || value.description.length > MAX_DESCRIPTION) {
    throw new OpenAiRequestError(
      `description must be a string of at most ${MAX_DESCRIPTION} characters`,
      `${param}.description`,
    );
  }
  return { description: value.description };
}

function strictOf(value: Json, param: string): Json {
  if (value.strict === undefined || value.strict === null) return {};
  if (typeof value.strict !== 'boolean')
    throw new OpenAiRequestError('strict must be a boolean', `${param}.strict`);
  return { strict: value.strict };
}

function schemaOf(schema: unknown, param: string): Json {
  if (!isObject(schema)) throw new OpenAiRequestError('a JSON schema must be an object', param);
  return schema;
}
