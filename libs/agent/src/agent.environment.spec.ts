import { describe, expect, it } from '@jest/globals';
import { loadEnvironment } from '@app/platform';
import { AgentEnvironment } from './agent.environment.js';

const load = (raw: Record<string, string>) => loadEnvironment(raw, AgentEnvironment);

describe('AgentEnvironment', () => {
  it('defaults to the built-in provider', () => {
    expect(load({}).LLM_PROVIDER).toBe('builtin');
  });

  it('requires an API key for the OpenAI API itself', () => {
    expect(() => load({ LLM_PROVIDER: 'openai' })).toThrow(/LLM_API_KEY is required/);
    expect(load({ LLM_PROVIDER: 'openai', LLM_API_KEY: 'sk-x' }).LLM_PROVIDER).toBe('openai');
    expect(
      load({ LLM_PROVIDER: 'openai', LLM_BASE_URL: 'http://127.0.0.1:11434/v1' }).LLM_API_KEY,
    ).toBeUndefined();
  });

  it('reads LLM_FALLBACKS as an ordered list ending, if at all, with builtin', () => {
    const base = { LLM_PROVIDER: 'openai', LLM_BASE_URL: 'http://127.0.0.1:1/v1' };
    expect(
      load({ ...base, LLM_FALLBACKS: 'https://:sk@b.example/v1#m, builtin' }).LLM_FALLBACKS,
    ).toEqual(['https://:sk@b.example/v1#m', 'builtin']);
    expect(() => load({ ...base, LLM_FALLBACKS: 'builtin,http://b/v1' })).toThrow(
      /LLM_FALLBACKS may name builtin only last/,
    );
    expect(() => load({ LLM_FALLBACKS: 'builtin' })).toThrow(
      /LLM_FALLBACKS needs LLM_PROVIDER=openai/,
    );
    let caught: unknown;
    try {
      load({ ...base, LLM_FALLBACKS: 'ftp://:secret-key@x' });
    } catch (error) {
      caught = error;
    }
    expect(String(caught)).toMatch(/LLM_FALLBACKS must be a comma-separated list/);
    expect(String(caught)).not.toContain('secret-key');
  });
});
