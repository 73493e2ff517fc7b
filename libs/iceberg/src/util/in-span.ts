// The `floe.iceberg` tracer and the one way an @floe/iceberg operation runs inside an active
// span: a thrown error is recorded on the span (status ERROR) and rethrown, and the span always
// ends. The operation sets its own attributes on the span it is handed.
import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('floe.iceberg');

/** Runs `operation` in a new active span `name`. */
export function inSpan<T>(name: string, operation: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await operation(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
