import type { LoggerService } from '@nestjs/common';

/** What Nest logs at the end of `app.init()`, before the service has tried to listen. */
const NEST_INIT_MESSAGE = 'Nest application successfully started';

/**
 * The application logger without Nest's "successfully started" line: Nest writes it when the
 * modules are initialised, before `listen()`, so a port already taken would be followed by a
 * claim of success. main.ts says "listening on …" once the port is bound instead.
 */
export class StartupLogger implements LoggerService {
  constructor(private readonly logger: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    if (message === NEST_INIT_MESSAGE && rest.at(-1) === 'NestApplication') return;
    this.logger.log(message, ...rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.logger.error(message, ...rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.logger.warn(message, ...rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.logger.debug?.(message, ...rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.logger.verbose?.(message, ...rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.logger.fatal?.(message, ...rest);
  }
}
