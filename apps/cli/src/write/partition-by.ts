// `--partition-by day(ts),bucket[16](id),country`: the partition spec a new table is created
// with, as the job contract's `create.partitionSpec` entries. A term is `transform(column)`,
// `transform[N](column)` for bucket/truncate, or a bare column (identity). Commas inside
// brackets or parentheses do not split terms, so a column may be "quoted, oddly".
import { UsageError } from '../command.ts';

export interface PartitionFieldRequest {
  readonly source: string;
  readonly transform: string;
}

const PLAIN = new Set(['identity', 'year', 'month', 'day', 'hour', 'void']);
const WITH_ARGUMENT = new Set(['bucket', 'truncate']);
const TERM = /^([a-z]+)(?:\[(\d+)\])?\((.+)\)$/i;

function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(' || char === '[') depth++;
    if (char === ')' || char === ']') depth--;
    if (char === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  terms.push(current.trim());
  return terms;
}

function parseTerm(term: string): PartitionFieldRequest {
  if (term === '') throw new UsageError('--partition-by has an empty term; separate terms with one comma');
  const match = TERM.exec(term);
  if (match === null) {
    if (/[()[\]]/.test(term)) {
      throw new UsageError(
        `--partition-by term "${term}" is not transform(column), transform[N](column) or a column name`,
      );
    }
    return { source: term, transform: 'identity' };
  }
  const name = (match[1] as string).toLowerCase();
  const argument = match[2];
  const source = (match[3] as string).trim().replace(/^"(.*)"$/, '$1');
  if (WITH_ARGUMENT.has(name)) {
    if (argument === undefined || Number(argument) <= 0) {
      throw new UsageError(
        `--partition-by ${name} needs a positive width in brackets, e.g. ${name}[16](${source})`,
      );
    }
    return { source, transform: `${name}[${Number(argument)}]` };
  }
  if (!PLAIN.has(name)) {
    throw new UsageError(
      `--partition-by: unknown transform "${name}"; use identity, year, month, day, hour, void, bucket[N] or truncate[W]`,
    );
  }
  if (argument !== undefined) throw new UsageError(`--partition-by: ${name} takes no [${argument}]`);
  return { source, transform: name };
}

/** All `--partition-by` values (the flag may repeat), in order; duplicates are rejected. */
export function parsePartitionBy(values: readonly string[]): PartitionFieldRequest[] {
  const fields = values.flatMap(splitTerms).map(parseTerm);
  const seen = new Set<string>();
  for (const field of fields) {
    const key = `${field.transform}(${field.source})`;
    if (seen.has(key)) throw new UsageError(`--partition-by lists ${key} twice`);
    seen.add(key);
  }
  return fields;
}
