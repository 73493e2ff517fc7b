// Where the maintenance process gets its configuration: `--artifacts floe.compiled.json`, else
// `--config floe.yaml` (default `floe.yaml`), compiled and with `${env:…}` secrets resolved from
// the environment exactly as every floe app does (@floe/config). `--help` prints the usage;
// an unknown option fails with a message naming it, followed by the usage.
import { appUsage, type CompiledArtifacts, type Env, loadAppArtifacts, parseAppArgs } from '@floe/config';

export const MAINTENANCE_USAGE = {
  command: 'node apps/maintenance-worker/src/main.ts',
  description:
    'Runs the floe maintenance worker: registers the maintenance schedules of the configuration ' +
    'and keeps tables healthy (expires snapshots, removes orphan and stale staged files, compacts ' +
    'small files, rewrites manifests) as table policies, table properties and floe.yaml say.',
};

/** The artifacts to run with, or `undefined` after printing the usage for `--help`. */
export async function artifactsFromArgv(
  argv: readonly string[],
  env: Env,
  print: (text: string) => void = (text) => process.stdout.write(text),
): Promise<CompiledArtifacts | undefined> {
  const args = parseAppArgs(argv, MAINTENANCE_USAGE);
  if (args.help) {
    print(appUsage(MAINTENANCE_USAGE));
    return undefined;
  }
  return loadAppArtifacts(args.source, env);
}
