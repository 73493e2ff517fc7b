// The `floe` command router: `floe <command> [options]`. Deliberately tiny — a table of
// commands, `--help` at every level, and three exit codes (0 ok, 1 failure, 2 usage). New
// commands (query, maintenance, …) are added to `commands()`.
import { readFileSync } from 'node:fs';
import { redactSecrets } from '@floe/telemetry';
import { type CliIo, type Command, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './command.ts';
import { createCompileCommand } from './commands/compile-command.ts';
import { createDeleteCommand } from './commands/delete-command.ts';
import { createJobsCommand } from './commands/jobs-command.ts';
import { createMaintenanceCommand } from './commands/maintenance-command.ts';
import { createNamespaceCommand } from './commands/namespace-command.ts';
import { createQueryCommand } from './commands/query-command.ts';
import { createTableCommand } from './commands/table-command.ts';
import { createWriteCommand } from './commands/write-command.ts';

function commands(): readonly Command[] {
  return [
    createCompileCommand(),
    createDeleteCommand(),
    createJobsCommand(),
    createMaintenanceCommand(),
    createNamespaceCommand(),
    createQueryCommand(),
    createTableCommand(),
    createWriteCommand(),
  ];
}

/** The version of the `floe` package (apps/cli/package.json). */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? 'unknown';
}

function mainHelp(available: readonly Command[]): string {
  const width = Math.max(...available.map((command) => command.name.length));
  const lines = available.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `Usage: floe <command> [options]

floe lands queued Arrow batches in Apache Iceberg tables.

Commands:
${lines.join('\n')}

Run \`floe <command> --help\` for a command's options; \`floe --version\` prints the version.
`;
}

export async function runCli(
  argv: readonly string[],
  io: CliIo,
  available: readonly Command[] = commands(),
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(mainHelp(available));
    return EXIT_USAGE;
  }
  if (first === '--version' || first === '-V') {
    io.stdout(`floe ${cliVersion()} (Node ${process.versions.node})\n`);
    return EXIT_OK;
  }
  if (first === '--help' || first === '-h') {
    io.stdout(mainHelp(available));
    return EXIT_OK;
  }
  if (first === 'help') {
    const topic = available.find((command) => command.name === rest[0]);
    io.stdout(topic?.help ?? mainHelp(available));
    return rest[0] === undefined || topic !== undefined ? EXIT_OK : EXIT_USAGE;
  }
  const command = available.find((candidate) => candidate.name === first);
  if (command === undefined) {
    io.stderr(`floe: unknown command "${first}"\n\n${mainHelp(available)}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`floe ${command.name}: ${error.message}\nRun \`floe ${command.name} --help\` for usage.\n`);
      return EXIT_USAGE;
    }
    // Unexpected failures still must not leak a secret from the environment into the terminal.
    const text = error instanceof Error ? error.message : String(error);
    io.stderr(`✗ floe ${command.name} failed: ${redactSecrets(text)}\n`);
    return EXIT_FAILURE;
  }
}
