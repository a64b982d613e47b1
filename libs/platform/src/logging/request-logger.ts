import type { Bindings, Logger } from 'pino';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * The logger a request's code logs through (nestjs-pino's `PinoLogger` finds it in its request
 * context): a child of the root bound to the request id and to the fields assigned on the way
 * (`PinoLogger.assign`, e.g. the client id), created only when something is actually logged.
 * Most requests log nothing themselves, and a pino child costs a copy of the logger plus the
 * serialization of its bindings.
 */
export class RequestLogger {
  private bound: Logger | undefined;

  constructor(
    private readonly root: Logger,
    private readonly requestId: string,
    private readonly bindings?: Bindings,
  ) {}

  get level(): string {
    return this.root.level;
  }

  isLevelEnabled(level: string): boolean {
    return this.root.isLevelEnabled(level);
  }

  trace(...args: unknown[]): void {
    this.call('trace', args);
  }

  debug(...args: unknown[]): void {
    this.call('debug', args);
  }

  info(...args: unknown[]): void {
    this.call('info', args);
  }

  warn(...args: unknown[]): void {
    this.call('warn', args);
  }

  error(...args: unknown[]): void {
    this.call('error', args);
  }

  fatal(...args: unknown[]): void {
    this.call('fatal', args);
  }

  /** What `PinoLogger.assign` calls: the same lazy logger with `bindings` added. */
  child(bindings: Bindings): Logger {
    const merged = { ...this.bindings, ...bindings };
    return new RequestLogger(this.root, this.requestId, merged) as unknown as Logger;
  }

  private call(level: Level, args: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    const log: (...a: unknown[]) => void = this.resolve()[level];
    log.apply(this.bound, args);
  }

  private resolve(): Logger {
    this.bound ??= this.root.child({ requestId: this.requestId, ...this.bindings });
    return this.bound;
  }
}
