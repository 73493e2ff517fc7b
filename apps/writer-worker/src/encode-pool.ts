// A small worker_threads pool that runs the encode step of write jobs (encode-job.ts: read the
// staged objects, reconcile, cast, partition, encode Parquet, upload) off the main event loop, so
// BullMQ's lock renewal and the commit queue never wait behind a CPU-heavy job. Size: the option,
// else `os.availableParallelism() - 1`, at least 1. Each thread takes a few tasks at once (the
// work interleaves S3 I/O with encoding). A thread that dies fails its in-flight tasks with a
// retryable error and is replaced; `close()` terminates every thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EncodeResult } from './encode-job.ts';
import { type EncodeTask, EncodeThreadError, type ThreadReply } from './encode-protocol.ts';

export interface EncodePoolOptions {
  /** Threads; default `os.availableParallelism() - 1`, at least 1. */
  readonly size?: number;
  /** Tasks one thread runs at once (they overlap S3 I/O with encoding). Default 2. */
  readonly tasksPerThread?: number;
}

interface Pending {
  readonly task: EncodeTask;
  readonly resolve: (result: EncodeResult) => void;
  readonly reject: (error: Error) => void;
}

interface Thread {
  readonly worker: Worker;
  readonly active: Map<number, Pending>;
}

export function defaultEncodeThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class EncodePool {
  readonly size: number;
  private readonly tasksPerThread: number;
  private readonly threads: Thread[] = [];
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: EncodePoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultEncodeThreads()));
    this.tasksPerThread = Math.max(1, Math.floor(options.tasksPerThread ?? 2));
    for (let i = 0; i < this.size; i++) this.threads.push(this.spawn());
  }

  /** Runs one job's encode step in a thread; resolves with its DataFile records. */
  encode(task: Omit<EncodeTask, 'id'>): Promise<EncodeResult> {
    if (this.closed) return Promise.reject(new Error('the encode pool is closed'));
    return new Promise<EncodeResult>((resolve, reject) => {
      this.waiting.push({ task: { ...task, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  /** Tasks running or waiting. */
  get load(): number {
    return this.waiting.length + this.threads.reduce((sum, t) => sum + t.active.size, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('the encode pool closed before the task ran');
    for (const pending of this.waiting.splice(0)) pending.reject(error);
    await Promise.all(this.threads.map((thread) => thread.worker.terminate()));
  }

  private spawn(): Thread {
    const worker = new Worker(new URL('./encode-thread.ts', import.meta.url));
    const thread: Thread = { worker, active: new Map() };
    worker.unref();
    worker.on('message', (reply: ThreadReply) => {
      const pending = thread.active.get(reply.id);
      if (pending === undefined) return;
      thread.active.delete(reply.id);
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new EncodeThreadError(reply.error));
      this.idleCheck(thread);
      this.dispatch();
    });
    const died = (reason: string) => {
      const index = this.threads.indexOf(thread);
      if (index < 0) return;
      this.threads.splice(index, 1);
      for (const pending of thread.active.values()) {
        pending.reject(
          new EncodeThreadError({
            name: 'EncodeThreadError',
            message: reason,
            kind: 'encode-thread-died',
            retryable: true,
          }),
        );
      }
      thread.active.clear();
      if (!this.closed) {
        this.threads.push(this.spawn());
        this.dispatch();
      }
    };
    worker.on('error', (error) => died(`an encode thread failed: ${error.message}`));
    worker.on('exit', (code) => died(`an encode thread exited with code ${code}`));
    return thread;
  }

  /** Idle threads must not keep the process alive; busy ones must. */
  private idleCheck(thread: Thread): void {
    if (thread.active.size === 0) thread.worker.unref();
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      let best: Thread | undefined;
      for (const thread of this.threads) {
        if (
          thread.active.size < this.tasksPerThread &&
          (best === undefined || thread.active.size < best.active.size)
        ) {
          best = thread;
        }
      }
      if (best === undefined) return;
      const pending = this.waiting.shift() as Pending;
      best.active.set(pending.task.id, pending);
      best.worker.ref();
      try {
        best.worker.postMessage(pending.task);
      } catch (error) {
        best.active.delete(pending.task.id);
        this.idleCheck(best);
        pending.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
