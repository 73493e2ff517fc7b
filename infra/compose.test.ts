// Validates infra/docker-compose.yml, its worker floe.yaml and the worker Dockerfiles without Docker:
// the real files must pass every structural check, and each check is shown to catch a broken variant,
// so a passing run means something.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose `${VAR:-default}` and floe.yaml `${env:NAME}` interpolations, i.e. data
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileConfig } from '@floe/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  asCommandList,
  type ComposeFile,
  type ComposeService,
  checkDependsOn,
  checkImageOrBuild,
  checkPathsExist,
  checkPortCollisions,
  checkSecrets,
  environmentOf,
  publishedPorts,
  withDefaults,
} from './compose-checks.ts';
import { checkWorkerDockerfile, healthzPort, type WorkerImageExpectation } from './dockerfile-checks.ts';

const infraDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(infraDir, '..');
const composeText = readFileSync(join(infraDir, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText) as ComposeFile;
const DEV_DEFAULTS_MARKER = 'Development-only defaults';
const METRICS_PORT = 9464;
const WORKERS = ['writer-worker', 'maintenance-worker'] as const;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service '${name}'`);
  return found;
}

/** A deep copy of the compose file with one service replaced, for the negative cases. */
function withService(name: string, change: (service: Record<string, unknown>) => void): ComposeFile {
  const copy = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
  const target = copy.services[name];
  if (target === undefined) throw new Error(`no service '${name}'`);
  change(target);
  return copy as unknown as ComposeFile;
}

function workspaceManifests(): string[] {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [`${pattern}/package.json`];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(repoRoot, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}/package.json`)
      .filter((manifest) => {
        try {
          readFileSync(join(repoRoot, manifest));
          return true;
        } catch {
          return false;
        }
      });
  });
}

function expectationFor(app: (typeof WORKERS)[number]): WorkerImageExpectation {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'apps', app, 'package.json'), 'utf8')) as {
    name: string;
  };
  return {
    workspace: manifest.name,
    entry: `apps/${app}/src/main.ts`,
    configPath: '/etc/floe/floe.yaml',
    metricsPort: METRICS_PORT,
    workspaceManifests: workspaceManifests(),
  };
}

