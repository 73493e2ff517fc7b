// Where the maintenance process gets its configuration: `--artifacts floe.compiled.json`, else
// `--config floe.yaml` (default `floe.yaml`), compiled and with `${env:…}` secrets resolved from
// the environment exactly as every floe app does (@floe/config).
import { parseArgs } from 'node:util';
import { type CompiledArtifacts, type Env, loadAppArtifacts } from '@floe/config';

export async function artifactsFromArgv(argv: readonly string[], env: Env): Promise<CompiledArtifacts> {
  const { values } = parseArgs({
    args: [...argv],
    options: { config: { type: 'string' }, artifacts: { type: 'string' } },
    strict: true,
  });
  return loadAppArtifacts(values, env);
}
