// The W3C traceparent a job carries so the writer's spans join the producer's trace. Taken from
// the registered propagator when there is one, else built from the active span context (an
// SDK-less process still has spans when a caller passes a context in).
import { type Context, context, isSpanContextValid, propagation, trace } from '@opentelemetry/api';

export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  if (carrier['traceparent'] !== undefined) return carrier['traceparent'];
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}