describe('docker-compose.yml services', () => {
  it('declares the whole stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'grafana',
        'maintenance-worker',
        'minio',
        'minio-init',
        'polaris',
        'polaris-bootstrap',
        'prometheus',
        'redis',
        'writer-worker',
      ].sort(),
    );
    expect(service('redis').image).toMatch(/^redis:7(\.|$|-)/);
    expect(service('polaris').image).toContain('apache/polaris');
  });

  it('gives every service an image or a build', () => {
    expect(checkImageOrBuild(compose)).toEqual([]);
    const broken = withService('redis', (redis) => {
      delete redis['image'];
    });
    expect(checkImageOrBuild(broken)).toEqual(["service 'redis' has neither an image nor a build section"]);
  });

  it('waits on health checks and one-shot completion, for services that exist', () => {
    expect(checkDependsOn(compose)).toEqual([]);
    const missing = withService('writer-worker', (worker) => {
      worker['depends_on'] = { valkey: { condition: 'service_healthy' } };
    });
    expect(checkDependsOn(missing)).toEqual([
      "service 'writer-worker' depends on 'valkey', which is not a service of this file",
    ]);
    const startedOnly = withService('polaris-bootstrap', (bootstrap) => {
      bootstrap['depends_on'] = { polaris: { condition: 'service_started' } };
    });
    expect(checkDependsOn(startedOnly)).toEqual([
      "service 'polaris-bootstrap' waits for 'polaris' with condition 'service_started': 'polaris' has a health check, use service_healthy",
    ]);
    const shortForm = withService('polaris', (polaris) => {
      polaris['depends_on'] = ['minio-init'];
    });
    expect(checkDependsOn(shortForm)[0]).toContain("service 'polaris' lists depends_on without conditions");
    const oneShotAsHealthy = withService('writer-worker', (worker) => {
      worker['depends_on'] = { 'polaris-bootstrap': { condition: 'service_healthy' } };
    });
    expect(checkDependsOn(oneShotAsHealthy)).toEqual([
      "service 'writer-worker' waits for one-shot 'polaris-bootstrap' with condition 'service_healthy': use service_completed_successfully",
    ]);
  });

  it('builds the workers from Dockerfiles that exist, with bind mounts that exist', () => {
    expect(checkPathsExist(compose, infraDir)).toEqual([]);
    for (const worker of WORKERS) {
      expect(service(worker).build).toEqual({ context: '..', dockerfile: `apps/${worker}/Dockerfile` });
    }
    const moved = withService('writer-worker', (worker) => {
      worker['build'] = { context: '..', dockerfile: 'apps/writer/Dockerfile' };
    });
    expect(checkPathsExist(moved, infraDir)).toEqual([
      `service 'writer-worker': Dockerfile ${join(repoRoot, 'apps/writer/Dockerfile')} does not exist`,
    ]);
    const undeclaredVolume = withService('redis', (redis) => {
      redis['volumes'] = ['redis-state:/data'];
    });
    expect(checkPathsExist(undeclaredVolume, infraDir)).toEqual([
      "service 'redis': named volume 'redis-state' is not declared under top-level volumes",
    ]);
  });

  it('publishes each host port once', () => {
    expect(checkPortCollisions(compose)).toEqual([]);
    const hostPorts = publishedPorts(compose).ports.map((port) => port.hostPort);
    expect(hostPorts).toEqual(expect.arrayContaining([6379, 9000, 9001, 8181, 8182, 9464, 9465]));
    const clash = withService('maintenance-worker', (worker) => {
      worker['ports'] = ['${FLOE_MAINTENANCE_METRICS_PORT:-9464}:9464'];
    });
    expect(checkPortCollisions(clash)).toEqual([
      "host port 9464 is published by both 'writer-worker' and 'maintenance-worker'",
    ]);
    const noDefault = withService('redis', (redis) => {
      redis['ports'] = ['${FLOE_REDIS_PORT}:6379'];
    });
    expect(checkPortCollisions(noDefault)).toEqual([
      "service 'redis' publishes '${FLOE_REDIS_PORT}:6379', which has no usable default host port",
    ]);
  });

  it('keeps secrets to documented development defaults', () => {
    expect(checkSecrets(compose, composeText, DEV_DEFAULTS_MARKER)).toEqual([]);
    const literal = withService('minio', (minio) => {
      minio['environment'] = {
        MINIO_ROOT_USER: 'admin',
        MINIO_ROOT_PASSWORD: '${MINIO_ROOT_PASSWORD:-floe-minio-dev-password}',
      };
    });
    expect(checkSecrets(literal, composeText, DEV_DEFAULTS_MARKER)).toEqual([
      "service 'minio' sets MINIO_ROOT_USER to a literal: secrets must come from ${NAME:-dev default}",
    ]);
    const undocumented = composeText.replace(
      '${MINIO_ROOT_PASSWORD:-floe-minio-dev-password}',
      '${MINIO_ROOT_PASSWORD:-hunter2}',
    );
    expect(checkSecrets(compose, undocumented, DEV_DEFAULTS_MARKER)).toEqual([
      "${MINIO_ROOT_PASSWORD} defaults to 'hunter2' here but the header documents 'floe-minio-dev-password'",
    ]);
    const newSecret = `${composeText}\nx-extra:\n  token: \${GITHUB_TOKEN:-ghp_123}\n`;
    expect(checkSecrets(compose, newSecret, DEV_DEFAULTS_MARKER)).toEqual([
      "${GITHUB_TOKEN} has the default 'ghp_123', which the header does not document",
    ]);
  });
});

