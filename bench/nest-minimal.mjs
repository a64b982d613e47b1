// Reference point (BENCH_SERVERS=nest-minimal): a minimal NestJS app on Express (default body
// parser, no middleware, no logger output) doing the service's work, so that what the
// framework itself costs per request can be told apart from what the service adds on top.
// Plain JS: decorators are applied by hand.
import 'reflect-metadata';
import { BadRequestException, Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { answerQuery } from './lib/work.mjs';

const PORT = Number(process.env.PORT ?? 8000);
const HOST = process.env.HOST ?? '127.0.0.1';
const RANGE = 'max_tokens must be between 10 and 2000';

class HealthController {
  health() {
    return { status: 'healthy', version: '1.0.0' };
  }
}

class QueryController {
  async query(body) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new BadRequestException('Request body must be a JSON object');
    }
    const { prompt, max_tokens: maxTokens = 100 } = body;
    if (typeof prompt !== 'string' || !/\S/.test(prompt))
      throw new BadRequestException('Prompt cannot be empty');
    if (!Number.isInteger(maxTokens) || maxTokens < 10 || maxTokens > 2000)
      throw new BadRequestException(RANGE);
    return answerQuery(prompt, randomUUID());
  }
}

class AppModule {}

const method = (cls, name, decorators) =>
  Reflect.decorate(
    decorators,
    cls.prototype,
    name,
    Object.getOwnPropertyDescriptor(cls.prototype, name),
  );
method(HealthController, 'health', [Get()]);
method(QueryController, 'query', [Post(), HttpCode(200)]);
Body()(QueryController.prototype, 'query', 0);
Reflect.decorate([Controller('health')], HealthController);
Reflect.decorate([Controller('query')], QueryController);
Reflect.decorate([Module({ controllers: [HealthController, QueryController] })], AppModule);

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.listen(PORT, HOST);
