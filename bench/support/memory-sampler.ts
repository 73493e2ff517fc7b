// Peak resident memory of the bench process during a run. RSS is sampled on a timer (unref'd,
// so it never keeps the process alive) and the kernel's own high-water mark
// (`resourceUsage().maxRSS`) is read at the end: the sampled peak shows what the measured
// phase used, the kernel figure catches spikes between samples (but covers the whole process
// lifetime, start-up included).

export interface MemoryReport {
  /** RSS when sampling started (after the bench's imports): the part of the peak the run did not add. */
  readonly startRssBytes: number;
  /** Highest RSS seen by the sampler while it ran. */
  readonly peakRssBytes: number;
  /** The kernel's peak RSS of the whole process so far. */
  readonly maxRssBytesFromKernel: number;
  readonly samples: number;
  readonly sampleIntervalMs: number;
}

export class MemorySampler {
  readonly #intervalMs: number;
  #startRssBytes = 0;
  #peakRssBytes = 0;
  #samples = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs = 20) {
    this.#intervalMs = intervalMs;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#startRssBytes = process.memoryUsage.rss();
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): MemoryReport {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sample();
    return {
      startRssBytes: this.#startRssBytes,
      peakRssBytes: this.#peakRssBytes,
      // maxRSS is in kibibytes on every platform Node supports.
      maxRssBytesFromKernel: process.resourceUsage().maxRSS * 1024,
      samples: this.#samples,
      sampleIntervalMs: this.#intervalMs,
    };
  }

  #sample(): void {
    this.#samples++;
    this.#peakRssBytes = Math.max(this.#peakRssBytes, process.memoryUsage.rss());
  }
}
