// Validates infra/k8s without a cluster: every manifest parses, the ConfigMap's floe.yaml
// compiles, and the Deployments and the KEDA ScaledObject agree with that floe.yaml and with the
// worker Dockerfiles. Each check is also shown to catch a broken copy, so a pass means something.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: floe.yaml `${env:NAME}` references are data here
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CompiledArtifacts,
  compileConfig,
  resolveCompiledArtifacts,
  serializeCompiledArtifacts,
} from '@floe/config';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import {
  bullmqWaitList,
  checkGracePeriod,
  checkImage,
  checkNoNamespace,
  checkProbes,
  checkScaledObject,
  checkSecretTemplate,
  checkSecretWiring,
  type Deployment,
  type K8sObject,
  type ScaledObject,
} from './k8s/manifest-checks.ts';

const infraDir = dirname(fileURLToPath(import.meta.url));
const k8sDir = join(infraDir, 'k8s');
const repoRoot = resolve(infraDir, '..');

const kustomization = parseYaml(readFileSync(join(k8sDir, 'kustomization.yaml'), 'utf8')) as {
  resources: string[];
  images: { name: string }[];
};

function parseManifest(file: string): K8sObject[] {
  const documents = parseAllDocuments(readFileSync(join(k8sDir, file), 'utf8'));
  if (!Array.isArray(documents)) throw new Error(`${file} is empty`);
  return documents.map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    return document.toJS() as K8sObject;
  });
}

const objects = kustomization.resources.flatMap(parseManifest);

