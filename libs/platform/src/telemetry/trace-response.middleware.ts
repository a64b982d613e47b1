import { Injectable, type NestMiddleware } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTraceResponseHeaders } from './trace-context.js';

/**
 * Answers carry the `traceparent` of their server span. Runs as the first middleware, where
 * the active span is still the HTTP server span (Express's own layers make no spans here).
 */
@Injectable()
export class TraceResponseMiddleware implements NestMiddleware {
  use(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
    setTraceResponseHeaders(res, trace.getActiveSpan());
    next();
  }
}
