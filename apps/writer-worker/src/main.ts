// Entry point of the writer-worker process: `node apps/writer-worker/src/main.ts --config
// floe.yaml` (or `--artifacts floe.compiled.json`). Loads the configuration, starts tracing
// (`observability.otel`), the worker and its ops server, and on SIGTERM/SIGINT drains gracefully,
// flushes spans and exits 0. A configuration problem exits 2 with the config library's
// path-naming message; `--help` prints the options, an unknown option exits 2 with the usage.
import {
  AppArgsError,
  appUsage,
  type CompiledArtifacts,
  ConfigError,
  loadAppArtifacts,
  parseAppArgs,
  secretValuesOf,
} from '@floe/config';
import { createLogger, startTelemetry, type TelemetryHandle } from '@floe/telemetry';
import { startWriterWorker } from './worker.ts';

const USAGE = {
  command: 'node apps/writer-worker/src/main.ts',
  description:
    'Runs a floe writer worker: takes write jobs from the write queue named in the configuration, ' +
    'encodes the staged data as Parquet and commits it to the Iceberg table through the catalog. ' +
    'Start as many as you need on one queue; stop with SIGTERM (jobs in hand finish first).',
};

async function loadArtifacts(argv: readonly string[]): Promise<CompiledArtifacts> {
  const args = parseAppArgs(argv, USAGE);
  if (args.help) {
    process.stdout.write(appUsage(USAGE));
    process.exit(0);
  }
  return loadAppArtifacts(args.source, process.env);
}

/** Tracing per `observability.otel`; exporter `none` starts no SDK. */
function telemetryFor(artifacts: CompiledArtifacts): TelemetryHandle {
  const otel = artifacts.observability.otel;
  try {
    return startTelemetry({
      serviceName: otel.service_name,
      exporter: otel.exporter,
      ...(otel.endpoint === undefined ? {} : { endpoint: otel.endpoint }),
    });
  } catch (error) {
    process.stderr.write(`floe-writer: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  let artifacts: CompiledArtifacts;
  try {
    artifacts = await loadArtifacts(process.argv.slice(2));
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof AppArgsError;
    process.stderr.write(`floe-writer: ${known ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const logger = createLogger({
    name: 'writer-worker',
    level: artifacts.observability.log_level,
    secrets: secretValuesOf(artifacts),
  });
  const telemetry = telemetryFor(artifacts);
  const writer = await startWriterWorker(artifacts, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Spans still buffered for the collector are flushed before the process goes away.
    writer
      .shutdown()
      .then(() =>
        telemetry
          .shutdown()
          .catch((error: unknown) => logger.warn({ err: String(error) }, 'telemetry shutdown failed')),
      )
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: String(error) }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
