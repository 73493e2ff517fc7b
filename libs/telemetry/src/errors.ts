// The one error base of @floe/telemetry. Telemetry failures are rarely fatal for a worker, but
// the ops server failing to bind its port is: the caller decides from `kind` and `retryable`.
// `context` carries structured, secret-free details (port, exporter) for logs.

export type TelemetryErrorKind = 'ops-server-listen' | 'telemetry-config';

export class TelemetryError extends Error {
  readonly kind: TelemetryErrorKind;
  readonly retryable: boolean;
  readonly context: Readonly<Record<string, string | number | boolean>>;

  constructor(
    kind: TelemetryErrorKind,
    message: string,
    options: {
      retryable?: boolean;
      context?: Record<string, string | number | boolean>;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TelemetryError';
    this.kind = kind;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}
