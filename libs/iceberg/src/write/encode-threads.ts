// A small, process-wide pool of Parquet encode threads (worker_threads running
// encode-chunk-thread.ts), so one big write can encode several files at once instead of one
// after another on the calling thread. Threads start on first use, or warmed up ahead by `prepareEncodeThreads`,
// are unref'd while idle so they never keep a process alive, and each encodes one chunk at a time:
// callers bound memory by how many chunks they keep in flight. A thread that has encoded holds
// the wasm memory its biggest chunk needed (wasm memory never shrinks), so it is ended after
// IDLE_RELEASE_MS without work and started again when needed. A thread that dies fails its chunk
// with a retryable error and is replaced.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { IcebergError } from '../errors.ts';
import {
  chunkError,
  type EncodeChunkReply,
  type EncodeChunkRequest,
  type EncodedChunk,
} from './encode-chunk.ts';

interface Task {
  readonly request: EncodeChunkRequest;
  readonly resolve: (chunk: EncodedChunk) => void;
  readonly reject: (error: Error) => void;
}

interface Thread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  task: Task | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

/** How long a thread that has encoded may sit idle before it is ended to give its memory back. */
export const IDLE_RELEASE_MS = 20_000;

/** Encode threads a write uses by default: one per core the process may use. */
export function defaultEncodeThreads(): number {
  return Math.max(1, availableParallelism());
}

export class EncodeThreads {
  readonly size: number;
  readonly #idleReleaseMs: number;
  readonly #threads: Thread[] = [];
  readonly #waiting: Task[] = [];
  /** Threads `prepare` asked to keep warm: a released thread is replaced by a warm one. */
  #warmTarget = 0;
  #nextId = 1;
  #closed = false;

  constructor(size: number, options: { readonly idleReleaseMs?: number } = {}) {
    this.size = Math.max(1, Math.floor(size));
    this.#idleReleaseMs = options.idleReleaseMs ?? IDLE_RELEASE_MS;
  }

  /** Threads started and not yet ended. */
  get running(): number {
    return this.#threads.length;
  }

  /**
   * Starts `count` threads (default: all) and waits until each has loaded and warmed up the
   * encoder. They stay warm: a thread ended after idling (to give its memory back) is replaced by
   * a fresh warm one, so the next big write does not start on cold threads.
   */
  async prepare(count = this.size): Promise<void> {
    this.#warmTarget = Math.max(this.#warmTarget, Math.min(this.size, Math.max(0, Math.floor(count))));
    while (this.#threads.length < this.#warmTarget) this.#threads.push(this.#spawn(true));
    await Promise.all(this.#threads.map((thread) => thread.ready));
  }

  encode(request: Omit<EncodeChunkRequest, 'id'>): Promise<EncodedChunk> {
    if (this.#closed) return Promise.reject(new Error('the Parquet encode threads are closed'));
    return new Promise<EncodedChunk>((resolve, reject) => {
      this.#waiting.push({ request: { ...request, id: this.#nextId++ }, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const error = new Error('the Parquet encode threads closed before the chunk was encoded');
    for (const task of this.#waiting.splice(0)) task.reject(error);
    await Promise.all(this.#threads.splice(0).map((thread) => thread.worker.terminate()));
  }

  /** `warm`: the thread runs a throwaway encode before it reports ready (see encode-chunk.ts). */
  #spawn(warm = false): Thread {
    const worker = new Worker(new URL('./encode-chunk-thread.ts', import.meta.url));
    worker.unref();
    let markReady: () => void = () => undefined;
    const thread: Thread = {
      worker,
      ready: new Promise<void>((resolve) => {
        markReady = resolve;
      }),
      task: undefined,
      idleTimer: undefined,
    };
    worker.on('message', (reply: EncodeChunkReply | 'ready') => {
      if (reply === 'ready') {
        markReady();
        return;
      }
      const task = thread.task;
      if (task === undefined || task.request.id !== reply.id) return;
      thread.task = undefined;
      worker.unref();
      thread.idleTimer = setTimeout(() => this.#release(thread), this.#idleReleaseMs).unref();
      if (reply.ok) task.resolve(reply.chunk);
      else task.reject(chunkError(reply.error));
      this.#dispatch();
    });
    const died = (reason: string) => {
      markReady();
      clearTimeout(thread.idleTimer);
      const index = this.#threads.indexOf(thread);
      if (index < 0) return;
      this.#threads.splice(index, 1);
      thread.task?.reject(new IcebergError('io', reason, { retryable: true }));
      thread.task = undefined;
      if (!this.#closed) this.#dispatch();
    };
    worker.on('error', (error) => died(`a Parquet encode thread failed: ${error.message}`));
    worker.on('exit', (code) => died(`a Parquet encode thread exited with code ${code}`));
    worker.postMessage(warm ? 'warm' : 'ping');
    return thread;
  }

  /** Ends an idle thread (it leaves the pool first, so its exit is not taken for a crash). */
  #release(thread: Thread): void {
    const index = this.#threads.indexOf(thread);
    if (index < 0 || thread.task !== undefined) return;
    this.#threads.splice(index, 1);
    void thread.worker.terminate();
    if (!this.#closed && this.#threads.length < this.#warmTarget) this.#threads.push(this.#spawn(true));
  }

  #dispatch(): void {
    while (this.#waiting.length > 0) {
      let idle = this.#threads.find((thread) => thread.task === undefined);
      if (idle === undefined && this.#threads.length < this.size) {
        idle = this.#spawn();
        this.#threads.push(idle);
      }
      if (idle === undefined) return;
      const task = this.#waiting.shift() as Task;
      clearTimeout(idle.idleTimer);
      idle.idleTimer = undefined;
      idle.task = task;
      idle.worker.ref();
      idle.worker.postMessage(task.request, [task.request.ipc.buffer as ArrayBuffer]);
    }
  }
}

let shared: EncodeThreads | undefined;

/** The process-wide encode threads, one per core (created on first use). */
export function sharedEncodeThreads(): EncodeThreads {
  shared ??= new EncodeThreads(defaultEncodeThreads());
  return shared;
}

/**
 * Starts (and keeps warm) `count` of the shared encode threads — default all — ahead of the first
 * big write: a thread takes a moment to load, and a cold one encodes about half as fast.
 */
export function prepareEncodeThreads(count?: number): Promise<void> {
  return sharedEncodeThreads().prepare(count);
}
