// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax
// `floe compile` against the real local stack: Redis and MinIO from .stack/env.json. The
// floe.yaml is generated to point at them, with every secret passed as an ${env:…} reference.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadCompiledArtifacts } from '@floe/config';
import { loadStackEnv, repoRoot, type StackEnv } from '@floe/test-support';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

const stack: StackEnv = loadStackEnv();

function floeYaml(overrides: { bucket?: string } = {}): string {
  return `
catalog:
  type: rest
  uri: ${stack.catalogUri}
  warehouse: ${stack.catalogWarehouse}
storage:
  endpoint: ${stack.s3Endpoint}
  region: ${stack.s3Region}
  path_style: true
  access_key_id: \${env:TEST_S3_KEY_ID}
  secret_access_key: \${env:TEST_S3_SECRET}
  staging:
    bucket: ${overrides.bucket ?? stack.stagingBucket}
queue:
  redis_url: ${stack.redisUrl}
  prefix: floe-compile-test
`;
}

const env = { TEST_S3_KEY_ID: stack.s3AccessKeyId, TEST_S3_SECRET: stack.s3SecretAccessKey };

async function compileIn(yaml: string, processEnv: Record<string, string>) {
  const cwd = await mkdtemp(join(tmpdir(), 'floe-compile-it-'));
  await writeFile(join(cwd, 'floe.yaml'), yaml);
  let stdout = '';
  let stderr = '';
  let logs = '';
  const exitCode = await runCli(['compile', '--log-level', 'debug'], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: processEnv,
    cwd,
    logDestination: {
      write: (line: string) => {
        logs += line;
      },
    },
  });
  const artifacts = await readFile(join(cwd, 'floe.compiled.json'), 'utf8').catch(() => '');
  return { cwd, exitCode, stdout, stderr, logs, artifacts };
}

describe('floe compile against the local stack', () => {
  it('writes the artifacts and reports that Redis and the staging bucket answer', async () => {
    const result = await compileIn(floeYaml(), env);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('✓ floe.yaml is valid');
    expect(lines[2]).toMatch(new RegExp(`^✓ catalog at ${stack.catalogUri} answered GET /v1/config`));
    expect(lines[3]).toMatch(new RegExp(`^✓ Redis at ${stack.redisUrl} answered PING \\(\\d+ ms\\)$`));
    expect(lines[4]).toMatch(
      new RegExp(
        `^✓ S3 at ${stack.s3Endpoint} answered; staging bucket "${stack.stagingBucket}" exists \\(\\d+ ms\\)$`,
      ),
    );
    expect(result.artifacts).toContain('"secret_access_key": "${env:TEST_S3_SECRET}"');
    expect(result.artifacts).not.toContain(stack.s3SecretAccessKey);
    expect(result.logs).toContain('compiled artifacts written');
    expect(result.logs).not.toContain(stack.s3SecretAccessKey);

    const loaded = await loadCompiledArtifacts(join(result.cwd, 'floe.compiled.json'), env);
    expect(loaded.storage.secret_access_key).toBe(stack.s3SecretAccessKey);
    expect(loaded.queue.redis_url).toBe(stack.redisUrl);
  });

  it('runs as the floe binary with the same result', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'floe-compile-bin-'));
    await writeFile(join(cwd, 'floe.yaml'), floeYaml());
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(repoRoot, 'apps/cli/src/main.ts'), 'compile'],
      { cwd, env: { ...process.env, ...env } },
    );
    expect(stdout).toContain(`✓ Redis at ${stack.redisUrl} answered PING`);
    expect(stdout).toContain(`staging bucket "${stack.stagingBucket}" exists`);
    expect(stdout).not.toContain(stack.s3SecretAccessKey);
  });

  it('fails with an actionable line when the staging bucket does not exist', async () => {
    const result = await compileIn(floeYaml({ bucket: 'floe-no-such-bucket' }), env);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `✗ staging bucket "floe-no-such-bucket" does not exist at ${stack.s3Endpoint}: create it, or fix storage.staging.bucket`,
    );
    expect(result.stdout).toContain(`✓ Redis at ${stack.redisUrl} answered PING`);
    expect(result.stderr).toBe('✗ 1 of 3 checks failed; the artifacts were written anyway\n');
  });

  it('names the key to check when MinIO rejects the secret, without printing or logging it', async () => {
    const wrongSecret = 'wrong-secret-for-minio-77';
    const result = await compileIn(floeYaml(), { ...env, TEST_S3_SECRET: wrongSecret });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `✗ S3 at ${stack.s3Endpoint} denied access to bucket "${stack.stagingBucket}" for access key id "${stack.s3AccessKeyId}": check storage.access_key_id / storage.secret_access_key and the bucket policy`,
    );
    expect(result.logs).toContain('s3 check failed');
    for (const text of [result.stdout, result.stderr, result.logs, result.artifacts]) {
      expect(text).not.toContain(wrongSecret);
      expect(text).not.toContain(stack.s3SecretAccessKey);
    }
  });
});
