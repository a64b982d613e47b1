import { Injectable } from '@nestjs/common';

/** Whether the process has begun shutting down; readiness and the HTTP layer read it. */
@Injectable()
export class ShutdownState {
  private startedAt: number | undefined;

  get isShuttingDown(): boolean {
    return this.startedAt !== undefined;
  }

  begin(): void {
    this.startedAt ??= Date.now();
  }
}
