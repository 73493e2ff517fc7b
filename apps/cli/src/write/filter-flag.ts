// `--filter` of `floe write --mode overwrite` and `--where` of `floe delete`: either Iceberg REST expression JSON
// (`{"type":"lt","term":"ts","value":"2026-01-01T00:00:00"}`) or the CLI's text syntax
// (`ts < '2026-01-01T00:00:00' and country = 'FR'`), normalised to the REST JSON the write job
// carries. Both are parsed by @floe/iceberg (loaded lazily: it is the heaviest import of the CLI).
// Longs beyond 2^53 travel as decimal strings, because job payloads are plain JSON.
import type { ExpressionJson } from '@floe/jobs';
import { UsageError } from '../command.ts';

function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonSafe(item)]));
  }
  return value;
}

export async function filterToExpressionJson(text: string, flag = '--filter'): Promise<ExpressionJson> {
  const { expressionToJson, parseExpressionJson, parseFilter } = await import('@floe/iceberg');
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(trimmed);
      } catch (error) {
        throw new Error(`it starts with "{" but is not JSON (${(error as Error).message})`);
      }
      return jsonSafe(expressionToJson(parseExpressionJson(json))) as ExpressionJson;
    }
    return jsonSafe(expressionToJson(parseFilter(trimmed))) as ExpressionJson;
  } catch (error) {
    throw new UsageError(`${flag} is not a valid filter: ${(error as Error).message}`);
  }
}