describe('MinIO and Polaris wiring', () => {
  it('creates the warehouse and staging buckets in a one-shot mc container', () => {
    const init = service('minio-init');
    expect(init.image).toMatch(/minio\/mc/);
    const script = asCommandList(init.command).join(' ');
    expect(script).toContain('http://minio:9000');
    expect(script).toMatch(/mc mb --ignore-existing floe\/warehouse/);
    expect(script).toMatch(/mc mb --ignore-existing floe\/staging/);
  });

  it('health-checks Polaris on its published management port', () => {
    const polaris = service('polaris');
    const test = asCommandList(polaris.healthcheck?.test).join(' ');
    expect(test).toMatch(/http:\/\/127\.0\.0\.1:8182\/q\/health/);
    const containerPorts = publishedPorts(compose)
      .ports.filter((port) => port.service === 'polaris')
      .map((port) => port.containerPort);
    expect(containerPorts).toEqual(expect.arrayContaining([8181, 8182]));
    expect(environmentOf(polaris).get('polaris.persistence.type')).toBe('in-memory');
  });

  it('bootstraps Polaris through its service name, with S3 storage on MinIO', () => {
    const bootstrap = environmentOf(service('polaris-bootstrap'));
    const polarisUrl = new URL(bootstrap.get('POLARIS_URL') ?? '');
    expect(polarisUrl.hostname).toBe('polaris');
    const polarisApiPorts = publishedPorts(compose)
      .ports.filter((port) => port.service === 'polaris')
      .map((port) => port.containerPort);
    expect(polarisApiPorts).toContain(Number(polarisUrl.port));
    expect(new URL(bootstrap.get('S3_ENDPOINT_INTERNAL') ?? '').hostname).toBe('minio');
    expect(withDefaults(bootstrap.get('S3_ENDPOINT') ?? '')).toBe('http://minio:9000');
    expect(bootstrap.get('FLOE_WAREHOUSE_LOCATION')).toBe('s3://warehouse/');

    const mount = (service('polaris-bootstrap').volumes ?? []).find((volume) =>
      volume.includes('bootstrap.sh'),
    );
    const scriptPath = resolve(infraDir, (mount ?? '').split(':')[0] ?? '');
    const script = readFileSync(scriptPath, 'utf8');
    expect(script).not.toMatch(/localhost|127\.0\.0\.1/);
    expect(script).toContain('$POLARIS_URL/api/catalog/v1/oauth/tokens');
    expect(script).toContain('$POLARIS_URL/api/management/v1');
    expect(asCommandList(service('polaris-bootstrap').entrypoint)).toEqual(['/bin/sh', mount?.split(':')[1]]);
    // `sh -n` parses without running: a syntax error in the script fails here, not in a user's terminal.
    expect(() => execFileSync('sh', ['-n', scriptPath])).not.toThrow();
  });

  it('hands the bootstrap credentials to the workers through a shared volume', () => {
    const outputDir = environmentOf(service('polaris-bootstrap')).get('FLOE_OUTPUT_DIR');
    const bootstrapVolume = (service('polaris-bootstrap').volumes ?? []).find((volume) =>
      volume.endsWith(`:${outputDir}`),
    );
    expect(bootstrapVolume).toBe('floe-credentials:/var/run/floe');
    for (const worker of WORKERS) {
      expect(service(worker).volumes).toContain('floe-credentials:/var/run/floe:ro');
      expect(asCommandList(service(worker).command)).toEqual([
        'node',
        `--env-file=${outputDir}/catalog-credentials.env`,
        `apps/${worker}/src/main.ts`,
        '--config',
        '/etc/floe/floe.yaml',
      ]);
    }
  });
});

