// JSON Schema export of the job contract for producers in other languages (the Dagster
// integration validates its jobs against these files). `npm run jobs:schema` rewrites them;
// a unit test fails when the committed files are stale.
import { z } from 'zod';
import { maintenanceJob, maintenanceReport } from './maintenance-job.ts';
import { writeJob } from './write-job.ts';
import { failureReason, writeResult } from './write-result.ts';

export const exportedSchemas = {
  'write-job.v1.schema.json': { schema: writeJob, io: 'input' },
  'write-result.v1.schema.json': { schema: writeResult, io: 'output' },
  'failure-reason.v1.schema.json': { schema: failureReason, io: 'output' },
  'maintenance-job.v1.schema.json': { schema: maintenanceJob, io: 'input' },
  'maintenance-report.v1.schema.json': { schema: maintenanceReport, io: 'output' },
} as const;

export function renderJsonSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [file, { schema, io }] of Object.entries(exportedSchemas)) {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
    files[file] = `${JSON.stringify({ $id: `https://floe.dev/schemas/${file}`, ...json }, null, 2)}\n`;
  }
  return files;
}
