// Turns zod issues into ConfigIssues a user can act on: `path: what is wrong — how to fix`.
// The received value is quoted only for fields that cannot hold a secret, and unknown keys get
// a "did you mean" from the keys the schema knows at that place (camelCase → snake_case first,
// then the closest spelling).
import type { z } from 'zod';
import type { ConfigIssue } from './errors.ts';
import { hintFor } from './field-hints.ts';
import { formatPath } from './paths.ts';
import { isSensitivePath } from './sensitive-fields.ts';

type ZodIssue = z.core.$ZodIssue;

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  innerType?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  in?: { _zod: { def: SchemaDef } };
  out?: { _zod: { def: SchemaDef } };
}

/** The keys an object schema accepts at `path` (best effort; empty when unknown). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let def = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  const unwrap = (): void => {
    for (;;) {
      if (def.innerType !== undefined) def = def.innerType._zod.def;
      else if (def.type === 'pipe' && def.out !== undefined && def.in !== undefined) {
        def = (def.in._zod.def.type === 'object' ? def.in : def.out)._zod.def;
      } else return;
    }
  };
  unwrap();
  for (const segment of path) {
    if (typeof segment === 'number' && def.element !== undefined) def = def.element._zod.def;
    else if (def.shape !== undefined && typeof segment === 'string' && def.shape[segment] !== undefined) {
      def = def.shape[segment]._zod.def;
    } else return [];
    unwrap();
  }
  return def.shape === undefined ? [] : Object.keys(def.shape);
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0] as number;
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j] as number;
      previous[j] = Math.min(
        above + 1,
        (previous[j - 1] as number) + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length] as number;
}

function suggestionFor(key: string, known: readonly string[]): string | undefined {
  const snake = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
  if (snake !== key && known.includes(snake)) return snake;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(snake, candidate);
    if (
      distance <= Math.max(2, Math.floor(candidate.length / 3)) &&
      (best === undefined || distance < best.distance)
    ) {
      best = { key: candidate, distance };
    }
  }
  return best?.key;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `the text ${JSON.stringify(shown)}`;
  }
  return `${typeof value} ${String(value)}`;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'an integer',
  string: 'text',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
  record: 'a mapping (key: value lines)',
};

function customFix(issue: ZodIssue): string | undefined {
  if (issue.code !== 'custom') return undefined;
  const fix = (issue.params as { fix?: unknown } | undefined)?.fix;
  return typeof fix === 'string' ? fix : undefined;
}

function bound(value: number | bigint, inclusive: boolean | undefined, below: boolean): string {
  const symbol = below ? (inclusive === false ? '>' : '≥') : inclusive === false ? '<' : '≤';
  return `${symbol} ${String(value)}`;
}

/** Converts the issues of one failed parse. `schema` is what was parsed (for key suggestions). */
export function toConfigIssues(issues: readonly ZodIssue[], schema: z.ZodType): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    const path = issue.path;
    const where = formatPath(path);
    const mayShow = !isSensitivePath(path);
    const received = mayShow && 'input' in issue ? `, got ${describeValue(issue.input)}` : '';
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, path);
        return issue.keys.map((key) => {
          const suggestion = suggestionFor(key, known);
          return {
            path: formatPath([...path, key]),
            problem: 'is not a known key',
            fix:
              suggestion !== undefined
                ? `did you mean "${suggestion}"?`
                : known.length > 0
                  ? `remove it; keys allowed here: ${known.join(', ')}`
                  : 'remove it',
          };
        });
      }
      case 'invalid_type': {
        if ('input' in issue && issue.input === undefined) {
          return [
            { path: where, problem: 'is required', fix: hintFor(path) ?? 'add it (see floe.example.yaml)' },
          ];
        }
        const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
        return [
          {
            path: where,
            problem: `must be ${expected}${received}`,
            fix: hintFor(path) ?? `write ${expected}`,
          },
        ];
      }
      case 'invalid_value': {
        const allowed = issue.values.map((value) => String(value)).join(', ');
        return [
          {
            path: where,
            problem: `must be ${issue.values.length === 1 ? allowed : `one of ${allowed}`}${received}`,
            fix: hintFor(path) ?? `write ${issue.values.length === 1 ? allowed : `one of ${allowed}`}`,
          },
        ];
      }
      case 'too_small': {
        const problem =
          issue.origin === 'array'
            ? `needs at least ${String(issue.minimum)} item(s)`
            : issue.origin === 'string'
              ? 'is empty'
              : `must be ${bound(issue.minimum, issue.inclusive, true)}${received}`;
        return [
          { path: where, problem, fix: hintFor(path) ?? 'raise it (see floe.example.yaml for the meaning)' },
        ];
      }
      case 'too_big': {
        return [
          {
            path: where,
            problem: `must be ${bound(issue.maximum, issue.inclusive, false)}${received}`,
            fix: hintFor(path) ?? 'lower it (see floe.example.yaml for the meaning)',
          },
        ];
      }
      case 'custom': {
        const primitive =
          'input' in issue && (typeof issue.input === 'string' || typeof issue.input === 'number');
        const problem = `${issue.message}${primitive ? received : ''}`;
        return [{ path: where, problem, fix: customFix(issue) ?? hintFor(path) ?? 'see floe.example.yaml' }];
      }
      default:
        return [{ path: where, problem: issue.message, fix: hintFor(path) ?? 'see floe.example.yaml' }];
    }
  });
}
