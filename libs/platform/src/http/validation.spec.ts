import { describe, expect, it, jest } from '@jest/globals';
import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import {
  Allow,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { createValidationPipe } from './validation.js';
import { ProblemException } from './problem.js';

class Sample {
  @IsNotEmpty({ message: 'name cannot be empty' })
  @IsString({ message: 'name must be a string' })
  name!: string;

  @Max(10)
  @Min(1)
  @IsInt()
  @IsOptional()
  size?: number;
}

class WithNested {
  @ValidateNested()
  @Type(() => Sample)
  inner!: Sample;

  @Allow()
  note?: unknown;
}

const body = (metatype: unknown): ArgumentMetadata =>
  ({ type: 'body', metatype }) as ArgumentMetadata;

async function problemOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    const problem = error as ProblemException;
    return { status: problem.getStatus(), detail: problem.detail, errors: problem.errors };
  }
  throw new Error('expected a rejection');
}

describe('createValidationPipe', () => {
  it('accepts a valid body as an instance of the DTO without the full validator', async () => {
    const pipe = createValidationPipe();
    const full = jest.spyOn(ValidationPipe.prototype, 'transform');
    const result = await pipe.transform({ name: 'a', size: 3 }, body(Sample));
    expect(result).toBeInstanceOf(Sample);
    expect(result).toEqual({ name: 'a', size: 3 });
    expect(full).not.toHaveBeenCalled();
    expect(await pipe.transform({ name: 'b', size: null }, body(Sample))).toBeInstanceOf(Sample);
    expect(full).not.toHaveBeenCalled();
    full.mockRestore();
  });

  it.each([
    [{ name: '' }],
    [{ name: 5 }],
    [{ name: 'a', size: 11 }],
    [{ name: 'a', size: 1.5 }],
    [{ name: 'a', extra: true }],
    [{ size: 2 }],
  ])('rejects %j exactly as the full validator does', async (value) => {
    const pipe = createValidationPipe();
    const fast = await problemOf(pipe.transform(structuredClone(value), body(Sample)));
    const full = await problemOf(
      ValidationPipe.prototype.transform.call(pipe, structuredClone(value), body(Sample)),
    );
    expect(fast).toMatchObject({ status: 400 });
    expect(fast).toEqual(full);
  });

  it('strips prototype keys as the full validator does', async () => {
    const value: unknown = JSON.parse('{"name":"a","__proto__":{"polluted":true}}');
    const result = await createValidationPipe().transform(value, body(Sample));
    expect(result).toBeInstanceOf(Sample);
    expect(result).toEqual({ name: 'a' });
    expect((result as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports each invalid field of a body the fast path refuses', async () => {
    const problem = await problemOf(
      createValidationPipe().transform({ name: 7, size: 0, extra: 1 }, body(Sample)),
    );
    expect(problem).toMatchObject({
      errors: expect.arrayContaining([
        { field: 'extra', message: 'property extra should not exist' },
        { field: 'name', message: 'name must be a string' },
        { field: 'size', message: 'size must not be less than 1' },
      ]),
    });
  });

  it('leaves DTOs it cannot compile to the full validator', async () => {
    const pipe = createValidationPipe();
    const full = jest.spyOn(ValidationPipe.prototype, 'transform');
    const ok = await pipe.transform({ inner: { name: 'x' }, note: 1 }, body(WithNested));
    expect(full).toHaveBeenCalledTimes(1);
    expect(ok).toBeInstanceOf(WithNested);
    full.mockRestore();
  });
});
