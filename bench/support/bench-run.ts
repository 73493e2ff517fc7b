// The bench harness: one `BenchRun` per benchmark. It measures named operations (warm-up
// iterations first, discarded; then N timed iterations, one at a time, each timed on its own
// with performance.now()), accepts samples timed elsewhere (a Python peer timing its own loop),
// puts two clients' figures side by side as ratios, samples peak RSS for the whole run, and
// on `finish()` writes `bench/results/<name>.json` and prints a table. Operations run
// sequentially on purpose: the numbers are per-operation latencies, not throughput. A failing
// operation aborts the run: a latency of something that did not work is not a result.

import { type BenchEnvironment, captureEnvironment, currentLoadAverage } from './environment.ts';
import { type LatencySummary, summarizeLatencies } from './latency-summary.ts';
import { type MemoryReport, MemorySampler } from './memory-sampler.ts';
import { printReport, writeResultFile } from './report.ts';

export type Detail = Readonly<Record<string, string | number | boolean>>;

export interface OperationResult extends LatencySummary {
  readonly operation: string;
  /** Which implementation did the work, e.g. `floe` or `pyiceberg`. */
  readonly client: string;
  readonly warmup: number;
  readonly detail?: Detail;
}

export interface OperationRef {
  readonly operation: string;
  readonly client: string;
}

export interface Comparison {
  readonly title: string;
  readonly subject: OperationRef & { readonly p50Ms: number; readonly p99Ms: number };
  readonly baseline: OperationRef & { readonly p50Ms: number; readonly p99Ms: number };
  /** subject / baseline: below 1 means the subject is faster. */
  readonly ratioP50: number;
  readonly ratioP99: number;
}

export interface BenchResult {
  readonly name: string;
  readonly description: string;
  readonly parameters: Detail;
  readonly environment: BenchEnvironment;
  readonly durationMs: number;
  readonly loadAverageAtEnd: readonly number[];
  readonly operations: readonly OperationResult[];
  readonly comparisons: readonly Comparison[];
  readonly memory: MemoryReport;
  readonly facts: Readonly<Record<string, unknown>>;
  readonly notes: readonly string[];
}

export interface BenchRunOptions {
  /** File-name friendly: the result goes to `bench/results/<name>.json`. */
  readonly name: string;
  readonly description: string;
  readonly parameters: Detail;
  /** Where `git` runs for the commit id. */
  readonly repoRoot: string;
}

export interface MeasureOptions {
  readonly client: string;
  readonly warmup: number;
  readonly iterations: number;
  readonly detail?: Detail;
}

export interface InterleavedOperation {
  readonly operation: string;
  readonly client: string;
  readonly detail?: Detail;
  readonly run: (index: number) => Promise<unknown>;
}

export class BenchRun {
  readonly #options: BenchRunOptions;
  readonly #environment: BenchEnvironment;
  readonly #memory = new MemorySampler();
  readonly #started = performance.now();
  readonly #operations: OperationResult[] = [];
  readonly #comparisons: Comparison[] = [];
  readonly #facts: Record<string, unknown> = {};
  readonly #notes: string[] = [];

