import { describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { ApiProblemResponses, problemExample } from './api-problem-responses.decorator.js';

@Controller('things')
class ThingsController {
  @Get()
  @ApiProblemResponses(
    { status: 413, description: 'Too big.' },
    {
      status: 502,
      description: 'Upstream failed.',
      detail: 'Upstream said no',
      instance: '/things',
    },
    {
      status: 400,
      description: 'Bad.',
      detail: 'x must be set',
      errors: [{ field: 'x', message: 'x must be set' }],
    },
  )
  list(): string[] {
    return [];
  }
}

describe('ApiProblemResponses', () => {
  const handler = Object.getOwnPropertyDescriptor(ThingsController.prototype, 'list')
    ?.value as object;
  const responses = Reflect.getMetadata(DECORATORS.API_RESPONSE, handler) as Record<
    string,
    { description: string; content: Record<string, { schema: unknown; example: unknown }> }
  >;

  it('declares each status as application/problem+json with the ProblemDetails schema', () => {
    expect(Object.keys(responses).sort()).toEqual(['400', '413', '502']);
    for (const response of Object.values(responses)) {
      expect(Object.keys(response.content)).toEqual(['application/problem+json']);
      expect(response.content['application/problem+json'].schema).toEqual({
        $ref: '#/components/schemas/ProblemDetailsDto',
      });
    }
    expect(responses['413'].description).toBe('Too big.');
  });

  it('gives every status an example of its own', () => {
    const example = (status: string) =>
      responses[status].content['application/problem+json'].example;
    expect(example('413')).toEqual({
      type: 'about:blank',
      title: 'Payload Too Large',
      status: 413,
      detail: 'Request body is larger than the configured limit',
      request_id: expect.any(String),
    });
    expect(example('502')).toMatchObject({
      title: 'Bad Gateway',
      status: 502,
      detail: 'Upstream said no',
      instance: '/things',
    });
    expect(example('400')).toMatchObject({
      status: 400,
      errors: [{ field: 'x', message: 'x must be set' }],
    });
  });

  it('falls back to the status text for statuses the platform has no message for', () => {
    expect(problemExample(418)).toMatchObject({ title: "I'm a Teapot", detail: "I'm a Teapot" });
    expect(problemExample(599)).toMatchObject({ title: 'Error', detail: 'Error' });
    expect(problemExample(415).detail).toBe('Request body must be sent as application/json');
    expect(problemExample(404).detail).toBe('Cannot GET /path');
    expect(problemExample(400)).not.toHaveProperty('errors');
    expect(problemExample(400)).not.toHaveProperty('instance');
  });
});
