// @floe/cli: the `floe` command. The binary is src/main.ts; the router and commands are
// exported for embedding and tests.
export { defaultChecks } from './checks/registry.ts';
export type { CheckContext, CheckResult, ServiceCheck } from './checks/service-check.ts';
export { runCli } from './cli.ts';
export { type CliIo, type Command, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './command.ts';
export { createCompileCommand } from './commands/compile-command.ts';
export { createNamespaceCommand } from './commands/namespace-command.ts';
export { createTableCommand } from './commands/table-command.ts';
export { createWriteCommand } from './commands/write-command.ts';
