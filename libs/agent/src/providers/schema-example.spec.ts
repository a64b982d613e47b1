import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { schemaExample } from './schema-example.js';

const ajv = new Ajv({ strict: false });

describe('schemaExample', () => {
  it.each([
    [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }],
    [{ type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } } }],
    [{ type: 'string', minLength: 300, maxLength: 400 }],
    [{ type: 'string', maxLength: 3 }],
    [{ type: 'string', format: 'date-time' }],
    [{ type: 'integer', exclusiveMinimum: 4, maximum: 9 }],
    [{ type: 'number', minimum: -5, maximum: -2 }],
    [{ type: 'array', items: { type: 'boolean' }, minItems: 2 }],
    [{ enum: ['x', 'y'] }],
    [{ const: 42 }],
    [{ anyOf: [{ type: 'null' }, { type: 'string' }] }],
    [{ type: ['string', 'null'] }],
    [
      {
        type: 'object',
        properties: { node: { $ref: '#/$defs/node' } },
        required: ['node'],
        $defs: {
          node: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              kids: { type: 'array', items: { $ref: '#/$defs/node' } },
            },
            required: ['name', 'kids'],
          },
        },
      },
    ],
  ])('gives a value %j accepts', (schema) => {
    expect(ajv.validate(schema, schemaExample(schema, 'text'))).toBe(true);
  });

  it('fills strings with the text it is given, within their maximum length', () => {
    expect(
      schemaExample(
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        'hello',
      ),
    ).toEqual({ a: 'hello' });
    expect(schemaExample({ type: 'string', maxLength: 2 }, 'hello')).toBe('he');
  });

  it('stops at its node budget on a schema that refers to itself', () => {
    const loop = { $ref: '#', type: 'object' };
    const started = performance.now();
    expect(schemaExample(loop, 'x')).toBeNull();
    const wide = { type: 'object', required: Array.from({ length: 5000 }, (_, i) => `p${i}`) };
    const value = schemaExample(wide, 'x') as Record<string, unknown>;
    expect(Object.keys(value).length).toBeLessThanOrEqual(2000);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
