// The one error base of @floe/config. A configuration problem is never retryable: the user has
// to edit floe.yaml or the environment. Every problem is a `ConfigIssue` naming the field path,
// what is wrong and how to fix it; one error carries all issues found in one pass, so a user
// fixes the whole file at once instead of one field per run. Messages never contain secrets.

export type ConfigErrorKind =
  /** floe.yaml is not valid YAML (or not a mapping). */
  | 'invalid-yaml'
  /** floe.yaml (or an artifacts file) breaks the schema; see `issues`. */
  | 'invalid-config'
  /** a `${env:NAME}` reference names a variable that is not set. */
  | 'missing-env'
  /** the artifacts file could not be read or is not JSON. */
  | 'unreadable-artifacts'
  /** the artifacts file was written by an incompatible floe version. */
  | 'unsupported-version';

export interface ConfigIssue {
  /** Dotted field path, e.g. `catalog.retry.max_attempts` or `maintenance.schedules[0].cron`. */
  readonly path: string;
  /** What is wrong, e.g. `must be an integer ≥ 1, got 0`. */
  readonly problem: string;
  /** How to fix it, e.g. `set it to how many times a catalog call is tried`. */
  readonly fix: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.problem} — ${issue.fix}`;
}

/** Removes secret values that came from the environment from issue text. */
export function scrubIssues(issues: readonly ConfigIssue[], secrets: readonly string[]): ConfigIssue[] {
  const scrub = (text: string): string =>
    secrets
      .filter((secret) => secret.length >= 3)
      .reduce((out, secret) => out.replaceAll(secret, '[REDACTED]'), text);
  return issues.map((issue) => ({
    path: scrub(issue.path),
    problem: scrub(issue.problem),
    fix: scrub(issue.fix),
  }));
}

export class ConfigError extends Error {
  readonly kind: ConfigErrorKind;
  readonly retryable = false;
  readonly issues: readonly ConfigIssue[];
  readonly context: Readonly<Record<string, string | number>>;

  constructor(
    kind: ConfigErrorKind,
    summary: string,
    issues: readonly ConfigIssue[],
    options: { context?: Record<string, string | number>; cause?: unknown } = {},
  ) {
    const lines = issues.map((issue) => `  ${formatIssue(issue)}`);
    super([summary, ...lines].join('\n'), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConfigError';
    this.kind = kind;
    this.issues = issues;
    this.context = { issueCount: issues.length, ...options.context };
  }
}
