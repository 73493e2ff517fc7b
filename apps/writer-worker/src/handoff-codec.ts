// What travels through Redis when a writer hands its written files to the holder of the table's
// commit lease (commit-lease.ts, table-committer.ts): the hand-over (the groupable append's job
// id, table, data files with their spec id, snapshot properties and marker search start — never
// the FileIO or the loaded table, the holder uses its own) and the holder's answer (the snapshot
// holding the job, or the error with its kind, retryable flag and whether the outcome was
// unknown). Both are `node:v8` structured clones, so bigint, Map and Uint8Array values of the
// data files survive as they are; anything that does not have the expected shape is refused
// with a message naming the hand-over.
import { deserialize, serialize } from 'node:v8';
import { isCommitStateUnknown, type Snapshot } from '@floe/iceberg';
import type { CommitRequest, GroupCommitResult, Settled } from './commit-group.ts';

/** The part of a CommitRequest another process can use. */
export type HandedRequest = Pick<
  CommitRequest,
  'jobId' | 'identifier' | 'mode' | 'files' | 'snapshotProperties' | 'markerNotBeforeMs'
>;

export interface HandOver {
  /** Unique per hand-over: the answer key and the withdrawal use it. */
  readonly id: string;
  /** The lease token of the process that waits for the answer. */
  readonly origin: string;
  readonly request: HandedRequest;
}

/** The holder's answer; the whole table metadata stays with the holder. */
export type HandOverAnswer =
  | {
      readonly ok: true;
      readonly status: GroupCommitResult['status'];
      readonly snapshot: Snapshot;
      readonly currentSchemaId: number;
      readonly metadataLocation: string | undefined;
      readonly attempts: number;
      readonly coalescedJobs: number;
    }
  | {
      readonly ok: false;
      readonly message: string;
      readonly kind: string;
      readonly retryable: boolean;
      /** The commit may still land: the waiter keeps its files. */
      readonly unknown: boolean;
    };

/** A failure the lease holder reported for a handed-over job (kind and retryable flag kept). */
export class HandedCommitError extends Error {
  readonly kind: string;
  readonly retryable: boolean;
  readonly context: Readonly<Record<string, string | boolean>>;

  constructor(answer: Extract<HandOverAnswer, { ok: false }>, table: string) {
    super(answer.message);
    this.name = 'HandedCommitError';
    this.kind = answer.kind;
    this.retryable = answer.retryable;
    this.context = { table, unknown: answer.unknown };
  }
}

export function encodeHandOver(handOver: HandOver): Buffer {
  const { jobId, identifier, mode, files, snapshotProperties, markerNotBeforeMs } = handOver.request;
  return serialize({
    id: handOver.id,
    origin: handOver.origin,
    request: { jobId, identifier, mode, files, snapshotProperties, markerNotBeforeMs },
  });
}

export function decodeHandOver(blob: Buffer): HandOver {
  const value: unknown = deserialize(blob);
  if (isHandOver(value)) return value;
  throw new Error('commit hand-over in Redis is not a floe hand-over (written by another floe version?)');
}

function isHandOver(value: unknown): value is HandOver {
  if (typeof value !== 'object' || value === null) return false;
  const { id, origin, request } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof origin !== 'string') return false;
  if (typeof request !== 'object' || request === null) return false;
  const r = request as Record<string, unknown>;
  return (
    typeof r['jobId'] === 'string' &&
    r['mode'] === 'append' &&
    typeof r['markerNotBeforeMs'] === 'bigint' &&
    Array.isArray(r['files']) &&
    typeof r['identifier'] === 'object' &&
    r['identifier'] !== null &&
    typeof r['snapshotProperties'] === 'object' &&
    r['snapshotProperties'] !== null
  );
}

function errorField(error: unknown, field: 'kind' | 'retryable'): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[field] : undefined;
}

export function answerOf(outcome: Settled): HandOverAnswer {
  if (outcome.ok) {
    const { status, snapshot, table, attempts, coalescedJobs } = outcome.result;
    return {
      ok: true,
      status,
      snapshot,
      currentSchemaId: table.metadata.currentSchemaId,
      metadataLocation: table.metadataLocation,
      attempts,
      coalescedJobs,
    };
  }
  const { error } = outcome;
  const kind = errorField(error, 'kind');
  const retryable = errorField(error, 'retryable');
  return {
    ok: false,
    message: error instanceof Error ? error.message : String(error),
    kind: typeof kind === 'string' ? kind : 'commit-failed',
    retryable: typeof retryable === 'boolean' ? retryable : true,
    unknown: isCommitStateUnknown(error),
  };
}

export function encodeAnswer(answer: HandOverAnswer): Buffer {
  return serialize(answer);
}

export function decodeAnswer(blob: Buffer): HandOverAnswer {
  const value: unknown = deserialize(blob);
  if (typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean') {
    return value as HandOverAnswer;
  }
  throw new Error('commit hand-over answer in Redis is not a floe answer (written by another floe version?)');
}
