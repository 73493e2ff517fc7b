// CSV input of `floe write`, streamed with bounded memory through `csv-parse` (RFC 4180: quoted
// fields with commas, newlines and "" quotes; CRLF or LF; a UTF-8 BOM skipped; blank lines
// skipped). Typing needs every value of a column, so a file is read twice: the first pass infers
// each column's type (csv-table.ts's rules, one value at a time), the second builds record batches
// of at most `batchRows` rows. A quoted empty field ("") is the empty string in a string column
// and null elsewhere; an unquoted empty field is null. Errors name the file and the line.
import type { Readable } from 'node:stream';
import { type RecordBatch, Table, type Vector } from 'apache-arrow';
import { type CastingContext, CsvError, parse } from 'csv-parse';
import {
  CSV_TYPE_ORDER,
  type CsvColumnType,
  CsvFormatError,
  columnVector,
  fitsCsvType,
} from './csv-table.ts';

/** A parsed field: its text, and whether it was quoted. */
export interface CsvField {
  readonly text: string;
  readonly quoted: boolean;
}

export interface CsvColumn {
  readonly name: string;
  readonly type: CsvColumnType;
}

const DEFAULT_BATCH_ROWS = 65_536;

function describeParseError(error: CsvError, source: string): CsvFormatError {
  const line = (error as { lines?: number }).lines;
  const at = line === undefined ? source : `${source} line ${line}`;
  switch (error.code) {
    case 'INVALID_OPENING_QUOTE':
      return new CsvFormatError(`${at}: a quote inside an unquoted field; quote the whole field`);
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new CsvFormatError(`${at}: text after a closing quote; quote the whole field`);
    case 'CSV_QUOTE_NOT_CLOSED':
      return new CsvFormatError(
        `${source}: a quoted field is never closed (it starts before line ${line ?? '?'})`,
      );
    default:
      return new CsvFormatError(`${at}: ${error.message}`);
  }
}

/** The rows of a CSV byte stream (header first), with their line numbers. */
export async function* csvRows(
  input: Readable,
  source: string,
): AsyncGenerator<{ fields: CsvField[]; line: number }> {
  const parser = input.pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      // Files mix CRLF and LF more often than not.
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      info: true,
      cast: (value: string, context: CastingContext): CsvField => ({ text: value, quoted: context.quoting }),
    }),
  );
  input.on('error', (error) => parser.destroy(error));
  try {
    for await (const record of parser as AsyncIterable<{ record: CsvField[]; info: { lines: number } }>) {
      yield { fields: record.record, line: record.info.lines };
    }
  } catch (error) {
    if (error instanceof CsvError) throw describeParseError(error, source);
    throw error;
  }
}

function headerNames(fields: readonly CsvField[] | undefined, source: string): string[] {
  if (fields === undefined) throw new CsvFormatError(`${source} is empty: it needs a header row`);
  const names = fields.map((field) => field.text.trim());
  names.forEach((name, index) => {
    if (name === '') throw new CsvFormatError(`${source}: column ${index + 1} of the header has no name`);
    if (names.indexOf(name) !== index)
      throw new CsvFormatError(`${source}: column "${name}" appears twice in the header`);
  });
  return names;
}

function checkWidth(fields: readonly CsvField[], width: number, row: number, source: string): void {
  if (fields.length !== width) {
    throw new CsvFormatError(`${source} row ${row}: ${fields.length} fields, but the header has ${width}`);
  }
}

/** First pass: the header and each column's type (a column with no values is a string column). */
export async function inferCsvColumns(open: () => Readable, source: string): Promise<CsvColumn[]> {
  let names: string[] | undefined;
  // Per column, the types every value seen so far fits.
  let candidates: Set<CsvColumnType>[] = [];
  let seen: boolean[] = [];
  let row = 1;
  for await (const { fields } of csvRows(open(), source)) {
    if (names === undefined) {
      names = headerNames(fields, source);
      candidates = names.map(() => new Set(CSV_TYPE_ORDER));
      seen = names.map(() => false);
      continue;
    }
    row++;
    checkWidth(fields, names.length, row, source);
    fields.forEach((field, column) => {
      if (field.text === '') return;
      seen[column] = true;
      const possible = candidates[column] as Set<CsvColumnType>;
      for (const type of possible) if (!fitsCsvType(type, field.text)) possible.delete(type);
    });
  }
  if (names === undefined) throw new CsvFormatError(`${source} is empty: it needs a header row`);
  return names.map((name, column) => ({
    name,
    type: seen[column]
      ? (CSV_TYPE_ORDER.find((type) => candidates[column]?.has(type)) ?? 'string')
      : 'string',
  }));
}

/** Second pass: record batches of at most `batchRows` rows typed as `columns` says. */
export async function* csvRecordBatches(
  open: () => Readable,
  source: string,
  columns: readonly CsvColumn[],
  batchRows = DEFAULT_BATCH_ROWS,
): AsyncGenerator<RecordBatch> {
  let values: (string | null)[][] = columns.map(() => []);
  let pending = 0;
  let header = true;
  let row = 1;
  const flush = (): RecordBatch[] => {
    const vectors: Record<string, Vector> = {};
    columns.forEach((column, index) => {
      vectors[column.name] = columnVector(column.type, values[index] as (string | null)[]);
    });
    values = columns.map(() => []);
    pending = 0;
    return new Table(vectors).batches as RecordBatch[];
  };
  let yielded = false;
  for await (const { fields } of csvRows(open(), source)) {
    if (header) {
      header = false;
      continue;
    }
    row++;
    checkWidth(fields, columns.length, row, source);
    fields.forEach((field, index) => {
      const isString = columns[index]?.type === 'string';
      (values[index] as (string | null)[]).push(
        field.text === '' && !(isString && field.quoted) ? null : field.text,
      );
    });
    if (++pending >= batchRows) {
      yield* flush();
      yielded = true;
    }
  }
  // A header-only file is one empty batch, so the write still knows its columns.
  if (pending > 0 || !yielded) yield* flush();
}
