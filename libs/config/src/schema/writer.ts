// `writer:` — how one writer-worker process behaves: parallel jobs, Parquet file size, group
// commit (linger, pacing and batch bound), the commit lease shared with the other writers of a table
// (Redis), graceful shutdown, how often it asks a catalog that
// rejected its credentials again, and the address of its ops server.
import { z } from 'zod';
import { integer, listenHost } from './fields.ts';

/**
 * The per-table commit lease in Redis: the writer holding a table's lease commits the appends
 * the other writers hand it, so writers of one table stop racing each other (README "Commit lease").
 */
export const CommitLeaseSchema = z.strictObject({
  /** Off: every writer commits its own jobs, meeting the others only through optimistic concurrency. */
  enabled: z.boolean().default(true),
  /** The lease lapses this long after its holder stops renewing it (it died); renewed every third. */
  ttl_ms: integer({ min: 500, max: 60_000 }).default(5_000),
  /** A handed-over job with no answer this long is settled here (marker check, then a local commit). */
  answer_timeout_ms: integer({ min: 1_000, max: 3_600_000 }).default(60_000),
});

export const WriterSchema = z.strictObject({
  /**
   * Jobs one process has in progress at once. Most of them wait (for S3, for their turn in the
   * encode threads, for their group commit), so a busy table's commits can take many jobs each;
   * encoding itself is bounded by `encode_threads`.
   */
  concurrency: integer({ min: 1, max: 1024 }).default(16),
  /** A data file is rolled over once it reaches about this size. */
  target_file_size_bytes: integer({ min: 1024 * 1024 }).default(128 * 1024 * 1024),
  /** How long a ready commit waits for more jobs of the same table to join it. */
  commit_linger_ms: integer({ min: 0, max: 60_000 }).default(200),
  /** Upper bound of jobs coalesced into one snapshot. */
  max_jobs_per_commit: integer({ min: 1, max: 10_000 }).default(32),
  /**
   * Least time between the starts of two commits of one table by this process (the commit
   * lease holder commits for every writer): jobs ready meanwhile join the next commit, a full
   * group commits at once, an idle table's first job at once; 0: commit whenever one is ready.
   */
  commit_interval_ms: integer({ min: 0, max: 60_000 }).default(150),
  /**
   * After a commit, ask the maintenance worker for a compaction of the table once this many small
   * data files landed since its last one (table property floe.compaction.trigger-small-files
   * wins); 0: only the scheduled compactions.
   */
  compaction_trigger_small_files: integer({ min: 0 }).default(200),
  /** One process asks for a table's compaction at most this often. */
  compaction_trigger_interval_ms: integer({ min: 1000 }).default(10_000),
  /** Commits coordinated across writer processes through a per-table lease in Redis. */
  commit_lease: CommitLeaseSchema.prefault({}),
  /** Threads that download, cast and encode Parquet off the main event loop; default: cores - 1 (at least 1). */
  encode_threads: integer({ min: 1, max: 256 }).optional(),
  /** On SIGTERM, time allowed for in-flight jobs before the process exits. */
  shutdown_deadline_ms: integer({ min: 0 }).default(30_000),
  /** How long a job stays locked to its worker without renewal; a crashed worker's jobs return after it. */
  lock_duration_ms: integer({ min: 1000 }).default(30_000),
  /** How often workers look for jobs whose lock expired (stalled) and re-deliver them. */
  stalled_interval_ms: integer({ min: 1000 }).default(30_000),
  /** Stalls a job may survive before it fails; re-delivery is safe thanks to the commit marker. */
  max_stalled_count: integer({ min: 0, max: 100 }).default(3),
  /** While the catalog rejects the writer's credentials (it takes no jobs then), how often it asks again. */
  catalog_recheck_ms: integer({ min: 100 }).default(15_000),
  /** Port of /healthz, /readyz and /metrics; 0 picks a free port (logged at start). */
  metrics_port: integer({ min: 0, max: 65_535 }).default(9464),
  /** Interface of /healthz, /readyz and /metrics: loopback by default; 0.0.0.0 where probes come from outside (containers). */
  metrics_host: listenHost.default('127.0.0.1'),
});

export type WriterConfig = z.output<typeof WriterSchema>;
