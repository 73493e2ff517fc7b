// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compileConfig } from '@floe/config';
import { describe, expect, it } from 'vitest';
import type { ServiceCheck } from '../checks/service-check.ts';
import { runCli } from '../cli.ts';
import { createCompileCommand } from './compile-command.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const EXAMPLE = join(REPO_ROOT, 'floe.example.yaml');
const MAIN = join(REPO_ROOT, 'apps/cli/src/main.ts');

const SECRETS = {
  FLOE_CATALOG_CLIENT_SECRET: 'catalog-secret-9f8e7d',
  AWS_ACCESS_KEY_ID: 'AKIDCLITEST',
  AWS_SECRET_ACCESS_KEY: 's3-secret-1a2b3c',
};

interface Captured {
  exitCode: number;
  stdout: string;
  stderr: string;
  logs: string;
}

async function floe(
  argv: string[],
  options: { cwd: string; env?: Record<string, string>; checks?: ServiceCheck[] },
): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  let logs = '';
  const io = {
    stdout: (text: string) => {
      stdout += text;
    },
    stderr: (text: string) => {
      stderr += text;
    },
    env: options.env ?? {},
    cwd: options.cwd,
    logDestination: {
      write: (line: string) => {
        logs += line;
      },
    },
  };
  const commands = options.checks === undefined ? undefined : [createCompileCommand(options.checks)];
  const exitCode = await runCli(argv, io, commands);
  return { exitCode, stdout, stderr, logs };
}

async function workspace(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'floe-cli-'));
}

