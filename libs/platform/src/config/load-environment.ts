import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { Environment } from './environment.js';

/** Thrown when the environment does not satisfy {@link Environment}; lists every bad variable. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigValidationError';
  }
}

const KNOWN_KEYS = Object.keys(new Environment());

/**
 * Validates raw variables (normally `process.env`) into a typed {@link Environment}.
 * Unknown variables are ignored, empty strings count as unset, and values never appear in
 * error messages because some of them are secrets.
 */
export function loadEnvironment(
  raw: Record<string, string | undefined> = process.env,
): Environment {
  const picked: Record<string, string> = {};
  for (const key of KNOWN_KEYS) {
    const value = raw[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const env = plainToInstance(Environment, picked, { exposeDefaultValues: true });
  const problems = validateSync(env, { forbidUnknownValues: false }).map(describe);
  problems.push(...crossFieldProblems(env));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return env;
}

/** Rules that involve more than one variable. */
function crossFieldProblems(env: Environment): string[] {
  const problems: string[] = [];
  if (env.LLM_PROVIDER === 'openai' && !env.LLM_BASE_URL && !env.LLM_API_KEY) {
    problems.push(
      'LLM_API_KEY is required when LLM_PROVIDER=openai talks to the OpenAI API (no LLM_BASE_URL)',
    );
  }
  const builtinAt = env.LLM_FALLBACKS.indexOf('builtin');
  if (env.LLM_FALLBACKS.length > 0 && env.LLM_PROVIDER === 'builtin') {
    problems.push('LLM_FALLBACKS needs LLM_PROVIDER=openai (the built-in provider never fails)');
  } else if (builtinAt !== -1 && builtinAt !== env.LLM_FALLBACKS.length - 1) {
    problems.push('LLM_FALLBACKS may name builtin only last (it never fails over)');
  }
  if (env.SHUTDOWN_DRAIN_DELAY_MS >= env.SHUTDOWN_GRACE_MS && env.SHUTDOWN_GRACE_MS > 0) {
    problems.push('SHUTDOWN_DRAIN_DELAY_MS must be shorter than SHUTDOWN_GRACE_MS');
  }
  if (env.AUTH_REQUIRED && env.API_KEYS.length === 0 && !env.API_KEYS_FILE && !env.ADMIN_TOKEN) {
    problems.push('AUTH_REQUIRED=true needs API_KEYS, API_KEYS_FILE or ADMIN_TOKEN');
  }
  return problems;
}

function describe(error: ValidationError): string {
  // Report a wrong type before a range: "PORT must be an integer", not "must not be greater".
  const constraints = Object.entries(error.constraints ?? {});
  const ranged = new Set(['min', 'max', 'maxLength']);
  const [, message] = constraints.find(([name]) => !ranged.has(name)) ?? constraints[0] ?? [];
  return message?.startsWith(error.property)
    ? message
    : `${error.property}: ${message ?? 'invalid value'}`;
}