function find<T extends K8sObject>(kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in infra/k8s`);
  return found as T;
}

const configMap = find<K8sObject & { data: Record<string, string> }>('ConfigMap', 'floe-config');
const secret = find('Secret', 'floe-secrets');
const writer = find<Deployment>('Deployment', 'floe-writer');
const maintenance = find<Deployment>('Deployment', 'floe-maintenance');
const scaled = find<ScaledObject>('ScaledObject', 'floe-writer');
const floeYaml = configMap.data['floe.yaml'] ?? '';

/** The Secret's keys with stand-in values: the env a pod would have. */
function podEnv(): Record<string, string> {
  const keys = Object.keys((secret['stringData'] ?? {}) as Record<string, string>);
  return Object.fromEntries(keys.map((key) => [key, `test-${key.toLowerCase()}`]));
}

/** floe.yaml → artifacts → secrets resolved from the env, exactly as a worker starts. */
function startupArtifacts(yamlText: string, env: Record<string, string>): CompiledArtifacts {
  const compiled = compileConfig(yamlText, env, { sourceName: 'configmap floe.yaml' });
  return resolveCompiledArtifacts(
    JSON.parse(serializeCompiledArtifacts(compiled)),
    env,
    'configmap floe.yaml',
  );
}

const artifacts = startupArtifacts(floeYaml, podEnv());

function edited<T extends K8sObject>(object: T, change: (copy: T) => void): T {
  const copy = structuredClone(object);
  change(copy);
  return copy;
}

function dockerfile(app: string): string {
  return readFileSync(join(repoRoot, 'apps', app, 'Dockerfile'), 'utf8');
}

describe('infra/k8s manifests', () => {
  it('lists every manifest of the folder in kustomization.yaml and parses each', () => {
    const files = readdirSync(k8sDir).filter(
      (file) => file.endsWith('.yaml') && file !== 'kustomization.yaml',
    );
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(objects.map((object) => object.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Deployment',
      'ScaledObject',
      'Secret',
    ]);
    expect(kustomization.images.map((image) => image.name).sort()).toEqual([
      'floe/maintenance-worker',
      'floe/writer-worker',
    ]);
  });

  it('is namespace-agnostic', () => {
    expect(checkNoNamespace(objects)).toEqual([]);
    const pinned = edited(secret, (copy) => {
      (copy.metadata as { namespace?: string }).namespace = 'prod';
    });
    expect(checkNoNamespace([pinned])).toEqual([
      'Secret floe-secrets: metadata.namespace is set; leave it to the overlay',
    ]);
  });

  it("compiles the ConfigMap's floe.yaml with the Secret's keys as the environment", () => {
    expect(artifacts.catalog.credential?.client_secret).toBe('test-floe_catalog_client_secret');
    expect(artifacts.storage.secret_access_key).toBe('test-floe_s3_secret_access_key');
    // Every secret is a reference: nothing but the env changes the compiled secrets.
    expect(floeYaml).not.toMatch(/client_secret:\s*[^$\s]/);
    // A key missing from the Secret is a compile error, so the template covers every reference.
    const { FLOE_S3_SECRET_ACCESS_KEY: _dropped, ...short } = podEnv();
    expect(() => startupArtifacts(floeYaml, short)).toThrow(/FLOE_S3_SECRET_ACCESS_KEY/);
  });

  it('keeps the Secret a template without values', () => {
    expect(checkSecretTemplate(secret)).toEqual([]);
    const leaked = edited(secret, (copy) => {
      (copy as unknown as { stringData: Record<string, string> }).stringData['FLOE_S3_SECRET_ACCESS_KEY'] =
        'hunter2';
    });
    expect(checkSecretTemplate(leaked)).toEqual([
      'Secret floe-secrets: stringData.FLOE_S3_SECRET_ACCESS_KEY holds a value; the template must leave it empty',
    ]);
  });

  for (const deployment of [writer, maintenance]) {
    const name = deployment.metadata.name;

    it(`${name}: probes /healthz and /readyz on the configured metrics port`, () => {
      expect(artifacts.writer.metrics_port).toBe(9464);
      expect(artifacts.maintenance.worker.metrics_port).toBe(9464);
      // The kubelet probes the pod's IP: the ops servers listen on every interface.
      expect(artifacts.writer.metrics_host).toBe('0.0.0.0');
      expect(artifacts.maintenance.worker.metrics_host).toBe('0.0.0.0');
      expect(checkProbes(deployment, artifacts.writer.metrics_port)).toEqual([]);
      // The same manifests against a floe.yaml that moved the port must fail.
      expect(checkProbes(deployment, 9100)).toContain(
        `${name}: livenessProbe calls port 9464, but floe.yaml's writer.metrics_port is 9100`,
      );
      const swapped = edited(deployment, (copy) => {
        const container = copy.spec.template.spec.containers[0] as {
          readinessProbe: { httpGet: { path: string } };
        };
        container.readinessProbe.httpGet.path = '/healthz';
      });
      expect(checkProbes(swapped, 9464)).toEqual([
        `${name}: readinessProbe calls /healthz, expected /readyz`,
      ]);
    });

    it(`${name}: grace period outlasts writer.shutdown_deadline_ms`, () => {
      expect(checkGracePeriod(deployment, artifacts.writer.shutdown_deadline_ms)).toEqual([]);
      expect(checkGracePeriod(deployment, 60_000)).toEqual([
        `${name}: terminationGracePeriodSeconds is 45, but writer.shutdown_deadline_ms is 60000: it needs at least 65 (deadline + 5 s margin)`,
      ]);
    });

    it(`${name}: reads credentials from the Secret`, () => {
      expect(checkSecretWiring(deployment, 'floe-secrets')).toEqual([]);
      expect(checkSecretWiring(deployment, 'other')).toEqual([
        `${name}: envFrom must reference Secret other`,
      ]);
    });
  }

  it('runs each image as its Dockerfile does, non-root, with the ConfigMap as --config', () => {
    const expectations = [
      [writer, 'writer-worker'],
      [maintenance, 'maintenance-worker'],
    ] as const;
    for (const [deployment, app] of expectations) {
      expect(
        checkImage(deployment, dockerfile(app), { image: `floe/${app}`, configMapName: 'floe-config' }),
      ).toEqual([]);
    }
    const wrongEntry = edited(writer, (copy) => {
      (copy.spec.template.spec.containers[0] as unknown as { args: string[] }).args = [
        '--config',
        '/config/floe.yaml',
      ];
    });
    expect(
      checkImage(wrongEntry, dockerfile('writer-worker'), {
        image: 'floe/writer-worker',
        configMapName: 'floe-config',
      }),
    ).toEqual([
      'floe-writer: runs ["node","apps/writer-worker/src/main.ts","--config","/config/floe.yaml"], but the Dockerfile\'s CMD is ["node","apps/writer-worker/src/main.ts","--config","/etc/floe/floe.yaml"]',
      'floe-writer: --config /config/floe.yaml is not the floe.yaml of ConfigMap floe-config (mounted at /etc/floe)',
    ]);
    // The writer's manifest with the maintenance image is caught too.
    expect(
      checkImage(writer, dockerfile('maintenance-worker'), {
        image: 'floe/maintenance-worker',
        configMapName: 'floe-config',
      }),
    ).toContain('floe-writer: image floe/writer-worker is not floe/maintenance-worker');
    const asRoot = edited(maintenance, (copy) => {
      (copy.spec.template.spec as { securityContext: object }).securityContext = { runAsUser: 0 };
    });
    expect(
      checkImage(asRoot, dockerfile('maintenance-worker'), {
        image: 'floe/maintenance-worker',
        configMapName: 'floe-config',
      }),
    ).toEqual(['floe-maintenance: securityContext.runAsNonRoot must be true (and runAsUser not 0)']);
  });

  it("scales the writers on the BullMQ wait list of the ConfigMap's queue", () => {
    expect(bullmqWaitList(artifacts)).toBe('floe:floe-write:wait');
    expect(checkScaledObject(scaled, artifacts, writer.metadata.name)).toEqual([]);
    expect(scaled.spec.minReplicaCount).toBe(1);
    expect(scaled.spec.maxReplicaCount).toBeGreaterThan(1);

    // A floe.yaml that renames the queue or moves Redis must break the ScaledObject.
    const renamed = compileConfig(
      floeYaml.replace('write_queue: floe-write', 'write_queue: ingest'),
      podEnv(),
    );
    expect(checkScaledObject(scaled, renamed, 'floe-writer')).toEqual([
      'ScaledObject floe-writer: watches list floe:floe-write:wait, but BullMQ\'s waiting jobs of queue.prefix "floe" and write_queue "ingest" are in floe:ingest:wait',
    ]);
    const moved = compileConfig(
      floeYaml.replace('redis://redis:6379', 'redis://queue-redis:6380/2'),
      podEnv(),
    );
    expect(checkScaledObject(scaled, moved, 'floe-writer')).toEqual([
      'ScaledObject floe-writer: address is redis:6379, but queue.redis_url points at queue-redis:6380',
      "ScaledObject floe-writer: databaseIndex 0 differs from queue.redis_url's 2",
    ]);
    const zeroMin = edited(scaled, (copy) => {
      (copy.spec as { minReplicaCount: number }).minReplicaCount = 0;
    });
    expect(checkScaledObject(zeroMin, artifacts, 'floe-writer')).toEqual([
      'ScaledObject floe-writer: minReplicaCount must be at least 1 (retries need a worker), got 0',
    ]);
    expect(checkScaledObject(scaled, artifacts, 'floe-maintenance')).toEqual([
      'ScaledObject floe-writer: scales floe-writer, expected the writer Deployment floe-maintenance',
    ]);
  });

  it('documents the KEDA list and an HPA alternative in README.md', () => {
    const readme = readFileSync(join(k8sDir, 'README.md'), 'utf8');
    expect(readme).toContain(bullmqWaitList(artifacts));
    expect(readme).toContain('HorizontalPodAutoscaler');
  });
});
