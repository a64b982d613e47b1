import { describe, expect, it } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { loadEnvironment, type Environment } from '@app/platform';
import { HealthController } from './health.controller.js';

/** The validated environment, as the module hands it to the controllers. */
function configOf(vars: Record<string, string>): ConfigService<Environment, true> {
  return new ConfigService<Environment, true>({ ...loadEnvironment(vars) });
}

describe('HealthController', () => {
  const config = configOf({ APP_VERSION: '4.5.6' });

  it('answers healthy with the configured version', () => {
    expect(new HealthController(config).health()).toEqual({ status: 'healthy', version: '4.5.6' });
  });

  it('answers from one frozen object: nothing per request, nothing to mutate', () => {
    const controller = new HealthController(config);
    const body = controller.health();
    expect(controller.health()).toBe(body);
    expect(Object.isFrozen(body)).toBe(true);
  });
});
