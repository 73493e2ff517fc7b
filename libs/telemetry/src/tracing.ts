// OpenTelemetry for floe processes: `startTelemetry` starts the Node SDK with the exporter
// chosen in floe.yaml (`observability.otel`), and `withSpan` wraps a unit of work — a catalog
// call, a table write, a commit, a job — in a span that records exceptions and an error status.
// With exporter `none` no SDK is started and `withSpan` runs on the API's no-op tracer, so
// instrumented code costs next to nothing when tracing is off.
import { type Attributes, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { TelemetryError } from './errors.ts';

export type TraceExporterKind = 'none' | 'otlp' | 'console';

export interface StartTelemetryOptions {
  readonly serviceName: string;
  readonly exporter: TraceExporterKind;
  /** OTLP/HTTP traces endpoint, e.g. `http://collector:4318/v1/traces`. Required for `otlp`. */
  readonly endpoint?: string;
  /**
   * An extra exporter fed synchronously (SimpleSpanProcessor) next to the configured one.
   * Tests pass an InMemorySpanExporter here to read back what was recorded.
   */
  readonly additionalExporter?: SpanExporter;
}

export interface TelemetryHandle {
  /** Exports every span ended so far (span processors export asynchronously). */
  forceFlush(): Promise<void>;
  /** Flushes pending spans and stops the SDK. Safe to call more than once. */
  shutdown(): Promise<void>;
}

/** The tracer name floe's own spans are recorded under. */
export const FLOE_TRACER_NAME = 'floe';

function spanProcessorsFor(options: StartTelemetryOptions): SpanProcessor[] {
  const processors: SpanProcessor[] = [];
  switch (options.exporter) {
    case 'otlp':
      if (options.endpoint === undefined || options.endpoint === '') {
        throw new TelemetryError(
          'telemetry-config',
          'observability.otel.endpoint is required when the exporter is otlp — set it to the collector, e.g. http://127.0.0.1:4318/v1/traces',
          { context: { exporter: 'otlp' } },
        );
      }
      processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: options.endpoint }) }));
      break;
    case 'console':
      processors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
      break;
    case 'none':
      break;
  }
  if (options.additionalExporter !== undefined) {
    processors.push(new SimpleSpanProcessor({ exporter: options.additionalExporter }));
  }
  return processors;
}

export function startTelemetry(options: StartTelemetryOptions): TelemetryHandle {
  const spanProcessors = spanProcessorsFor(options);
  if (spanProcessors.length === 0) {
    return { forceFlush: async () => {}, shutdown: async () => {} };
  }
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors,
    // Metrics are served by prom-client (/metrics) and logs by pino: the SDK only traces, and
    // must not pick up OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER from the environment.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    forceFlush: async () => {
      await Promise.all(spanProcessors.map((processor) => processor.forceFlush()));
    },
    shutdown: () => {
      stopped ??= sdk.shutdown();
      return stopped;
    },
  };
}

/**
 * Runs `work` inside an active span named `name`. A thrown or rejected error is recorded as an
 * exception event, the span status becomes ERROR with the error's message, and the error is
 * rethrown unchanged. The span ends in every case.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T> | T,
): Promise<T> {
  const tracer = trace.getTracer(FLOE_TRACER_NAME);
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await work(span);
      span.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (error) {
      const exception = error instanceof Error ? error : new Error(String(error));
      span.recordException(exception);
      span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
      throw error;
    } finally {
      span.end();
    }
  });
}
