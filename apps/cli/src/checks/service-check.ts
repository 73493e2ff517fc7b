// The contract of one `floe compile` connectivity check. Each check gets the resolved
// artifacts (secrets in memory only) and answers with one line: what it reached and how, or
// what failed and what to do about it. Checks never throw and never put a secret in `message`
// (the runner scrubs known secrets from messages as a second line of defence).
import type { CompiledArtifacts } from '@floe/config';
import type { Logger } from '@floe/telemetry';

export interface CheckContext {
  /** Per-check time budget; a check that needs longer reports a timeout. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

export interface CheckResult {
  readonly ok: boolean;
  /** One line, e.g. `Redis at redis://127.0.0.1:6379 answered PING (2 ms)`. */
  readonly message: string;
}

export interface ServiceCheck {
  /** Short name for logs, e.g. `redis`. */
  readonly name: string;
  run(artifacts: CompiledArtifacts, context: CheckContext): Promise<CheckResult>;
}

/** A URL fit for printing: any password is masked. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = 'REDACTED';
    return parsed.toString().replace(/\/$/, '').replace(':REDACTED@', ':[REDACTED]@');
  } catch {
    return '(unparseable URL)';
  }
}

export function elapsedSince(start: bigint): string {
  return `${Number((process.hrtime.bigint() - start) / 1_000_000n)} ms`;
}
