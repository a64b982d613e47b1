import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { IncomingMessage } from 'node:http';
import { UNTRACED_PATHS } from './telemetry-settings.js';

/** Files of the packages instrumented below, as the ES module loader hook sees their URLs. */
export const INSTRUMENTED_MODULES =
  /[\\/]node_modules[\\/](@nestjs[\\/]core|express|router|pg|pg-pool|ioredis)[\\/]/;

/**
 * The instrumentations of the packages the service talks through: node:http (server spans,
 * W3C context in and out), Express (the route template that names the server span), Nest (the
 * controller method), pg and ioredis (every PostgreSQL and Redis command), undici (fetch, the
 * OpenAI SDK's transport, which carries `traceparent` to the LLM upstream).
 */
export function instrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.has(pathOf(req.url)),
      // The query string is the client's (tokens, cursors): kept out of every span, as out of
      // the logs. The instrumentation sets it from the URL unless a start hook overrides it.
      startIncomingSpanHook: () => ({ 'url.query': undefined }),
      // Outgoing node:http calls only inside a trace (the OTLP exporter's own requests are not).
      requireParentforOutgoingSpans: true,
    }),
    // Each middleware function would be a span of its own: the route handler is what matters.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    new Nest12Instrumentation(),
    new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
    // The command name only: the default serializer records keys and arguments, and ours name
    // a prompt's hash (cache), a client id or an address (rate limits), or carry cached answers.
    new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (name) => name }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
  ];
}

/**
 * The Nest instrumentation declares `>=4 <12` and so would leave Nest 12 alone. The two
 * methods it wraps (NestFactoryStatic.prototype.create, RouterExecutionContext.prototype.create)
 * have the same shape in Nest 12; the end-to-end telemetry suite checks its spans arrive, so a
 * Nest release that changes them fails there.
 */
class Nest12Instrumentation extends NestInstrumentation {
  override init() {
    const definition = super.init();
    const widen = (versions: string[]) => versions.map((v) => v.replace('<12', '<13'));
    for (const module of [definition].flat()) {
      module.supportedVersions = widen(module.supportedVersions);
      for (const file of module.files) file.supportedVersions = widen(file.supportedVersions);
    }
    return definition;
  }
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}
