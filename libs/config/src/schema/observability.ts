// `observability:` — log level of the pino logs and where OpenTelemetry spans go.
import { z } from 'zod';
import { httpUrl, text } from './fields.ts';

export const ObservabilitySchema = z.strictObject({
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  otel: z
    .strictObject({
      exporter: z.enum(['none', 'otlp', 'console']).default('none'),
      /** OTLP/HTTP traces endpoint, required for exporter otlp. */
      endpoint: httpUrl('http://127.0.0.1:4318/v1/traces').optional(),
      service_name: text.default('floe'),
    })
    .prefault({})
    .superRefine((otel, ctx) => {
      if (otel.exporter === 'otlp' && otel.endpoint === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['endpoint'],
          message: 'is required when exporter is otlp',
          params: {
            fix: 'set it to the collector, e.g. http://127.0.0.1:4318/v1/traces, or use exporter: none',
          },
        });
      }
    }),
});

export type ObservabilityConfig = z.output<typeof ObservabilitySchema>;
