/**
 * The part of a framework response object controllers may touch: status and headers. Both the
 * Express and the Fastify adapters provide it, so controllers stay adapter-agnostic.
 */
export interface ResponseControls {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
}
