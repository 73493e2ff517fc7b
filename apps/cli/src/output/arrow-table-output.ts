// Prints result tables (inspection tables, query results) as a text table, CSV or JSON. A
// table arrives as column names plus rows of display cells; cells are JSON-shaped values where
// `bigint` stands for an Iceberg long. JSON output writes longs as decimal strings (no digit is
// lost above 2^53), text and CSV write every cell as plain text, nested values as compact JSON.
// `cellsOfArrowTable` turns an Arrow table whose columns are plain scalars (the inspection
// tables) into cells: Int64 stays bigint, timestamps become ISO-8601 UTC text.
import { type Table, Type } from 'apache-arrow';
import type { OutputFormat } from '../catalog/catalog-command-group.ts';
import { renderTextTable, toJsonOutput } from './text-table.ts';

export type Cell =
  | string
  | number
  | boolean
  | bigint
  | null
  | readonly Cell[]
  | { readonly [key: string]: Cell };

export interface CellTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

export function cellsOfArrowTable(table: Table): CellTable {
  const fields = table.schema.fields;
  const vectors = fields.map((_field, index) => table.getChildAt(index));
  const rows: Cell[][] = [];
  for (let row = 0; row < table.numRows; row++) {
    rows.push(
      fields.map((field, column) => {
        const value: unknown = vectors[column]?.get(row);
        if (value === null || value === undefined) return null;
        if (field.type.typeId === Type.Timestamp && typeof value === 'number') {
          return new Date(value).toISOString();
        }
        return value as Cell;
      }),
    );
  }
  return { columns: fields.map((field) => field.name), rows };
}

function cellText(cell: Cell): string {
  if (cell === null) return 'null';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'object')
    return JSON.stringify(cell, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));
  return String(cell);
}

function csvField(cell: Cell): string {
  if (cell === null) return '';
  const text = cellText(cell);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function renderCells(table: CellTable, format: OutputFormat): string {
  if (format === 'json') {
    return toJsonOutput(
      table.rows.map((row) => Object.fromEntries(table.columns.map((name, i) => [name, row[i] ?? null]))),
    );
  }
  if (format === 'csv') {
    return [table.columns.map((name) => csvField(name)), ...table.rows.map((row) => row.map(csvField))]
      .map((line) => `${line.join(',')}\n`)
      .join('');
  }
  return renderTextTable(
    table.columns,
    table.rows.map((row) => row.map(cellText)),
  );
}
