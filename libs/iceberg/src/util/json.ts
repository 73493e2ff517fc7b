// BigInt-safe JSON for Iceberg wire formats. Iceberg longs (snapshot ids, sequence numbers,
// timestamps) travel as bare JSON numbers, and snapshot ids are random 63-bit values that
// plain `JSON.parse` silently rounds. `parseJson` turns every integer literal outside Number's
// safe range into a `bigint` built from its exact source text (Node 24's reviver
// `context.source`); everything else parses exactly as `JSON.parse` would. `stringifyJson`
// writes `bigint` values back as bare integers via `JSON.rawJSON`, so a parse/stringify round
// trip keeps every digit.

/** A JSON value as `parseJson` returns it: numbers beyond 2^53 arrive as `bigint`. */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

interface ReviverContext {
  readonly source?: string;
}

interface JsonWithRaw {
  rawJSON(text: string): unknown;
}

// `JSON.rawJSON` ships with Node 21+, but TypeScript's es2023 lib does not declare it yet.
const rawJson = (JSON as unknown as JsonWithRaw).rawJSON;

// Sixteen digits in a row is the shortest text that can hold an unsafe integer
// (2^53 = 9007199254740992); without one, the reviver has nothing to do.
const MAYBE_UNSAFE_INTEGER = /\d{16}/;
const INTEGER_LITERAL = /^-?\d+$/;

function reviveBigInts(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  if (source === undefined || !INTEGER_LITERAL.test(source)) return value;
  return BigInt(source);
}

/**
 * Parses JSON text, keeping integers outside ±(2^53 − 1) exact as `bigint`. Fractions and
 * exponent forms stay `number` (they are never Iceberg longs). Throws `SyntaxError` on
 * malformed text, like `JSON.parse`.
 */
export function parseJson(text: string): unknown {
  if (!MAYBE_UNSAFE_INTEGER.test(text)) return JSON.parse(text);
  return JSON.parse(text, reviveBigInts);
}

function writeBigInts(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? rawJson(value.toString()) : value;
}

/**
 * Serialises a value to JSON text, writing `bigint` as a bare JSON integer (the Iceberg REST
 * spec sends snapshot ids as numbers). `space` is passed through to `JSON.stringify`.
 */
export function stringifyJson(value: unknown, space?: number): string {
  const text = JSON.stringify(value, writeBigInts, space);
  if (text === undefined) throw new TypeError(`value of type ${typeof value} has no JSON form`);
  return text;
}
