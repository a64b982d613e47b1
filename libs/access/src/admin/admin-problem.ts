import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@app/platform';

/** Refusals of the key API, as problem documents. */
export const adminProblems = {
  unauthorized: () =>
    new ProblemException(
      HttpStatus.UNAUTHORIZED,
      'An admin credential is required (ADMIN_TOKEN or an admin key, as a bearer token)',
    ),
  forbidden: () =>
    new ProblemException(HttpStatus.FORBIDDEN, 'This key may call the API but not manage keys'),
  notFound: (id: string) => new ProblemException(HttpStatus.NOT_FOUND, `No API key with id ${id}`),
  duplicate: (id: string) =>
    new ProblemException(HttpStatus.CONFLICT, `An API key with id ${id} already exists`),
  full: () =>
    new ProblemException(HttpStatus.CONFLICT, 'The key store holds as many keys as it may'),
  readOnly: () =>
    new ProblemException(
      HttpStatus.CONFLICT,
      'This key is configured by API_KEYS or API_KEYS_FILE and is read-only: change it there',
    ),
  revoked: (id: string) =>
    new ProblemException(HttpStatus.CONFLICT, `API key ${id} is revoked and cannot change`),
  unavailable: () =>
    new ProblemException(
      HttpStatus.SERVICE_UNAVAILABLE,
      'The key store is temporarily unavailable',
    ),
};
