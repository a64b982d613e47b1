import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { ProblemException } from '@app/platform';

/** The problem document of an error that ends a stream (the HTTP status was sent already). */
export function problemOf(error: unknown, instance: string, requestId: string | null) {
  const status =
    error instanceof HttpException ? error.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
  const detail =
    error instanceof ProblemException
      ? error.detail
      : status === 500
        ? 'An unexpected error occurred'
        : (STATUS_CODES[status] ?? 'Error');
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance,
    ...(requestId ? { request_id: requestId } : {}),
  };
}
