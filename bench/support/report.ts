// Output of a bench run: the JSON result file (pretty, stable key order, one file per bench
// so that a commit shows the diff of the numbers) and a fixed-width table on stdout for people.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './bench-run.ts';

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

export function writeResultFile(result: BenchResult, directory: string = resultsDir): string {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${result.name}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

export function printReport(result: BenchResult, path: string): void {
  const env = result.environment;
  const lines: string[] = [
    '',
    `${result.name}: ${result.description}`,
    `node ${env.node}, ${env.cpuCount} cpu (${env.cpuModel}), commit ${env.gitCommit.slice(0, 12)}` +
      `${env.gitDirty === true ? ' (dirty)' : ''}, load ${env.loadAverageAtStart.join(' ')} → ` +
      `${result.loadAverageAtEnd.join(' ')}`,
    '',
    table(
      ['operation', 'client', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'min ms', 'max ms', 'mean ms'],
      result.operations.map((r) => [
        r.operation,
        r.client,
        String(r.count),
        ms(r.p50Ms),
        ms(r.p90Ms),
        ms(r.p99Ms),
        ms(r.minMs),
        ms(r.maxMs),
        ms(r.meanMs),
      ]),
    ),
  ];
  if (result.comparisons.length > 0) {
    lines.push(
      '',
      table(
        ['comparison (subject / baseline)', 'subject p50', 'baseline p50', 'ratio p50', 'ratio p99'],
        result.comparisons.map((c) => [
          c.title,
          ms(c.subject.p50Ms),
          ms(c.baseline.p50Ms),
          c.ratioP50.toFixed(2),
          c.ratioP99.toFixed(2),
        ]),
      ),
    );
  }
  const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  lines.push(
    '',
    `RSS ${mib(result.memory.startRssBytes)} at start, peak ${mib(result.memory.peakRssBytes)} sampled ` +
      `(${result.memory.samples} samples), ` +
      `${mib(result.memory.maxRssBytesFromKernel)} kernel high-water mark; run took ` +
      `${(result.durationMs / 1000).toFixed(1)} s`,
    `written to ${relative(process.cwd(), path) || path}`,
    '',
  );
  process.stdout.write(lines.join('\n'));
}

function ms(value: number): string {
  return value.toFixed(2);
}

/** First column left-aligned (names), the rest right-aligned (numbers). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (row: readonly string[]): string =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(format)].join(
    '\n',
  );
}