/** A loopback port nothing listens on: connecting to it is refused for real. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('floe compile --skip-checks', () => {
  it('compiles floe.example.yaml into CompiledArtifacts', async () => {
    const cwd = await workspace();
    await copyFile(EXAMPLE, join(cwd, 'floe.yaml'));
    const result = await floe(['compile', '--skip-checks'], { cwd, env: SECRETS });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      '✓ floe.yaml is valid\n' +
        '✓ wrote floe.compiled.json (CompiledArtifacts v1; secrets kept as ${env:…} references)\n' +
        '- connectivity checks skipped (--skip-checks)\n',
    );
    expect(result.stderr).toBe('');
    const written = JSON.parse(await readFile(join(cwd, 'floe.compiled.json'), 'utf8'));
    expect(written).toEqual(compileConfig(await readFile(EXAMPLE, 'utf8'), SECRETS));
    expect(written.version).toBe(1);
    expect(written.writer.max_jobs_per_commit).toBe(32);
  });

  it('prints one JSON document with --format json', async () => {
    const cwd = await workspace();
    await copyFile(EXAMPLE, join(cwd, 'floe.yaml'));
    const result = await floe(['compile', '--skip-checks', '--format', 'json'], { cwd, env: SECRETS });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      config: 'floe.yaml',
      out: 'floe.compiled.json',
      version: 1,
      checks: 'skipped',
    });
    const bad = await floe(['compile', '--format', 'xml'], { cwd, env: SECRETS });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--format must be text or json, got "xml"');
  });

  it('honours --config and --out, and runs as the floe binary', async () => {
    const cwd = await workspace();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [MAIN, 'compile', '--config', EXAMPLE, '--out', 'out/../artifacts.json', '--skip-checks'],
      { cwd, env: { ...process.env, ...SECRETS } },
    );
    expect(stdout).toContain('✓ wrote artifacts.json');
    expect(JSON.parse(await readFile(join(cwd, 'artifacts.json'), 'utf8')).catalog.warehouse).toBe(
      'analytics',
    );
  });
});

describe('floe compile on an invalid file', () => {
  it('exits 1 and lists each bad field with its path and fix', async () => {
    const cwd = await workspace();
    await writeFile(
      join(cwd, 'floe.yaml'),
      [
        'catalog: { type: rest, uri: "not a url", warehouse: w, retries: 3 }',
        'storage: { staging: { bucket: floe-staging }, path_style: maybe }',
        'queue: { redis_url: "${env:REDIS_URL}" }',
        'writer: { concurrency: 0 }',
      ].join('\n'),
    );
    const result = await floe(['compile'], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        '✗ floe.yaml has 5 problems:',
        '  queue.redis_url: environment variable REDIS_URL is not set — export REDIS_URL, or give a default with ${env:REDIS_URL:-value}',
        '  catalog.uri: must be a http:// or https:// URL (type rest) or a sqlite:// or postgresql:// database (type sql), got the text "not a url" — write a full URL such as http://127.0.0.1:8181 (Polaris: http://polaris:8181/api/catalog), or sqlite:////absolute/path/catalog.db',
        '  catalog.retries: is not a known key — remove it; keys allowed here: type, uri, warehouse, name, prefix, credential, scope, oauth2_server_uri, access_delegation, headers, retry',
        '  storage.path_style: must be true or false, got the text "maybe" — write true (MinIO and most S3-compatible servers) or false (AWS)',
        '  writer.concurrency: must be ≥ 1, got number 0 — raise it (see floe.example.yaml for the meaning)',
        '',
      ].join('\n'),
    );
  });

  it('exits 1 with a pointer when the artifacts cannot be written', async () => {
    const cwd = await workspace();
    await copyFile(EXAMPLE, join(cwd, 'floe.yaml'));
    const result = await floe(['compile', '--skip-checks', '--out', 'no-such-dir/a.json'], {
      cwd,
      env: SECRETS,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      '✗ cannot write no-such-dir/a.json (ENOENT): check that its folder exists and is writable, or pass --out\n',
    );
  });

  it('exits 1 with a pointer when the file does not exist', async () => {
    const result = await floe(['compile', '--config', 'missing.yaml'], { cwd: await workspace() });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      '✗ missing.yaml does not exist: pass --config <path>, or copy floe.example.yaml to floe.yaml\n',
    );
  });
});

describe('secrets given via ${env:…}', () => {
  it('never reach stdout, stderr, the artifacts or the logs — also when the checks fail', async () => {
    const cwd = await workspace();
    const redisPort = await closedPort();
    const s3Port = await closedPort();
    const catalogPort = await closedPort();
    const yaml = (await readFile(EXAMPLE, 'utf8'))
      .replace('${env:FLOE_CATALOG_URI:-http://127.0.0.1:8181}', `http://127.0.0.1:${catalogPort}`)
      .replace(
        'redis_url: ${env:FLOE_REDIS_URL:-redis://127.0.0.1:6379}',
        `redis_url: "redis://:\${env:REDIS_PASSWORD}@127.0.0.1:${redisPort}"`,
      )
      .replace('${env:FLOE_S3_ENDPOINT:-http://127.0.0.1:9000}', `http://127.0.0.1:${s3Port}`)
      .replace('X-Floe-Deployment: example', 'Authorization: "Bearer ${env:CATALOG_BEARER}"');
    await writeFile(join(cwd, 'floe.yaml'), yaml);
    const env = { ...SECRETS, REDIS_PASSWORD: 'redis-pw-5e6f7a', CATALOG_BEARER: 'bearer-token-0c0d0e' };
    const result = await floe(['compile', '--log-level', 'trace', '--timeout-ms', '2000'], { cwd, env });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `✗ Redis at redis://:[REDACTED]@127.0.0.1:${redisPort} refused the connection: is it running? (local stack: \`npm run stack:up\`)`,
    );
    expect(result.stdout).toContain(
      `✗ S3 endpoint http://127.0.0.1:${s3Port} refused the connection: is it running? (local stack: \`npm run stack:up\`)`,
    );
    expect(result.stdout).toContain(
      `✗ catalog at http://127.0.0.1:${catalogPort} refused the connection: is it running? (local stack: \`npm run stack:up\`)`,
    );
    expect(result.stderr).toBe('✗ 3 of 3 checks failed; the artifacts were written anyway\n');
    // The logs are really there (so their cleanliness means something): the compiled config
    // and both check failures with their errors.
    expect(result.logs).toContain('"msg":"compiled artifacts written"');
    expect(result.logs).toContain('"msg":"redis check failed"');
    expect(result.logs).toContain('"msg":"s3 check failed"');
    expect(result.logs).toContain('"msg":"catalog check failed"');
    const artifacts = await readFile(join(cwd, 'floe.compiled.json'), 'utf8');
    expect(artifacts).toContain('"client_secret": "${env:FLOE_CATALOG_CLIENT_SECRET}"');

    const secretValues = [
      env.FLOE_CATALOG_CLIENT_SECRET,
      env.AWS_SECRET_ACCESS_KEY,
      env.REDIS_PASSWORD,
      env.CATALOG_BEARER,
    ];
    for (const secret of secretValues) {
      for (const [where, text] of Object.entries({ ...result, artifacts })) {
        expect(String(text), `${secret} leaked into ${where}`).not.toContain(secret);
      }
    }
  });

  it('are scrubbed from a check message that echoes one', async () => {
    const cwd = await workspace();
    await copyFile(EXAMPLE, join(cwd, 'floe.yaml'));
    const echoingCheck: ServiceCheck = {
      name: 'echo',
      run: async (artifacts) => ({
        ok: false,
        message: `server said: bad secret ${artifacts.storage.secret_access_key}`,
      }),
    };
    const crashingCheck: ServiceCheck = {
      name: 'crash',
      run: async (artifacts) => {
        throw new Error(`boom with ${artifacts.catalog.credential?.client_secret}`);
      },
    };
    const result = await floe(['compile'], { cwd, env: SECRETS, checks: [echoingCheck, crashingCheck] });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('✗ server said: bad secret [REDACTED]\n');
    expect(result.stdout).toContain('✗ crash check crashed: boom with [REDACTED]\n');
    expect(result.stdout).not.toContain(SECRETS.AWS_SECRET_ACCESS_KEY);
    expect(result.stdout).not.toContain(SECRETS.FLOE_CATALOG_CLIENT_SECRET);
  });
});

describe('floe usage', () => {
  it('exits 2 on an unknown flag, a bad flag value, a missing or unknown command', async () => {
    const cwd = await workspace();
    const unknownFlag = await floe(['compile', '--bogus'], { cwd });
    expect(unknownFlag.exitCode).toBe(2);
    expect(unknownFlag.stderr).toBe(
      "floe compile: Unknown option '--bogus'\nRun `floe compile --help` for usage.\n",
    );
    const badTimeout = await floe(['compile', '--timeout-ms', 'soon'], { cwd });
    expect(badTimeout.exitCode).toBe(2);
    expect(badTimeout.stderr).toContain(
      'floe compile: --timeout-ms must be a positive integer (milliseconds), got "soon"',
    );
    const badLevel = await floe(['compile', '--log-level', 'loud'], { cwd });
    expect(badLevel.stderr).toContain('floe compile: --log-level must be one of fatal, error, warn');
    const none = await floe([], { cwd });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('Usage: floe <command> [options]');
    const unknown = await floe(['compil'], { cwd });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('floe: unknown command "compil"');
  });

  it('prints help with exit 0 for floe --help, floe help compile and floe compile --help', async () => {
    const cwd = await workspace();
    const main = await floe(['--help'], { cwd });
    expect(main.exitCode).toBe(0);
    expect(main.stdout).toMatch(/compile +validate floe\.yaml, write CompiledArtifacts/);
    for (const argv of [
      ['help', 'compile'],
      ['compile', '--help'],
      ['compile', '-h'],
    ]) {
      const result = await floe(argv, { cwd });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(
        'Usage: floe compile [--config floe.yaml] [--out floe.compiled.json] [--skip-checks]',
      );
    }
    expect((await floe(['help', 'nope'], { cwd })).exitCode).toBe(2);
  });
});
