// Structural checks of the Kubernetes manifests in this folder against the floe.yaml their
// ConfigMap carries and the worker Dockerfiles: probe ports, drain budget, the Redis list KEDA
// watches, image commands, non-root pods, and a Secret template without values. Each check
// returns the problems it found as sentences (empty = fine), so infra/k8s.test.ts can show that
// the real manifests pass and that every check catches a broken copy.
import type { CompiledArtifacts } from '@floe/config';
import { execForm, lastInstruction, parseDockerfile } from '../dockerfile-checks.ts';

/** The parts of a Kubernetes object these checks read; everything else stays `unknown`. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

interface Probe {
  readonly httpGet?: { readonly path?: string; readonly port?: number | string };
}

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly ports?: readonly { readonly containerPort: number; readonly name?: string }[];
  readonly envFrom?: readonly { readonly secretRef?: { readonly name: string } }[];
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly resources?: {
    readonly requests?: Record<string, string>;
    readonly limits?: Record<string, string>;
  };
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string }[];
  readonly securityContext?: { readonly allowPrivilegeEscalation?: boolean; readonly runAsNonRoot?: boolean };
}

export interface PodSpec {
  readonly terminationGracePeriodSeconds?: number;
  readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly runAsUser?: number };
  readonly containers: readonly Container[];
  readonly volumes?: readonly { readonly name: string; readonly configMap?: { readonly name: string } }[];
}

export interface Deployment extends K8sObject {
  readonly spec: {
    readonly template: {
      readonly metadata: { readonly annotations?: Record<string, string> };
      readonly spec: PodSpec;
    };
  };
}

export interface ScaledObject extends K8sObject {
  readonly spec: {
    readonly scaleTargetRef: { readonly name: string };
    readonly minReplicaCount?: number;
    readonly maxReplicaCount?: number;
    readonly triggers: readonly { readonly type: string; readonly metadata: Record<string, string> }[];
  };
}

/** The least margin, in seconds, between the writer's drain deadline and the pod's SIGKILL. */
export const MIN_GRACE_MARGIN_SECONDS = 5;

export function onlyContainer(deployment: Deployment): Container {
  const containers = deployment.spec.template.spec.containers;
  const first = containers[0];
  if (containers.length !== 1 || first === undefined) {
    throw new Error(`${deployment.metadata.name} must have exactly one container, has ${containers.length}`);
  }
  return first;
}

/** Liveness `/healthz`, readiness `/readyz`, container port and scrape annotation all on the metrics port. */
export function checkProbes(deployment: Deployment, metricsPort: number): string[] {
  const name = deployment.metadata.name;
  const container = onlyContainer(deployment);
  const problems: string[] = [];
  const probes = [
    ['livenessProbe', '/healthz', container.livenessProbe],
    ['readinessProbe', '/readyz', container.readinessProbe],
  ] as const;
  for (const [field, path, probe] of probes) {
    if (probe?.httpGet === undefined) {
      problems.push(`${name}: ${field} must be an httpGet on ${path}`);
      continue;
    }
    if (probe.httpGet.path !== path) {
      problems.push(`${name}: ${field} calls ${String(probe.httpGet.path)}, expected ${path}`);
    }
    if (probe.httpGet.port !== metricsPort) {
      problems.push(
        `${name}: ${field} calls port ${String(probe.httpGet.port)}, but floe.yaml's writer.metrics_port is ${metricsPort}`,
      );
    }
  }
  if (!(container.ports ?? []).some((port) => port.containerPort === metricsPort)) {
    problems.push(`${name}: no containerPort ${metricsPort} (the metrics port)`);
  }
  const annotations = deployment.spec.template.metadata.annotations ?? {};
  if (annotations['prometheus.io/scrape'] !== 'true') {
    problems.push(`${name}: pod annotation prometheus.io/scrape must be "true"`);
  }
  if (annotations['prometheus.io/port'] !== String(metricsPort)) {
    problems.push(
      `${name}: pod annotation prometheus.io/port is ${String(annotations['prometheus.io/port'])}, expected "${metricsPort}"`,
    );
  }
  return problems;
}

