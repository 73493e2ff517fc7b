// Command-line options shared by benches: `--iterations N` and `--warmup N` (also `--name=N`).
// Unknown flags are refused so that a typo does not silently run the default.

export interface BenchArgs {
  readonly iterations: number;
  readonly warmup: number;
}

export function parseBenchArgs(argv: readonly string[], defaults: BenchArgs): BenchArgs {
  const values: Record<string, number> = { iterations: defaults.iterations, warmup: defaults.warmup };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--(iterations|warmup)(?:=(.*))?$/.exec(arg);
    if (match === null) {
      throw new Error(`unknown argument '${arg}'; expected --iterations N and/or --warmup N`);
    }
    const name = match[1]!;
    const raw = match[2] ?? argv[++i];
    const value = Number(raw);
    const minimum = name === 'iterations' ? 1 : 0;
    if (raw === undefined || !Number.isInteger(value) || value < minimum) {
      throw new Error(`--${name} needs an integer >= ${minimum}, got '${raw ?? ''}'`);
    }
    values[name] = value;
  }
  return { iterations: values['iterations']!, warmup: values['warmup']! };
}
