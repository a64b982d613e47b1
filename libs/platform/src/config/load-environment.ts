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

/**
 * A lib's own settings: a class of class-validator-decorated variables with their defaults,
 * and optionally the rules that involve several of them.
 */
export interface EnvironmentSlice<T extends object> {
  new (): T;
  problems?(env: T): string[];
}

type Intersection<T extends object[]> = T extends [infer H, ...infer R extends object[]]
  ? H & Intersection<R>
  : unknown;

/**
 * Validates raw variables (normally `process.env`) into the platform's typed
 * {@link Environment} and each slice the libs declare (the service passes its libs' slices), as
 * one object. Unknown variables are ignored, empty strings count as unset, and values never
 * appear in error messages because some of them are secrets.
 */
export function loadEnvironment<S extends object[]>(
  raw: Record<string, string | undefined> = process.env,
  ...slices: { [K in keyof S]: EnvironmentSlice<S[K]> }
): Environment & Intersection<S> {
  const problems: string[] = [];
  const env = validated(Environment, raw, problems);
  if (env.SHUTDOWN_DRAIN_DELAY_MS >= env.SHUTDOWN_GRACE_MS && env.SHUTDOWN_GRACE_MS > 0) {
    problems.push('SHUTDOWN_DRAIN_DELAY_MS must be shorter than SHUTDOWN_GRACE_MS');
  }
  for (const slice of slices as EnvironmentSlice<object>[]) {
    Object.assign(env, validated(slice, raw, problems));
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return env as Environment & Intersection<S>;
}

/** The variables `slice` declares, validated; its problems added to `problems`. */
function validated<T extends object>(
  slice: EnvironmentSlice<T>,
  raw: Record<string, string | undefined>,
  problems: string[],
): T {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(new slice())) {
    const value = raw[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const env = plainToInstance(slice, picked, { exposeDefaultValues: true });
  problems.push(...validateSync(env, { forbidUnknownValues: false }).map(describe));
  problems.push(...(slice.problems?.(env) ?? []));
  return env;
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
