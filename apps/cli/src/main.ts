#!/usr/bin/env node
// Entry point of the `floe` binary (`node apps/cli/src/main.ts …`, or `npm run floe -- …`).
import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTerminal: process.stderr.isTTY === true,
});
