import { describe, expect, it } from '@jest/globals';
import type { LlmProvider } from '../providers/llm-provider.js';
import { ModelsController } from './models.controller.js';
import { OpenAiRequestError } from './openai-error.js';

const provider = { name: 'builtin', model: 'builtin-echo' } as LlmProvider;

describe('ModelsController', () => {
  it('lists the one model it answers with, owned by its provider, created at start', () => {
    const before = Math.floor(Date.now() / 1000);
    const controller = new ModelsController(provider);
    const after = Math.floor(Date.now() / 1000);
    const list = controller.list();
    expect(list).toEqual({
      object: 'list',
      data: [
        { id: 'builtin-echo', object: 'model', created: expect.any(Number), owned_by: 'builtin' },
      ],
    });
    const { created } = list.data[0];
    expect(Number.isInteger(created)).toBe(true);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(after);
  });

  it('retrieves its model by id, the same object as in the list', () => {
    const controller = new ModelsController(provider);
    expect(controller.retrieve('builtin-echo')).toEqual(controller.list().data[0]);
  });

  it('answers 404 model_not_found for any other id', () => {
    const controller = new ModelsController(provider);
    let error: unknown;
    try {
      controller.retrieve('gpt-4o');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OpenAiRequestError);
    const refused = error as OpenAiRequestError;
    expect(refused.getStatus()).toBe(404);
    expect(refused.detail).toBe('The model does not exist or you do not have access to it.');
    expect(refused.param).toBe('model');
    expect(refused.code).toBe('model_not_found');
  });
});
