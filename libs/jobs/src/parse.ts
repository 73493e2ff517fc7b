// Validation at the queue boundary: turns an untrusted payload into a typed job, or a
// `JobContractError` that names every bad field with its path — the message a user reads when
// a job is rejected as unrecoverable.
import type { z } from 'zod';
import { MAINTENANCE_JOB_VERSION, type MaintenanceJob, maintenanceJob } from './maintenance-job.ts';
import { WRITE_JOB_VERSION, type WriteJob, writeJob } from './write-job.ts';
import { type WriteResult, writeResult } from './write-result.ts';

export class JobContractError extends Error {
  readonly kind = 'invalid-job';
  readonly retryable = false;
  readonly problems: readonly string[];

  constructor(what: string, problems: readonly string[]) {
    super(`${what} is invalid: ${problems.join('; ')}`);
    this.name = 'JobContractError';
    this.problems = problems;
  }
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    if (issue.code === 'unrecognized_keys') return `${path}: unknown field(s) ${issue.keys.join(', ')}`;
    return `${path}: ${issue.message}`;
  });
}

function checkVersion(what: string, payload: unknown, supported: number): void {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new JobContractError(what, ['(root): expected a JSON object']);
  }
  const version = (payload as { version?: unknown }).version;
  if (version !== supported) {
    throw new JobContractError(what, [
      `version: contract version ${JSON.stringify(version)} is not supported by this worker (supports ${supported}); upgrade the worker or enqueue version ${supported}`,
    ]);
  }
}

export function parseWriteJob(payload: unknown): WriteJob {
  checkVersion('write job', payload, WRITE_JOB_VERSION);
  const result = writeJob.safeParse(payload);
  if (!result.success) throw new JobContractError('write job', describeIssues(result.error));
  return result.data;
}

export function parseMaintenanceJob(payload: unknown): MaintenanceJob {
  checkVersion('maintenance job', payload, MAINTENANCE_JOB_VERSION);
  const result = maintenanceJob.safeParse(payload);
  if (!result.success) throw new JobContractError('maintenance job', describeIssues(result.error));
  return result.data;
}

export function parseWriteResult(payload: unknown): WriteResult {
  const result = writeResult.safeParse(payload);
  if (!result.success) throw new JobContractError('write result', describeIssues(result.error));
  return result.data;
}
