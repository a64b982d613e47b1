import { AccessEnvironment } from '@app/access';
import { AgentEnvironment } from '@app/agent';
import { loadEnvironment, type Environment } from '@app/platform';

/** Every setting of the service: the platform's, and the slices its libs declare. */
export type ServiceEnvironment = Environment & AgentEnvironment & AccessEnvironment;

/** The service's settings, validated together at start-up: every bad variable is listed. */
export function loadServiceEnvironment(
  raw: Record<string, string | undefined> = process.env,
): ServiceEnvironment {
  return loadEnvironment(raw, AgentEnvironment, AccessEnvironment);
}
