import { describe, expect, it, jest } from '@jest/globals';
import { Body, Controller, Post, Req } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyReadByGuard, JsonBodyGuard, type JsonBodyReader } from './json-body.guard.js';

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() body: object): object {
    return body;
  }

  @Post('metered')
  metered(@Req() req: IncomingMessage): string {
    return req.url ?? '';
  }

  @Post('guarded')
  @BodyReadByGuard()
  guarded(@Body() body: object): object {
    return body;
  }
}

function setUp() {
  const read = jest.fn((_req: IncomingMessage, _res: ServerResponse) => Promise.resolve());
  const guard = new JsonBodyGuard({ read } as unknown as JsonBodyReader);
  const req = { headers: {} } as IncomingMessage;
  const res = {} as ServerResponse;
  const contextOf = (name: 'create' | 'metered' | 'guarded') => {
    const handler = Reflect.get(ThingsController.prototype, name) as (...args: never[]) => unknown;
    const context = new ExecutionContextHost([req, res], ThingsController, handler);
    context.setType('http');
    return context;
  };
  return { guard, read, req, res, contextOf };
}

describe('JsonBodyGuard', () => {
  it('answers a handler without @Body() with a plain true, reading nothing', () => {
    const { guard, read, contextOf } = setUp();
    const result = guard.canActivate(contextOf('metered'));
    expect(result).toBe(true);
    expect(read).not.toHaveBeenCalled();
  });

  it('reads the body of a handler that takes @Body(), then lets it run', async () => {
    const { guard, read, req, res, contextOf } = setUp();
    const result = guard.canActivate(contextOf('create'));
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe(true);
    expect(read).toHaveBeenCalledWith(req, res);
  });

  it('leaves the body to the route whose own guard reads it', () => {
    const { guard, read, contextOf } = setUp();
    expect(guard.canActivate(contextOf('guarded'))).toBe(true);
    expect(read).not.toHaveBeenCalled();
  });

  it('passes a refused body on to the exception filters', async () => {
    const { guard, read, contextOf } = setUp();
    read.mockRejectedValueOnce(new Error('too large'));
    await expect(guard.canActivate(contextOf('create'))).rejects.toThrow('too large');
  });
});
