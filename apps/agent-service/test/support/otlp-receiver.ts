import { createServer, type IncomingMessage, type Server } from 'node:http';

/** A span as received over OTLP/HTTP JSON, flattened for assertions. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP enum: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  status: { code?: number };
  /** Start time, nanoseconds since the epoch (as a string: it exceeds 2^53). */
  start: bigint;
  scope: string;
  resource: Record<string, unknown>;
}

/** A metric data point as received over OTLP/HTTP JSON (histograms and sums). */
export interface ReceivedPoint {
  metric: string;
  unit: string;
  /** `histogram`, `sum` or `gauge`. */
  type: string;
  attributes: Record<string, unknown>;
  /** Histograms: observations and their sum; sums and gauges: the value. */
  count?: number;
  sum?: number;
  value?: number;
  scope: string;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}

/**
 * An OTLP/HTTP receiver for the tests, of spans (`/v1/traces`) and metrics (`/v1/metrics`)
 * (JSON: start the service with OTEL_EXPORTER_OTLP_PROTOCOL=http/json). It can also stall, to play an exporter that is down
 * or slow: `stallMs` holds every answer that long.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Metric data points, from every export request to /v1/metrics, in arrival order. */
  readonly points: ReceivedPoint[] = [];
  /** Spans per export request, in arrival order. */
  readonly batches: number[] = [];
  stallMs = 0;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined = undefined;
    const server = createServer((req, res) => {
      void readJson(req).then((body) => {
        if (req.url === '/v1/metrics') receiver?.collectMetrics(body);
        else receiver?.collect(body);
        const answer = () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{}');
        };
        if (receiver?.stallMs) setTimeout(answer, receiver.stallMs).unref();
        else answer();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new OtlpReceiver(server, (server.address() as { port: number }).port);
    return receiver;
  }

  /** The base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves once `predicate` holds for the spans received, or rejects after `timeoutMs`. */
  async waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.spans)) {
      if (Date.now() > deadline) {
        const names = this.spans.map((s) => s.name).join(', ');
        throw new Error(`spans did not arrive in time; received: ${names}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Resolves once `predicate` holds for the metric points received, or rejects after `timeoutMs`. */
  async waitForPoints(
    predicate: (points: ReceivedPoint[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.points)) {
      if (Date.now() > deadline) {
        const names = [...new Set(this.points.map((p) => p.metric))].join(', ');
        throw new Error(`metrics did not arrive in time; received: ${names}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private collectMetrics(body: unknown): void {
    type Point = {
      attributes?: OtlpKeyValue[];
      count?: string | number;
      sum?: number;
      asDouble?: number;
      asInt?: string | number;
    };
    type Metric = {
      name?: string;
      unit?: string;
      histogram?: { dataPoints?: Point[] };
      sum?: { dataPoints?: Point[] };
      gauge?: { dataPoints?: Point[] };
    };
    const resourceMetrics =
      (body as { resourceMetrics?: unknown[] } | undefined)?.resourceMetrics ?? [];
    for (const rm of resourceMetrics as {
      scopeMetrics?: { scope?: { name?: string }; metrics?: Metric[] }[];
    }[]) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const metric of sm.metrics ?? []) {
          for (const type of ['histogram', 'sum', 'gauge'] as const) {
            for (const point of metric[type]?.dataPoints ?? []) {
              this.points.push({
                metric: String(metric.name),
                unit: metric.unit ?? '',
                type,
                attributes: attributesOf(point.attributes),
                count: point.count === undefined ? undefined : Number(point.count),
                sum: point.sum,
                value:
                  point.asDouble ?? (point.asInt === undefined ? undefined : Number(point.asInt)),
                scope: sm.scope?.name ?? '',
              });
            }
          }
        }
      }
    }
  }

  private collect(body: unknown): void {
    const resourceSpans = (body as { resourceSpans?: unknown[] } | undefined)?.resourceSpans ?? [];
    let count = 0;
    for (const rs of resourceSpans as {
      resource?: { attributes?: OtlpKeyValue[] };
      scopeSpans?: { scope?: { name?: string }; spans?: Record<string, unknown>[] }[];
    }[]) {
      const resource = attributesOf(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          count += 1;
          this.spans.push({
            traceId: String(span.traceId),
            spanId: String(span.spanId),
            parentSpanId: typeof span.parentSpanId === 'string' ? span.parentSpanId : '',
            name: String(span.name),
            kind: Number(span.kind),
            attributes: attributesOf(span.attributes as OtlpKeyValue[] | undefined),
            status: span.status ?? {},
            start: BigInt(typeof span.startTimeUnixNano === 'string' ? span.startTimeUnixNano : 0),
            scope: ss.scope?.name ?? '',
            resource,
          });
        }
      }
    }
    this.batches.push(count);
  }
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));
}

function valueOf(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