describe('workers', () => {
  const floeYaml = readFileSync(join(infraDir, 'compose', 'floe.yaml'), 'utf8');
  // What a worker container sees: the compose environment with its defaults, plus the bootstrap's file.
  const workerEnv: Record<string, string> = {
    ...Object.fromEntries(
      [...environmentOf(service('writer-worker'))].map(([name, value]) => [name, withDefaults(value)]),
    ),
    FLOE_CATALOG_CLIENT_ID: 'client-id-from-bootstrap',
    FLOE_CATALOG_CLIENT_SECRET: 'client-secret-from-bootstrap',
    FLOE_CATALOG_WAREHOUSE: 'floe',
  };
  const compiled = () => compileConfig(floeYaml, workerEnv, { sourceName: 'infra/compose/floe.yaml' });

  it('mounts a floe.yaml that @floe/config accepts, reaching the services by name', () => {
    for (const worker of WORKERS) {
      expect(service(worker).volumes).toContain('./compose/floe.yaml:/etc/floe/floe.yaml:ro');
    }
    const artifacts = compiled();
    expect(new URL(artifacts.catalog.uri).hostname).toBe('polaris');
    expect(artifacts.catalog.warehouse).toBe(
      environmentOf(service('polaris-bootstrap')).get('FLOE_CATALOG_NAME'),
    );
    expect(new URL(artifacts.storage.endpoint ?? '').hostname).toBe('minio');
    expect(new URL(withDefaults(artifacts.queue.redis_url)).hostname).toBe('redis');
    // Buckets the workers use are the ones minio-init creates.
    expect(asCommandList(service('minio-init').command).join(' ')).toContain(
      `floe/${artifacts.storage.staging.bucket}`,
    );
    // Secrets stay references in the compiled artifacts: the file itself holds none.
    expect(artifacts.catalog.credential?.client_secret).toBe('${env:FLOE_CATALOG_CLIENT_SECRET}');
    expect(artifacts.storage.secret_access_key).toBe('${env:FLOE_S3_SECRET_ACCESS_KEY}');
  });

  it('provides every variable floe.yaml references', () => {
    const { FLOE_CATALOG_CLIENT_SECRET: _written, ...withoutBootstrapFile } = workerEnv;
    expect(() =>
      compileConfig(floeYaml, withoutBootstrapFile, { sourceName: 'infra/compose/floe.yaml' }),
    ).toThrow(/FLOE_CATALOG_CLIENT_SECRET is not set/);
    expect(compiled().version).toBe(1);
  });

  it('agree on one metrics port across floe.yaml, compose and the health checks', () => {
    expect(compiled().writer.metrics_port).toBe(METRICS_PORT);
    for (const worker of WORKERS) {
      const published = publishedPorts(compose).ports.filter((port) => port.service === worker);
      expect(published.map((port) => port.containerPort)).toEqual([METRICS_PORT]);
      expect(healthzPort(asCommandList(service(worker).healthcheck?.test).join(' '))).toBe(METRICS_PORT);
    }
  });

  it.each(WORKERS)(
    '%s Dockerfile: Node 24, production install, non-root, SIGTERM, /healthz on the metrics port',
    (app) => {
      const dockerfile = readFileSync(join(repoRoot, 'apps', app, 'Dockerfile'), 'utf8');
      expect(checkWorkerDockerfile(dockerfile, expectationFor(app))).toEqual([]);
    },
  );

  it('catches a broken Dockerfile with messages naming the fix', () => {
    const good = readFileSync(join(repoRoot, 'apps/writer-worker/Dockerfile'), 'utf8');
    const expectation = expectationFor('writer-worker');
    const broken = good
      .replace('ARG NODE_IMAGE=node:24-bookworm-slim', 'ARG NODE_IMAGE=node:22-bookworm-slim')
      .replace('USER node', '')
      .replace('EXPOSE 9464', 'EXPOSE 9100')
      .replace('STOPSIGNAL SIGTERM', 'STOPSIGNAL SIGKILL')
      .replace('COPY libs/jobs/package.json libs/jobs/\n', '')
      .replace('-w @floe/writer-worker', '-w @floe/maintenance-worker');
    expect(checkWorkerDockerfile(broken, expectation)).toEqual([
      "stage base image 'node:22-bookworm-slim' is not Node 24 (node:24-…)",
      "stage base image 'node:22-bookworm-slim' is not Node 24 (node:24-…)",
      '`npm ci` is not limited to the workspace @floe/writer-worker (-w @floe/writer-worker)',
      'libs/jobs/package.json is not copied before `npm ci`, so the lockfile check fails',
      'the image runs as root (no USER): add a non-root USER',
      "STOPSIGNAL is 'SIGKILL', expected SIGTERM",
      'EXPOSE does not include the metrics port 9464',
    ]);
    const wrongProbe = good.replace(
      "fetch('http://127.0.0.1:9464/healthz')",
      "fetch('http://127.0.0.1:9465/healthz')",
    );
    expect(checkWorkerDockerfile(wrongProbe, expectation)).toEqual([
      'HEALTHCHECK probes port 9465, expected /healthz on 9464',
    ]);
  });
});
