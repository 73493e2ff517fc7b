// The three real services of the local stack and how each one starts and proves it is healthy:
// Redis (BullMQ), MinIO (S3 for staging and the warehouse) and Apache Iceberg's REST catalog
// server (JDBC/SQLite metadata, S3FileIO on MinIO, path-style). All bind to loopback only.

import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, httpOk, redisCommand, startDetached, waitUntil } from './processes.ts';
import { ensureDir, type ServiceState } from './state.ts';
import type { StackTools } from './tools.ts';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const S3_REGION = 'us-east-1';
export const WAREHOUSE_BUCKET = 'warehouse';
export const STAGING_BUCKET = 'staging';
/** Serves the REST catalog jar's backend on 127.0.0.1 (run by Java's single-file source launcher). */
export const LOOPBACK_CATALOG_LAUNCHER = join(import.meta.dirname, 'catalog', 'LoopbackRestCatalog.java');

export async function startRedis(tools: StackTools, dir: string): Promise<ServiceState> {
  const port = await freePort();
  const logFile = join(ensureDir(join(dir, 'logs')), 'redis.log');
  const pid = startDetached({
    command: tools.redisServer,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    cwd: ensureDir(join(dir, 'redis')),
    logFile,
  });
  await waitUntil('redis', async () => (await redisCommand(port, 'PING')) === '+PONG', 20_000, logFile);
  return { pid, port, logFile };
}

export async function redisHealthy(state: ServiceState): Promise<boolean> {
  return (await redisCommand(state.port, 'PING').catch(() => '')) === '+PONG';
}

export async function startMinio(tools: StackTools, dir: string, creds: Credentials): Promise<ServiceState> {
  const port = await freePort();
  const consolePort = await freePort();
  const logFile = join(ensureDir(join(dir, 'logs')), 'minio.log');
  const pid = startDetached({
    command: tools.minio,
    args: [
      'server',
      '--quiet',
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${consolePort}`,
      ensureDir(join(dir, 'minio', 'data')),
    ],
    env: {
      MINIO_ROOT_USER: creds.accessKeyId,
      MINIO_ROOT_PASSWORD: creds.secretAccessKey,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
    },
    logFile,
  });
  const state = { pid, port, logFile };
  await waitUntil('minio', () => minioHealthy(state), 60_000, logFile);
  await ensureBuckets(`http://127.0.0.1:${port}`, creds);
  return state;
}

export function minioHealthy(state: ServiceState): Promise<boolean> {
  return httpOk(`http://127.0.0.1:${state.port}/minio/health/live`).catch(() => false);
}

export function s3Client(endpoint: string, creds: Credentials): S3Client {
  return new S3Client({ endpoint, region: S3_REGION, forcePathStyle: true, credentials: creds });
}

async function ensureBuckets(endpoint: string, creds: Credentials): Promise<void> {
  const s3 = s3Client(endpoint, creds);
  try {
    for (const Bucket of [WAREHOUSE_BUCKET, STAGING_BUCKET]) {
      const exists = await s3
        .send(new HeadBucketCommand({ Bucket }))
        .then(() => true)
        .catch(() => false);
      if (!exists) await s3.send(new CreateBucketCommand({ Bucket }));
    }
  } finally {
    s3.destroy();
  }
}

export async function startCatalog(
  tools: StackTools,
  dir: string,
  s3Endpoint: string,
  creds: Credentials,
): Promise<ServiceState> {
  const port = await freePort();
  const logFile = join(ensureDir(join(dir, 'logs')), 'catalog.log');
  const dbFile = join(ensureDir(join(dir, 'catalog')), 'catalog.db');
  const pid = startDetached({
    command: 'java',
    // The launcher binds 127.0.0.1 only (the jar's own main listens on every interface).
    args: ['-Xmx768m', '-XX:+UseSerialGC', '-cp', tools.icebergRestJar, LOOPBACK_CATALOG_LAUNCHER],
    env: {
      CATALOG_REST_PORT: String(port),
      CATALOG_URI: `jdbc:sqlite:file:${dbFile}`,
      // One JDBC connection: with the default pool of two, a catalog restarted on an existing
      // SQLite file kept a write lock on one connection and failed every write on the other
      // (SQLITE_BUSY → HTTP 500). SQLite serialises writers anyway, so nothing is lost.
      CATALOG_CLIENTS: '1',
      CATALOG_JDBC_USER: 'floe',
      CATALOG_JDBC_PASSWORD: 'floe',
      CATALOG_WAREHOUSE: `s3://${WAREHOUSE_BUCKET}/`,
      // ResolvingFileIO picks S3FileIO for s3:// and Hadoop's local FS for file:// locations.
      CATALOG_IO__IMPL: 'org.apache.iceberg.io.ResolvingFileIO',
      CATALOG_S3_ENDPOINT: s3Endpoint,
      CATALOG_S3_PATH__STYLE__ACCESS: 'true',
      CATALOG_S3_ACCESS__KEY__ID: creds.accessKeyId,
      CATALOG_S3_SECRET__ACCESS__KEY: creds.secretAccessKey,
      CATALOG_CLIENT_REGION: S3_REGION,
      AWS_REGION: S3_REGION,
    },
    logFile,
  });
  const state = { pid, port, logFile };
  await waitUntil('iceberg rest catalog', () => catalogHealthy(state), 120_000, logFile);
  return state;
}

export function catalogHealthy(state: ServiceState): Promise<boolean> {
  return httpOk(`http://127.0.0.1:${state.port}/v1/config`).catch(() => false);
}
