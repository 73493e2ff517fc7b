// The exactly-once window has one definition in TypeScript and a mirror for the Python Dagster
// integration; this test reads the Python file so the two cannot drift apart.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXACTLY_ONCE_WINDOW_MS, MARKER_CLOCK_SKEW_MS, markerSearchStartMs } from './exactly-once.ts';

const PYTHON_MIRROR = fileURLToPath(
  new URL('../../../integrations/dagster/floe_dagster/exactly_once.py', import.meta.url),
);

/** Evaluates `NAME = <product of integers>` from the Python file. */
function pythonConstant(source: string, name: string): number {
  const match = new RegExp(`^${name}\\s*=\\s*([0-9*\\s_]+)$`, 'm').exec(source);
  if (match === null) throw new Error(`${name} is not assigned a product of integers in ${PYTHON_MIRROR}`);
  return (match[1] as string)
    .split('*')
    .map((factor) => Number(factor.trim().replaceAll('_', '')))
    .reduce((product, factor) => product * factor, 1);
}

describe('the exactly-once window', () => {
  it('is 24 h with a 10 min clock-skew margin, and the marker search starts that margin before enqueue', () => {
    expect(EXACTLY_ONCE_WINDOW_MS).toBe(86_400_000);
    expect(MARKER_CLOCK_SKEW_MS).toBe(600_000);
    expect(markerSearchStartMs(1_700_000_000_000)).toBe(1_700_000_000_000 - 600_000);
  });

  it('has the same values in the Python mirror the Dagster integration reads', () => {
    const source = readFileSync(PYTHON_MIRROR, 'utf8');
    expect(pythonConstant(source, 'EXACTLY_ONCE_WINDOW_MS')).toBe(EXACTLY_ONCE_WINDOW_MS);
    expect(pythonConstant(source, 'MARKER_CLOCK_SKEW_MS')).toBe(MARKER_CLOCK_SKEW_MS);
    expect(source).toMatch(/return enqueued_at_ms - MARKER_CLOCK_SKEW_MS$/m);
  });
});
