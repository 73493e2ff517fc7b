// Shared pieces of the metadata wire layer: the int64 ("long") zod schema that accepts the
// `bigint` values `parseJson` produces, and the translation of zod issues into one
// `IcebergError` whose message names the JSON path at fault and says what is wrong. Every
// reader in metadata/ reports through `wireError` so users see the same message shape
// (`table metadata: snapshots[0].snapshot-id: expected ...`).

import { z } from 'zod';
import { IcebergError } from '../errors.ts';

export type JsonPath = readonly PropertyKey[];

/** Renders a path as `snapshots[0].snapshot-id`; the root is `(root)`. */
export function formatJsonPath(path: JsonPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? '(root)' : text;
}

/** Short, safe description of a JSON value for error messages. */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
      return `string ${JSON.stringify(shown)}`;
    }
    case 'number':
    case 'bigint':
      return `number ${value.toString()}`;
    case 'boolean':
      return `boolean ${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function describeLongProblem(input: unknown): string {
  if (input === undefined) return 'required field is missing';
  if (typeof input === 'number' && Number.isInteger(input)) {
    return `number ${input} lost precision (beyond 2^53); read the JSON with parseJson so int64 values stay exact`;
  }
  return `expected an int64 integer, got ${describeJsonValue(input)}`;
}

/** An Iceberg long: a safe-integer number or a bigint from `parseJson`, read as `bigint`. */
export const longWire = z
  .custom<number | bigint>(
    (value) => typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value)),
    { error: (issue) => describeLongProblem(issue.input) },
  )
  .transform((value) => BigInt(value));

export const intWire = z.number().int();
export const stringMapWire = z.record(z.string(), z.string());

// Metadata has no floating-point fields, so every number the wire schemas expect is an integer.
const EXPECTED_NAMES: Readonly<Record<string, string>> = {
  int: 'an integer',
  number: 'an integer',
  string: 'a string',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'required field is missing';
      return `expected ${EXPECTED_NAMES[issue.expected] ?? issue.expected}, got ${describeJsonValue(input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeJsonValue(input)}`;
    case 'unrecognized_keys':
      return `unexpected field(s) ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return `does not match any accepted form (got ${describeJsonValue(input)})`;
    default:
      return issue.message;
  }
}

/** Builds the `invalid-metadata` error for zod issues; `what` names the document. */
export function wireError(
  what: string,
  issues: readonly z.core.$ZodIssue[],
  basePath: JsonPath = [],
): IcebergError {
  const shown = issues
    .slice(0, 3)
    .map((issue) => `${formatJsonPath([...basePath, ...issue.path])}: ${describeIssue(issue)}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more problem(s))` : '';
  const first = issues[0];
  return new IcebergError('invalid-metadata', `${what}: ${shown.join('; ')}${more}`, {
    context: { path: formatJsonPath([...basePath, ...(first?.path ?? [])]) },
  });
}

/** An `invalid-metadata` error for a rule the shape alone cannot express. */
export function ruleError(what: string, path: JsonPath, problem: string): IcebergError {
  const where = formatJsonPath(path);
  return new IcebergError('invalid-metadata', `${what}: ${where}: ${problem}`, {
    context: { path: where },
  });
}

/** Parses `input` (found at `basePath` in its document) with `schema`, throwing `wireError`. */
export function parseWire<T extends z.ZodType>(
  what: string,
  schema: T,
  input: unknown,
  basePath: JsonPath = [],
): z.output<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw wireError(what, result.error.issues, basePath);
  return result.data;
}

/** Drops `undefined` values so objects satisfy exactOptionalPropertyTypes and stay lean. */
export function compact<T extends Record<string, unknown>>(value: T): Compact<T> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as Compact<T>;
}

/** `T` with every possibly-undefined key made optional and its `undefined` removed. */
export type Compact<T> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
} & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};
