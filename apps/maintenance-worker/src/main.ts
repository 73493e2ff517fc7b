// Entry point of the maintenance-worker process (`floe-maintenance`): `node
// apps/maintenance-worker/src/main.ts --config floe.yaml` (or `--artifacts floe.compiled.json`).
// Loads the configuration, starts tracing (`observability.otel`), registers the job schedulers,
// starts the worker and its ops server, and on SIGTERM/SIGINT drains, flushes spans and exits 0.
// A configuration problem exits 2 with the config library's message naming the bad field;
// `--help` prints the options and exits 0, an unknown option exits 2 with the usage.
import { type CompiledArtifacts, ConfigError, secretValuesOf } from '@floe/config';
import { createLogger, startTelemetry, type TelemetryHandle } from '@floe/telemetry';
import { artifactsFromArgv } from './load-artifacts.ts';
import { startMaintenanceWorker } from './worker.ts';

function fail(error: unknown, code: number): never {
  const text = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`floe-maintenance: ${text}\n`);
  process.exit(code);
}

function tracing(artifacts: CompiledArtifacts): TelemetryHandle {
  const { otel } = artifacts.observability;
  return startTelemetry({
    serviceName: otel.service_name === 'floe' ? 'floe-maintenance' : otel.service_name,
    exporter: otel.exporter,
    ...(otel.endpoint === undefined ? {} : { endpoint: otel.endpoint }),
  });
}

const loaded = await artifactsFromArgv(process.argv.slice(2), process.env).catch((error: unknown) =>
  fail(error, 2),
);
if (loaded === undefined) process.exit(0); // --help
const artifacts: CompiledArtifacts = loaded;
const logger = createLogger({
  name: 'maintenance-worker',
  level: artifacts.observability.log_level,
  secrets: secretValuesOf(artifacts),
});
let telemetry: TelemetryHandle;
try {
  telemetry = tracing(artifacts);
} catch (error) {
  fail(error, 2);
}
const maintenance = await startMaintenanceWorker(artifacts, logger).catch((error: unknown) => {
  logger.error(
    { err: error instanceof Error ? error.message : String(error) },
    'maintenance worker failed to start',
  );
  return fail(error, 1);
});

let stopping = false;
/** Drains the worker, flushes buffered spans, exits 0 (1 when draining itself failed). */
async function drainAndExit(signal: NodeJS.Signals): Promise<never> {
  stopping = true;
  logger.info({ signal }, 'shutting down');
  let code = 0;
  try {
    await maintenance.shutdown();
    await telemetry.shutdown();
  } catch (error) {
    logger.error({ err: String(error) }, 'shutdown failed');
    code = 1;
  }
  process.exit(code);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (!stopping) void drainAndExit(signal);
  });
}