  constructor(options: BenchRunOptions) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(options.name)) {
      throw new Error(`bench name '${options.name}' must be kebab-case (it names the result file)`);
    }
    this.#options = options;
    this.#environment = captureEnvironment(options.repoRoot);
    this.#memory.start();
  }

  /**
   * Runs `op(index)` `warmup + iterations` times; index runs from 0 across both phases so that
   * operations creating objects can name them uniquely. Only the last `iterations` are timed.
   */
  async measure(
    operation: string,
    options: MeasureOptions,
    op: (index: number) => Promise<unknown>,
  ): Promise<OperationResult> {
    assertCount('warmup', options.warmup, 0);
    assertCount('iterations', options.iterations, 1);
    process.stdout.write(`  ${operation} [${options.client}] … `);
    for (let index = 0; index < options.warmup; index++) await runOne(operation, index, op);
    const samples: number[] = [];
    for (let index = options.warmup; index < options.warmup + options.iterations; index++) {
      const started = performance.now();
      await runOne(operation, index, op);
      samples.push(performance.now() - started);
    }
    const result = this.record(operation, options.client, samples, options);
    process.stdout.write(`p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms\n`);
    return result;
  }

  /**
   * Like `measure` for several operations at once, alternating them within every iteration so
   * that each sees the same machine load: on a shared machine this is the fair way to get a
   * ratio between two ways of doing the same thing. The order flips every iteration (a b, b a,
   * a b, …) so that neither always runs right after the other.
   */
  async measureInterleaved(
    operations: readonly InterleavedOperation[],
    options: Omit<MeasureOptions, 'client' | 'detail'>,
  ): Promise<OperationResult[]> {
    assertCount('warmup', options.warmup, 0);
    assertCount('iterations', options.iterations, 1);
    process.stdout.write(`  ${operations.map((o) => o.operation).join(' ⇄ ')} … `);
    const samples = operations.map((): number[] => []);
    for (let index = 0; index < options.warmup + options.iterations; index++) {
      const positions = operations.map((_, position) => position);
      if (index % 2 === 1) positions.reverse();
      for (const position of positions) {
        const entry = operations[position]!;
        const started = performance.now();
        await runOne(entry.operation, index, entry.run);
        if (index >= options.warmup) samples[position]!.push(performance.now() - started);
      }
    }
    const results = operations.map((entry, position) =>
      this.record(entry.operation, entry.client, samples[position]!, {
        warmup: options.warmup,
        detail: { ...entry.detail, interleaved: true },
      }),
    );
    process.stdout.write(`p50 ${results.map((r) => r.p50Ms.toFixed(2)).join(' / ')} ms\n`);
    return results;
  }

  /** Adds samples measured outside this process (milliseconds). */
  record(
    operation: string,
    client: string,
    samplesMs: readonly number[],
    options: { readonly warmup: number; readonly detail?: Detail },
  ): OperationResult {
    if (this.#find({ operation, client }) !== undefined) {
      throw new Error(`operation '${operation}' of client '${client}' is already recorded`);
    }
    const result: OperationResult = {
      operation,
      client,
      warmup: options.warmup,
      ...summarizeLatencies(samplesMs),
      ...(options.detail === undefined ? {} : { detail: options.detail }),
    };
    this.#operations.push(result);
    return result;
  }

  compare(title: string, subject: OperationRef, baseline: OperationRef): Comparison {
    const a = this.#require(subject);
    const b = this.#require(baseline);
    const comparison: Comparison = {
      title,
      subject: { ...subject, p50Ms: a.p50Ms, p99Ms: a.p99Ms },
      baseline: { ...baseline, p50Ms: b.p50Ms, p99Ms: b.p99Ms },
      ratioP50: ratio(a.p50Ms, b.p50Ms),
      ratioP99: ratio(a.p99Ms, b.p99Ms),
    };
    this.#comparisons.push(comparison);
    return comparison;
  }

  /** A named fact worth keeping with the numbers (counts, versions, a target check). */
  fact(key: string, value: unknown): void {
    this.#facts[key] = value;
  }

  note(text: string): void {
    this.#notes.push(text);
  }

  get operations(): readonly OperationResult[] {
    return this.#operations;
  }

  /** Stops sampling, writes the JSON result, prints the table; returns the result and its path. */
  finish(): { result: BenchResult; path: string } {
    const result: BenchResult = {
      name: this.#options.name,
      description: this.#options.description,
      parameters: this.#options.parameters,
      environment: this.#environment,
      durationMs: Math.round(performance.now() - this.#started),
      loadAverageAtEnd: currentLoadAverage(),
      operations: groupedByOperation(this.#operations),
      comparisons: this.#comparisons,
      memory: this.#memory.stop(),
      facts: this.#facts,
      notes: this.#notes,
    };
    const path = writeResultFile(result);
    printReport(result, path);
    return { result, path };
  }

  #find(ref: OperationRef): OperationResult | undefined {
    return this.#operations.find((r) => r.operation === ref.operation && r.client === ref.client);
  }

  #require(ref: OperationRef): OperationResult {
    const found = this.#find(ref);
    if (found === undefined) throw new Error(`no recorded operation '${ref.operation}' of '${ref.client}'`);
    return found;
  }
}

async function runOne(operation: string, index: number, op: (index: number) => Promise<unknown>) {
  try {
    await op(index);
  } catch (error) {
    throw new Error(`bench operation '${operation}' failed at iteration ${index}`, { cause: error });
  }
}

/** Rows of one operation next to each other (floe beside pyiceberg), in first-measured order. */
function groupedByOperation(results: readonly OperationResult[]): OperationResult[] {
  const order = [...new Set(results.map((r) => r.operation))];
  return [...results].sort((a, b) => order.indexOf(a.operation) - order.indexOf(b.operation));
}

function assertCount(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`${name} must be an integer >= ${minimum}, got ${value}`);
  }
}

function ratio(subject: number, baseline: number): number {
  return baseline === 0 ? Number.NaN : Math.round((subject / baseline) * 1000) / 1000;
}
