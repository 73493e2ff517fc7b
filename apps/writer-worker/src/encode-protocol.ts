// The messages between the main thread and an encode thread, and how an error crosses the
// boundary: structured clone keeps an Error's message but drops the fields floe decides on
// (`kind`, `retryable`, `context`), so errors travel flattened and come back as
// `EncodeThreadError`, which carries the original message, name and those fields unchanged —
// the user reads the same text as without threads, and retry-or-fail decides the same way.
import type { StorageConfig } from '@floe/config';
import type { S3Credentials } from '@floe/iceberg';
import type { EncodeRequest, EncodeResult } from './encode-job.ts';

/** Settings of the table FileIO: `fileIOFor(location, properties)` plus resolved vended credentials. */
export interface TableIOSettings {
  readonly location: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly credentials?: S3Credentials;
}

export interface EncodeTask {
  readonly id: number;
  readonly request: EncodeRequest;
  readonly io: TableIOSettings;
  readonly staging: StorageConfig;
}

export interface FlatError {
  readonly name: string;
  readonly message: string;
  readonly kind?: string;
  readonly retryable?: boolean;
  readonly context?: Readonly<Record<string, unknown>>;
  readonly stack?: string;
}

export type ThreadReply =
  | { readonly id: number; readonly ok: true; readonly result: EncodeResult }
  | { readonly id: number; readonly ok: false; readonly error: FlatError };

export function flattenError(error: unknown): FlatError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields = error as Error & { kind?: unknown; retryable?: unknown; context?: unknown };
  let context: Record<string, unknown> | undefined;
  if (typeof fields.context === 'object' && fields.context !== null) {
    try {
      context = structuredClone(fields.context) as Record<string, unknown>;
    } catch {
      context = undefined;
    }
  }
  return {
    name: error.name,
    message: error.message,
    ...(typeof fields.kind === 'string' ? { kind: fields.kind } : {}),
    ...(typeof fields.retryable === 'boolean' ? { retryable: fields.retryable } : {}),
    ...(context === undefined ? {} : { context }),
    ...(error.stack === undefined ? {} : { stack: error.stack }),
  };
}

/** An error raised in an encode thread, rebuilt on the main thread with its floe fields. */
export class EncodeThreadError extends Error {
  readonly kind: string;
  readonly retryable: boolean | undefined;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(flat: FlatError) {
    super(flat.message);
    this.name = flat.name;
    this.kind = flat.kind ?? flat.name;
    this.retryable = flat.retryable;
    this.context = flat.context ?? {};
    if (flat.stack !== undefined) this.stack = flat.stack;
  }
}
