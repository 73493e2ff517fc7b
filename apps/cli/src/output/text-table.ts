// Plain-text tables for terminal output: a header row, a dashed rule, left-aligned columns
// padded to their widest cell. No colours and no box drawing, so the output pastes cleanly
// into issues and greps well.

export function renderTextTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n') + '\n';
}

/** `key  value` lines for properties, sorted by key; `(none)` when empty. */
export function renderProperties(properties: Readonly<Record<string, string>>, indent = '  '): string {
  const keys = Object.keys(properties).sort();
  if (keys.length === 0) return `${indent}(none)\n`;
  const width = Math.max(...keys.map((key) => key.length));
  return keys.map((key) => `${indent}${key.padEnd(width)}  ${properties[key]}\n`).join('');
}

/** JSON for `--format json`: 2-space indent, Iceberg longs (bigint) as decimal strings. */
export function toJsonOutput(value: unknown): string {
  return `${JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2)}\n`;
}
