// The flags every command that queues a write job shares (`floe write`, `floe delete`): how long
// to wait for the result, the output format, and where the configuration comes from. One parser
// config and one check, so both commands spell and refuse them the same way.
import { UsageError } from '../command.ts';

export const DEFAULT_TIMEOUT_MS = 600_000;

export const JOB_FLAG_OPTIONS = {
  'idempotency-key': { type: 'string' },
  'no-wait': { type: 'boolean', default: false },
  'timeout-ms': { type: 'string', default: String(DEFAULT_TIMEOUT_MS) },
  config: { type: 'string' },
  artifacts: { type: 'string' },
  format: { type: 'string', default: 'text' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The parsed shared flags, as every job command's arguments carry them. */
export interface JobArgs {
  readonly idempotencyKey: string | undefined;
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly format: 'text' | 'json';
  readonly config: string | undefined;
  readonly artifacts: string | undefined;
  readonly help: boolean;
}

export interface JobFlagValues {
  readonly 'timeout-ms'?: string | undefined;
  readonly format?: string | undefined;
  readonly config?: string | undefined;
  readonly artifacts?: string | undefined;
}

/** Checks the shared flags; every mistake is a UsageError naming the flag. */
export function checkJobFlags(values: JobFlagValues): { timeoutMs: number; format: 'text' | 'json' } {
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new UsageError(
      `--timeout-ms must be a positive integer (milliseconds), got "${values['timeout-ms']}"`,
    );
  }
  if (values.format !== 'text' && values.format !== 'json') {
    throw new UsageError(`--format must be text or json, got "${values.format}"`);
  }
  if (values.config !== undefined && values.artifacts !== undefined) {
    throw new UsageError('give either --config or --artifacts, not both');
  }
  return { timeoutMs, format: values.format };
}
