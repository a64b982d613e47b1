import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CONTRACT_CHECK_REQUEST_ID } from './openapi-contract.js';

export const MAIN = fileURLToPath(
  new URL('../../../../dist/apps/agent-service/src/main.js', import.meta.url),
);

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The built service running as a child process, with its output captured line by line. */
export class ServiceProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private lastOutputAt = Date.now();
  private constructor(
    readonly proc: ChildProcessWithoutNullStreams,
    readonly port: number,
  ) {
    collect(proc.stdout, this.stdout);
    collect(proc.stderr, this.stderr);
    proc.stdout.on('data', () => (this.lastOutputAt = Date.now()));
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Starts `dist/.../main.js` (run `npm run build` first) with the given environment, on a free
   * port or on `port` (to restart a stopped service where its clients expect it).
   */
  static async start(
    env: Record<string, string> = {},
    port?: number,
    main = MAIN,
  ): Promise<ServiceProcess> {
    if (!existsSync(main))
      throw new Error(`${main} is missing: run "npm run build" before the e2e suites`);
    port ??= await freePort();
    const proc = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    });
    return new ServiceProcess(proc, port);
  }

  /** POST /query with a JSON body (a string is sent as is, to test malformed input). */
  query(
    body: unknown,
    headers: Record<string, string> = {},
    path = '/query',
    signal?: AbortSignal,
  ): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** Resolves once GET /health answers 200, or rejects after `timeoutMs`. */
  async waitUntilLive(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`service exited: ${this.stderr.join('\n')}`);
      try {
        if ((await fetch(`${this.url}/health`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('service did not become live in time');
  }

  /** Resolves once a stdout line contains `text`. */
  async waitForLog(text: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.some((line) => line.includes(text))) {
      if (Date.now() > deadline) throw new Error(`no log line containing "${text}"`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Resolves once stdout has been quiet for `quietMs` since this call or its last output: log
   * lines leave in batches at most 100 ms late, so every line of what was done before is in.
   */
  async logsSettled(quietMs = 300, timeoutMs = 5_000): Promise<void> {
    const since = Date.now();
    const quietFor = () => Date.now() - Math.max(since, this.lastOutputAt);
    while (quietFor() < quietMs && Date.now() - since < timeoutMs) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Parsed JSON log lines from stdout, less those of the OpenAPI check's own requests. */
  logs(): Record<string, unknown>[] {
    return this.stdout.flatMap((line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        return entry.requestId === CONTRACT_CHECK_REQUEST_ID ? [] : [entry];
      } catch {
        return [];
      }
    });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

function collect(stream: NodeJS.ReadableStream, into: string[]): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    into.push(...lines.filter(Boolean));
  });
  stream.on('end', () => partial && into.push(partial));
}
