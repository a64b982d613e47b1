import { describe, expect, it } from '@jest/globals';
import { AccessEnvironment } from '@app/access';
import { AgentEnvironment } from '@app/agent';
import { Environment, type ConfigValidationError } from '@app/platform';
import { readFileSync } from 'node:fs';
import { loadServiceEnvironment } from './service-environment.js';

describe('loadServiceEnvironment', () => {
  it("validates the platform's settings and every lib's slice together", () => {
    let caught: unknown;
    try {
      loadServiceEnvironment({ PORT: 'x', LLM_TIMEOUT_MS: '1', MAX_IN_FLIGHT: '-1' });
    } catch (error) {
      caught = error;
    }
    const problems = (caught as ConfigValidationError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/LLM_TIMEOUT_MS/);
    expect(problems).toMatch(/MAX_IN_FLIGHT/);
  });
});

describe('.env.example', () => {
  it('documents every variable with its default value', () => {
    const text = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = Object.fromEntries(
      text
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const declared = [new Environment(), new AgentEnvironment(), new AccessEnvironment()];
    expect(Object.keys(documented).sort()).toEqual(declared.flatMap((e) => Object.keys(e)).sort());
    expect({ ...loadServiceEnvironment(documented) }).toEqual({ ...loadServiceEnvironment({}) });
  });
});