/** The kubelet must not SIGKILL a pod that is still inside the writer's drain deadline. */
export function checkGracePeriod(deployment: Deployment, shutdownDeadlineMs: number): string[] {
  const grace = deployment.spec.template.spec.terminationGracePeriodSeconds;
  const needed = Math.ceil(shutdownDeadlineMs / 1000) + MIN_GRACE_MARGIN_SECONDS;
  if (grace === undefined || grace < needed) {
    return [
      `${deployment.metadata.name}: terminationGracePeriodSeconds is ${String(grace)}, but writer.shutdown_deadline_ms ` +
        `is ${shutdownDeadlineMs}: it needs at least ${needed} (deadline + ${MIN_GRACE_MARGIN_SECONDS} s margin)`,
    ];
  }
  return [];
}

/** `<prefix>:<queue>:wait`: where BullMQ keeps the ids of waiting jobs. */
export function bullmqWaitList(artifacts: Pick<CompiledArtifacts, 'queue'>): string {
  return `${artifacts.queue.prefix}:${artifacts.queue.write_queue}:wait`;
}

/** KEDA's redis list scaler must watch the write queue's wait list on the configured Redis. */
export function checkScaledObject(
  scaled: ScaledObject,
  artifacts: Pick<CompiledArtifacts, 'queue'>,
  writerDeploymentName: string,
): string[] {
  const problems: string[] = [];
  const name = `ScaledObject ${scaled.metadata.name}`;
  if (scaled.apiVersion !== 'keda.sh/v1alpha1') problems.push(`${name}: apiVersion must be keda.sh/v1alpha1`);
  if (scaled.spec.scaleTargetRef.name !== writerDeploymentName) {
    problems.push(
      `${name}: scales ${scaled.spec.scaleTargetRef.name}, expected the writer Deployment ${writerDeploymentName}`,
    );
  }
  const min = scaled.spec.minReplicaCount ?? 0;
  const max = scaled.spec.maxReplicaCount ?? 100;
  if (min < 1)
    problems.push(`${name}: minReplicaCount must be at least 1 (retries need a worker), got ${min}`);
  if (max < min) problems.push(`${name}: maxReplicaCount ${max} is below minReplicaCount ${min}`);
  const redis = scaled.spec.triggers.filter((trigger) => trigger.type === 'redis');
  if (redis.length !== 1 || redis[0] === undefined) {
    problems.push(`${name}: needs exactly one trigger of type redis, has ${redis.length}`);
    return problems;
  }
  const metadata = redis[0].metadata;
  const expectedList = bullmqWaitList(artifacts);
  if (metadata['listName'] !== expectedList) {
    problems.push(
      `${name}: watches list ${String(metadata['listName'])}, but BullMQ's waiting jobs of queue.prefix ` +
        `"${artifacts.queue.prefix}" and write_queue "${artifacts.queue.write_queue}" are in ${expectedList}`,
    );
  }
  const url = new URL(artifacts.queue.redis_url);
  const expectedAddress = `${url.hostname}:${url.port || '6379'}`;
  if (metadata['address'] !== expectedAddress) {
    problems.push(
      `${name}: address is ${String(metadata['address'])}, but queue.redis_url points at ${expectedAddress}`,
    );
  }
  const dbIndex = url.pathname.replace(/^\//, '') || '0';
  if ((metadata['databaseIndex'] ?? '0') !== dbIndex) {
    problems.push(
      `${name}: databaseIndex ${String(metadata['databaseIndex'])} differs from queue.redis_url's ${dbIndex}`,
    );
  }
  const target = Number(metadata['listLength']);
  if (!Number.isInteger(target) || target < 1) {
    problems.push(
      `${name}: listLength must be a positive integer string, got ${String(metadata['listLength'])}`,
    );
  }
  return problems;
}

/**
 * The container runs what the Dockerfile's CMD runs (command + args), the image is the one that
 * Dockerfile builds, the port it EXPOSEs is declared, the config file sits where the ConfigMap is
 * mounted, and the pod runs as a non-root user like the image's USER.
 */
export function checkImage(
  deployment: Deployment,
  dockerfileText: string,
  expected: { readonly image: string; readonly configMapName: string },
): string[] {
  const name = deployment.metadata.name;
  const container = onlyContainer(deployment);
  const instructions = parseDockerfile(dockerfileText);
  const problems: string[] = [];
  const cmd = execForm(lastInstruction(instructions, 'CMD')?.args ?? '[]');
  const runs = [...(container.command ?? []), ...(container.args ?? [])];
  if (JSON.stringify(runs) !== JSON.stringify(cmd)) {
    problems.push(
      `${name}: runs ${JSON.stringify(runs)}, but the Dockerfile's CMD is ${JSON.stringify(cmd)}`,
    );
  }
  const repository = (container.image ?? '').replace(/[:@].*$/, '');
  if (repository !== expected.image) {
    problems.push(`${name}: image ${String(container.image)} is not ${expected.image}`);
  }
  const exposed = (lastInstruction(instructions, 'EXPOSE')?.args ?? '')
    .split(/\s+/)
    .map((port) => Number(port));
  for (const port of container.ports ?? []) {
    if (!exposed.includes(port.containerPort)) {
      problems.push(
        `${name}: containerPort ${port.containerPort} is not EXPOSEd by the Dockerfile (${exposed.join(', ')})`,
      );
    }
  }
  const configIndex = runs.indexOf('--config');
  const configPath = configIndex < 0 ? undefined : runs[configIndex + 1];
  const volume = deployment.spec.template.spec.volumes?.find(
    (candidate) => candidate.configMap?.name === expected.configMapName,
  );
  const mount = container.volumeMounts?.find((candidate) => candidate.name === volume?.name);
  if (configPath === undefined || mount === undefined || configPath !== `${mount.mountPath}/floe.yaml`) {
    problems.push(
      `${name}: --config ${String(configPath)} is not the floe.yaml of ConfigMap ${expected.configMapName} ` +
        `(mounted at ${String(mount?.mountPath)})`,
    );
  }
  const user = lastInstruction(instructions, 'USER')?.args;
  if (user === undefined || user === 'root' || user === '0') {
    problems.push(`${name}: the Dockerfile must switch to a non-root USER`);
  }
  const pod = deployment.spec.template.spec.securityContext;
  if (pod?.runAsNonRoot !== true || pod.runAsUser === 0) {
    problems.push(`${name}: securityContext.runAsNonRoot must be true (and runAsUser not 0)`);
  }
  if (container.securityContext?.allowPrivilegeEscalation !== false) {
    problems.push(`${name}: container securityContext.allowPrivilegeEscalation must be false`);
  }
  if (
    container.resources?.requests?.['memory'] === undefined ||
    container.resources.limits?.['memory'] === undefined
  ) {
    problems.push(`${name}: set resources.requests.memory and resources.limits.memory`);
  }
  return problems;
}

/** Credentials come from the Secret, by name, as environment variables. */
export function checkSecretWiring(deployment: Deployment, secretName: string): string[] {
  const container = onlyContainer(deployment);
  const wired = (container.envFrom ?? []).some((source) => source.secretRef?.name === secretName);
  return wired ? [] : [`${deployment.metadata.name}: envFrom must reference Secret ${secretName}`];
}

/** A template, never a store: every value of the Secret is empty. */
export function checkSecretTemplate(secret: K8sObject): string[] {
  const problems: string[] = [];
  for (const field of ['data', 'stringData'] as const) {
    const values = (secret[field] ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(values)) {
      if (value !== '' && value !== null) {
        problems.push(
          `Secret ${secret.metadata.name}: ${field}.${key} holds a value; the template must leave it empty`,
        );
      }
    }
  }
  return problems;
}

/** Namespace-agnostic: the namespace comes from `kubectl -n` or an overlay. */
export function checkNoNamespace(objects: readonly K8sObject[]): string[] {
  return objects
    .filter((object) => object.metadata.namespace !== undefined)
    .map(
      (object) =>
        `${object.kind} ${object.metadata.name}: metadata.namespace is set; leave it to the overlay`,
    );
}
