// The router's own flags: `floe --version`, and the `--format json` alias `--json` of maintenance.
import { describe, expect, it } from 'vitest';
import { cliVersion } from './cli.ts';
import { parseMaintenanceArgs } from './commands/maintenance-command.ts';
import { runFloeInProcess } from './run-floe.test-helper.ts';

const floe = (...argv: string[]) => runFloeInProcess(argv, { cwd: process.cwd(), env: {} });

describe('floe --version', () => {
  it('prints the package version and the Node it runs on', async () => {
    const result = await floe('--version');
    expect(result).toEqual({
      code: 0,
      stdout: `floe ${cliVersion()} (Node ${process.versions.node})\n`,
      stderr: '',
    });
    expect(cliVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('maintenance output flags', () => {
  it('takes --format json, keeps --json as its alias, and refuses other formats', async () => {
    expect(parseMaintenanceArgs(['run', 'staging', '--format', 'json']).json).toBe(true);
    expect(parseMaintenanceArgs(['run', 'staging', '--json']).json).toBe(true);
    expect(parseMaintenanceArgs(['run', 'staging']).json).toBe(false);
    const bad = await floe('maintenance', 'run', 'staging', '--format', 'yaml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be text or json, got "yaml"');
  });
});
