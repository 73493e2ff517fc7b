import { describe, expect, it } from 'vitest';
import { AppArgsError, appUsage, parseAppArgs } from './app-args.ts';

const usage = { command: 'node apps/x/src/main.ts', description: 'Runs x.' };

function failure(argv: string[]): string {
  try {
    parseAppArgs(argv, usage);
  } catch (error) {
    expect(error).toBeInstanceOf(AppArgsError);
    return (error as Error).message;
  }
  throw new Error('expected an AppArgsError');
}

describe('parseAppArgs', () => {
  it('reads --config / --artifacts, and nothing as the default floe.yaml', () => {
    expect(parseAppArgs(['--config', 'a.yaml'], usage)).toEqual({
      help: false,
      source: { config: 'a.yaml', artifacts: undefined },
    });
    expect(parseAppArgs(['--artifacts', 'b.json'], usage)).toEqual({
      help: false,
      source: { config: undefined, artifacts: 'b.json' },
    });
    expect(parseAppArgs([], usage)).toEqual({
      help: false,
      source: { config: undefined, artifacts: undefined },
    });
  });

  it('answers --help and -h', () => {
    expect(parseAppArgs(['--help'], usage)).toEqual({ help: true });
    expect(parseAppArgs(['-h', '--config', 'a.yaml'], usage)).toEqual({ help: true });
  });

  it('names an unknown or incomplete option and follows it with the usage', () => {
    expect(failure(['--conf', 'a.yaml'])).toBe(`Unknown option '--conf'\n\n${appUsage(usage)}`);
    expect(failure(['--config'])).toMatch(
      /^Option '--config <value>' argument missing\n\nUsage: node apps\/x/,
    );
    expect(failure(['floe.yaml'])).toMatch(/^Unexpected argument 'floe.yaml'/);
    expect(failure(['--config', 'a', '--artifacts', 'b'])).toMatch(
      /^give --config or --artifacts, not both \(--config a, --artifacts b\)/,
    );
  });

  it('lists every option in the usage', () => {
    const text = appUsage(usage);
    expect(text).toContain(
      'Usage: node apps/x/src/main.ts [--config floe.yaml | --artifacts floe.compiled.json]',
    );
    for (const option of ['--config <file>', '--artifacts <file>', '-h, --help'])
      expect(text).toContain(option);
  });
});
