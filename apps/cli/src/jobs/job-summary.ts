// What `floe jobs` shows of a BullMQ job, as plain data: one row per job for `list` (queue,
// id, state, table, rows, age, attempts, reason) and the detail of `show` (payload summary —
// never the staged rows, only references and counts — attempts, error and result). Kept apart
// from the queue plumbing so it is unit-tested on plain objects.

/** The fields of a BullMQ job this module reads (BullMQ's `Job` has them all). */
export interface QueuedJob {
  readonly id?: string | undefined;
  readonly name: string;
  readonly data: unknown;
  readonly attemptsMade: number;
  readonly failedReason?: string | undefined;
  readonly stacktrace?: readonly string[] | null | undefined;
  readonly returnvalue?: unknown;
  readonly timestamp: number;
  readonly processedOn?: number | undefined;
  readonly finishedOn?: number | undefined;
  readonly opts: { readonly attempts?: number | undefined };
}

export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
export type JobStateName = (typeof JOB_STATES)[number];

export interface JobRow {
  readonly queue: string;
  readonly id: string;
  readonly state: string;
  readonly kind: string;
  readonly table: string;
  readonly rows: number | undefined;
  readonly ageMs: number;
  readonly attempts: string;
  readonly reason: string;
}

export interface JobDetail extends JobRow {
  readonly payload: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly processedAt: string | undefined;
  readonly finishedAt: string | undefined;
  readonly error: string | undefined;
  readonly stacktrace: readonly string[];
  readonly result: unknown;
}

interface WriteLike {
  table?: { namespace?: unknown; name?: unknown };
  mode?: unknown;
  batches?: unknown;
  action?: unknown;
}

function record(value: unknown): WriteLike {
  return value !== null && typeof value === 'object' ? (value as WriteLike) : {};
}

function tableOf(data: WriteLike): string {
  const table = data.table;
  if (table === undefined || !Array.isArray(table.namespace) || typeof table.name !== 'string') return '';
  return [...(table.namespace as unknown[]).map(String), table.name].join('.');
}

function batchesOf(
  data: WriteLike,
): { rows: number; bytes: number; count: number; uris: string[] } | undefined {
  if (!Array.isArray(data.batches)) return undefined;
  let rows = 0;
  let bytes = 0;
  const uris: string[] = [];
  for (const batch of data.batches as unknown[]) {
    const b = record(batch) as { rows?: unknown; bytes?: unknown; uri?: unknown };
    rows += typeof b.rows === 'number' ? b.rows : 0;
    bytes += typeof b.bytes === 'number' ? b.bytes : 0;
    if (typeof b.uri === 'string') uris.push(b.uri);
  }
  return { rows, bytes, count: uris.length, uris };
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]?.trim() ?? '';
}

export function jobRow(queue: string, state: string, job: QueuedJob, nowMs: number): JobRow {
  const data = record(job.data);
  const batches = batchesOf(data);
  const kind =
    typeof data.mode === 'string' ? data.mode : typeof data.action === 'string' ? data.action : job.name;
  return {
    queue,
    id: job.id ?? '',
    state,
    kind,
    table: tableOf(data),
    rows: batches?.rows,
    ageMs: Math.max(0, nowMs - job.timestamp),
    attempts: `${job.attemptsMade}/${job.opts.attempts ?? 1}`,
    reason: state === 'failed' || job.failedReason ? firstLine(job.failedReason) : '',
  };
}

export function jobDetail(queue: string, state: string, job: QueuedJob, nowMs: number): JobDetail {
  const data = record(job.data) as WriteLike & Record<string, unknown>;
  const batches = batchesOf(data);
  const { batches: _batches, ...rest } = data;
  const payload: Record<string, unknown> = {
    ...rest,
    ...(batches === undefined
      ? {}
      : { batches: { count: batches.count, rows: batches.rows, bytes: batches.bytes, uris: batches.uris } }),
  };
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    ...jobRow(queue, state, job, nowMs),
    payload,
    createdAt: new Date(job.timestamp).toISOString(),
    processedAt: iso(job.processedOn),
    finishedAt: iso(job.finishedOn),
    error: job.failedReason || undefined,
    stacktrace: [...(job.stacktrace ?? [])],
    result: job.returnvalue ?? undefined,
  };
}

/** `42s`, `7m`, `3h`, `2d`: how long ago a job was queued. */
export function formatAge(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.floor(hours / 24)}d`;
}
