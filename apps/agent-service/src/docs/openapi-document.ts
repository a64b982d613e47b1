import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * The served OpenAPI document, built on first use: scanning every route costs start-up time
 * that probes and the first queries should not wait for.
 */
@Injectable()
export class OpenApiDocument {
  private build: (() => OpenAPIObject) | undefined;
  private json: string | undefined;

  /** Called once the application exists (the scan needs it). */
  use(build: () => OpenAPIObject): void {
    this.build = build;
    this.json = undefined;
  }

  /** The document as JSON text, built on the first call. */
  toJson(): string {
    if (this.json === undefined) {
      if (!this.build) throw new Error('OpenAPI document requested before setupOpenApi()');
      this.json = JSON.stringify(this.build());
    }
    return this.json;
  }
}
