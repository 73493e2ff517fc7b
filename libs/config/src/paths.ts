// Field paths as users read them: `catalog.retry.max_attempts`, `maintenance.schedules[0].cron`,
// `catalog.headers["X-Api-Key"]`. Shared by interpolation, schema issues and secret handling
// so one field is named the same way in every message.

export type FieldPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      text += `[${segment}]`;
    } else {
      const key = String(segment);
      text += PLAIN_KEY.test(key) ? (text === '' ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    }
  }
  return text === '' ? '(root)' : text;
}

/** Whether `path` matches `pattern`, where `*` in the pattern matches any one segment. */
export function pathMatches(path: readonly PropertyKey[], pattern: readonly string[]): boolean {
  return (
    path.length === pattern.length &&
    pattern.every((part, index) => part === '*' || part === String(path[index]))
  );
}
