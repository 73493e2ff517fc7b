// Reads a Dockerfile into its instructions and checks what the worker images promise: a Node 24 base
// in every stage, a production-only install of the app's own workspace, a non-root user, SIGTERM as the
// stop signal, and one metrics/health port that EXPOSE, HEALTHCHECK and the compose file agree on.
// The parser handles what our Dockerfiles use (comments, `\` continuations, ARG defaults in FROM);
// it is not a general Dockerfile parser.

export interface DockerInstruction {
  readonly keyword: string;
  readonly args: string;
}

export function parseDockerfile(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  let pending = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (pending !== '' && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const space = full.search(/\s/);
    instructions.push({
      keyword: (space < 0 ? full : full.slice(0, space)).toUpperCase(),
      args: space < 0 ? '' : full.slice(space + 1).trim(),
    });
  }
  return instructions;
}

/** Base images of every stage, with `${ARG}` replaced by the ARG's default; stage aliases are skipped. */
export function baseImages(instructions: readonly DockerInstruction[]): string[] {
  const argDefaults = new Map<string, string>();
  const stages = new Set<string>();
  const images: string[] = [];
  for (const { keyword, args } of instructions) {
    if (keyword === 'ARG') {
      const [name, value] = args.split('=', 2);
      if (name !== undefined && value !== undefined) argDefaults.set(name.trim(), value.trim());
    } else if (keyword === 'FROM') {
      const words = args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const image = (words[0] ?? '').replace(
        /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
        (_match, name: string) => argDefaults.get(name) ?? '',
      );
      if (!stages.has(image)) images.push(image);
      if (words[1]?.toUpperCase() === 'AS' && words[2] !== undefined) stages.add(words[2]);
    }
  }
  return images;
}

export function lastInstruction(
  instructions: readonly DockerInstruction[],
  keyword: string,
): DockerInstruction | undefined {
  return instructions.findLast((instruction) => instruction.keyword === keyword);
}

/** Exec-form (`["a", "b"]`) arguments as a list; shell form is split on spaces. */
export function execForm(args: string): string[] {
  if (args.startsWith('[')) {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
    throw new Error(`not an exec-form list of strings: ${args}`);
  }
  return args.split(/\s+/).filter(Boolean);
}

/** The port of the first `http://host:PORT/healthz` URL in a text, if any. */
export function healthzPort(text: string): number | undefined {
  const match = /https?:\/\/[^/:'"\s]+:(\d+)\/healthz/.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export interface WorkerImageExpectation {
  /** npm workspace name of the app, e.g. `@floe/writer-worker`. */
  readonly workspace: string;
  /** The app's entry module relative to the repository root, e.g. `apps/writer-worker/src/main.ts`. */
  readonly entry: string;
  readonly configPath: string;
  readonly metricsPort: number;
  /** package.json paths of every workspace, relative to the repository root. */
  readonly workspaceManifests: readonly string[];
}

export function checkWorkerDockerfile(text: string, expected: WorkerImageExpectation): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(text);

  const bases = baseImages(instructions);
  if (bases.length === 0) problems.push('no FROM instruction');
  for (const base of bases) {
    if (!/^node:24([.-]|$)/.test(base))
      problems.push(`stage base image '${base}' is not Node 24 (node:24-…)`);
  }

  const install = instructions.find(({ keyword, args }) => keyword === 'RUN' && args.includes('npm ci'));
  if (install === undefined) {
    problems.push('no `npm ci` step installs the dependencies');
  } else {
    if (!install.args.includes('--omit=dev')) problems.push('`npm ci` does not pass --omit=dev');
    if (!new RegExp(`(-w|--workspace)[ =]${expected.workspace}(\\s|$)`).test(install.args)) {
      problems.push(
        `\`npm ci\` is not limited to the workspace ${expected.workspace} (-w ${expected.workspace})`,
      );
    }
  }
  const copied = instructions
    .filter(({ keyword }) => keyword === 'COPY')
    .flatMap(({ args }) => args.split(/\s+/).filter((word) => !word.startsWith('--')));
  for (const manifest of ['package-lock.json', ...expected.workspaceManifests]) {
    if (!copied.includes(manifest)) {
      problems.push(`${manifest} is not copied before \`npm ci\`, so the lockfile check fails`);
    }
  }

  const user = lastInstruction(instructions, 'USER')?.args;
  if (user === undefined || user === 'root' || user === '0' || user.startsWith('0:')) {
    problems.push(`the image runs as ${user ?? 'root (no USER)'}: add a non-root USER`);
  }
  const stopSignal = lastInstruction(instructions, 'STOPSIGNAL')?.args;
  if (stopSignal !== 'SIGTERM') problems.push(`STOPSIGNAL is '${stopSignal ?? 'unset'}', expected SIGTERM`);

  const exposed = instructions
    .filter(({ keyword }) => keyword === 'EXPOSE')
    .flatMap(({ args }) => args.split(/\s+/).map((port) => Number(port.split('/')[0])));
  if (!exposed.includes(expected.metricsPort)) {
    problems.push(`EXPOSE does not include the metrics port ${expected.metricsPort}`);
  }
  const healthcheck = lastInstruction(instructions, 'HEALTHCHECK');
  const probed = healthcheck === undefined ? undefined : healthzPort(healthcheck.args);
  if (probed !== expected.metricsPort) {
    problems.push(
      `HEALTHCHECK probes ${probed === undefined ? 'no /healthz URL' : `port ${probed}`}, expected /healthz on ${expected.metricsPort}`,
    );
  }

  const cmd = lastInstruction(instructions, 'CMD');
  const command = cmd === undefined ? [] : execForm(cmd.args);
  const wanted = ['node', expected.entry, '--config', expected.configPath];
  if (JSON.stringify(command) !== JSON.stringify(wanted)) {
    problems.push(`CMD is ${JSON.stringify(command)}, expected ${JSON.stringify(wanted)}`);
  }
  return problems;
}
