import { describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { assignRequestId } from '../logging/request-id.js';
import { REQUEST_ID_PATTERN, completeOpenApiDocument } from './complete-openapi-document.js';

function document(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/query': {
        post: {
          requestBody: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Body' } } },
          },
          responses: {
            '200': { description: 'ok', headers: { 'X-Cache': { schema: { type: 'string' } } } },
          },
        },
      },
      '/health': {
        get: {
          parameters: [{ name: 'X-Request-Id', in: 'header', required: true }],
          responses: { '200': { description: 'ok' }, '500': { description: 'own 500' } },
        },
      },
    },
    components: {
      schemas: {
        Body: { type: 'object', properties: { a: { type: 'string' } } },
        Reply: { type: 'object' },
      },
    },
  };
}

describe('completeOpenApiDocument', () => {
  it('declares X-Request-Id on every response, keeping the headers a route declared', () => {
    const doc = completeOpenApiDocument(document());
    const ref = { $ref: '#/components/headers/X-Request-Id' };
    expect(doc.paths['/query'].post?.responses['200']).toMatchObject({
      headers: { 'X-Request-Id': ref, 'X-Cache': { schema: { type: 'string' } } },
    });
    expect(doc.paths['/query'].post?.responses['500']).toMatchObject({
      headers: { 'X-Request-Id': ref },
    });
    expect(doc.paths['/health'].get?.responses['200']).toMatchObject({
      headers: { 'X-Request-Id': ref },
    });
    expect(doc.components?.headers?.['X-Request-Id']).toMatchObject({
      required: true,
      schema: { type: 'string', pattern: REQUEST_ID_PATTERN, maxLength: 128 },
    });
  });

  it('adds a 500 problem response where a route declares none, and keeps a declared one', () => {
    const doc = completeOpenApiDocument(document());
    const added = doc.paths['/query'].post?.responses['500'] as unknown as {
      content: Record<string, { schema: unknown; example: unknown }>;
    };
    expect(added.content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/ProblemDetailsDto',
    });
    expect(added.content['application/problem+json'].example).toMatchObject({
      status: 500,
      title: 'Internal Server Error',
      detail: 'An unexpected error occurred',
    });
    expect(doc.paths['/health'].get?.responses['500']).toMatchObject({ description: 'own 500' });
  });

  it('accepts X-Request-Id on every request unless the route declares it itself', () => {
    const doc = completeOpenApiDocument(document());
    expect(doc.paths['/query'].post?.parameters).toEqual([
      expect.objectContaining({ name: 'X-Request-Id', in: 'header', required: false }),
    ]);
    expect(doc.paths['/health'].get?.parameters).toEqual([
      { name: 'X-Request-Id', in: 'header', required: true },
    ]);
  });

  it('closes request bodies and only them, and states that no security is required', () => {
    const doc = completeOpenApiDocument(document());
    expect(doc.components?.schemas?.Body).toMatchObject({ additionalProperties: false });
    expect(doc.components?.schemas?.Reply).not.toHaveProperty('additionalProperties');
    expect(doc.security).toEqual([]);
    const secured = completeOpenApiDocument({ ...document(), security: [{ key: [] }] });
    expect(secured.security).toEqual([{ key: [] }]);
  });

  it.each(['abc-123.x', 'a:b_c', 'x'.repeat(128), 'x'.repeat(129), 'bad id', 'tab\there', 'é', ''])(
    'documents exactly the request ids the logger keeps: %j',
    (id) => {
      const res = { setHeader: (_n: string, v: string) => (sent = v) } as unknown as ServerResponse;
      let sent = '';
      assignRequestId({ headers: { 'x-request-id': id } } as unknown as IncomingMessage, res);
      expect(sent === id).toBe(new RegExp(REQUEST_ID_PATTERN).test(id));
      expect(sent).toMatch(new RegExp(REQUEST_ID_PATTERN));
    },
  );
});
