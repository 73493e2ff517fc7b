// Structural checks for infra/docker-compose.yml and the worker Dockerfiles. Docker cannot run where
// the tests run, so these checks stand in for `docker compose config` plus the mistakes it would not
// catch: a depends_on that waits for a service that never turns healthy, a build path that moved,
// two services publishing the same host port, a metrics port that the health check does not probe,
// or a real-looking secret committed as a default. Each check returns the problems it found as
// sentences a reader can act on; an empty list means the file passes.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface ComposeDependency {
  readonly condition?: string;
}

export interface ComposeService {
  readonly image?: string;
  readonly build?: string | { readonly context?: string; readonly dockerfile?: string };
  readonly depends_on?: readonly string[] | Readonly<Record<string, ComposeDependency | null>>;
  readonly healthcheck?: { readonly test?: string | readonly string[]; readonly disable?: boolean };
  readonly ports?: readonly (string | number)[];
  readonly environment?: Readonly<Record<string, string | number | boolean | null>> | readonly string[];
  readonly volumes?: readonly string[];
  readonly command?: string | readonly string[];
  readonly entrypoint?: string | readonly string[];
  readonly restart?: string;
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

const interpolation = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g;

/** What compose would substitute when no variable is set: `${X:-d}` → `d`, `$$` → `$`. */
export function withDefaults(value: string): string {
  return value
    .replace(
      interpolation,
      (_match, _name: string, operator: string | undefined, fallback: string | undefined) =>
        operator === undefined ? '' : (fallback ?? ''),
    )
    .replaceAll('$$', '$');
}

/** Every `${NAME:-default}` in a text, in order of appearance. */
export function interpolationsIn(text: string): { name: string; fallback: string | undefined }[] {
  return [...text.matchAll(interpolation)].map((match) => ({
    name: match[1] ?? '',
    fallback: match[2] === undefined ? undefined : (match[3] ?? ''),
  }));
}

export function environmentOf(service: ComposeService): Map<string, string> {
  const environment = new Map<string, string>();
  if (Array.isArray(service.environment)) {
    for (const entry of service.environment as readonly string[]) {
      const equals = entry.indexOf('=');
      environment.set(equals < 0 ? entry : entry.slice(0, equals), equals < 0 ? '' : entry.slice(equals + 1));
    }
  } else if (service.environment !== undefined) {
    for (const [name, value] of Object.entries(service.environment))
      environment.set(name, String(value ?? ''));
  }
  return environment;
}

function hasHealthcheck(service: ComposeService): boolean {
  return service.healthcheck !== undefined && service.healthcheck.disable !== true;
}

/** A service that runs to completion (bucket creation, bootstrap): it never restarts and never serves. */
function isOneShot(service: ComposeService): boolean {
  return service.restart === 'no' && !hasHealthcheck(service) && (service.ports ?? []).length === 0;
}

export function checkImageOrBuild(compose: ComposeFile): string[] {
  return Object.entries(compose.services)
    .filter(([, service]) => service.image === undefined && service.build === undefined)
    .map(([name]) => `service '${name}' has neither an image nor a build section`);
}

export function checkDependsOn(compose: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const dependsOn = service.depends_on;
    if (dependsOn === undefined) continue;
    if (Array.isArray(dependsOn)) {
      problems.push(
        `service '${name}' lists depends_on without conditions: use the long form with service_healthy or service_completed_successfully`,
      );
      continue;
    }
    for (const [target, dependency] of Object.entries(
      dependsOn as Record<string, ComposeDependency | null>,
    )) {
      const targetService = compose.services[target];
      if (targetService === undefined) {
        problems.push(`service '${name}' depends on '${target}', which is not a service of this file`);
        continue;
      }
      const condition = dependency?.condition;
      if (hasHealthcheck(targetService) && condition !== 'service_healthy') {
        problems.push(
          `service '${name}' waits for '${target}' with condition '${condition ?? 'none'}': '${target}' has a health check, use service_healthy`,
        );
      } else if (isOneShot(targetService) && condition !== 'service_completed_successfully') {
        problems.push(
          `service '${name}' waits for one-shot '${target}' with condition '${condition ?? 'none'}': use service_completed_successfully`,
        );
      } else if (!hasHealthcheck(targetService) && !isOneShot(targetService)) {
        problems.push(
          `service '${name}' depends on '${target}', which has no health check and is not a one-shot (restart: 'no'): nothing tells compose when it is ready`,
        );
      }
    }
  }
  return problems;
}

/** Build contexts, Dockerfiles and bind-mount sources must exist, relative to the compose file's folder. */
export function checkPathsExist(compose: ComposeFile, composeDir: string): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.build !== undefined) {
      const build = typeof service.build === 'string' ? { context: service.build } : service.build;
      const context = resolve(composeDir, build.context ?? '.');
      if (!existsSync(context)) problems.push(`service '${name}': build context ${context} does not exist`);
      const dockerfile = resolve(context, build.dockerfile ?? 'Dockerfile');
      if (!existsSync(dockerfile))
        problems.push(`service '${name}': Dockerfile ${dockerfile} does not exist`);
    }
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0] ?? '';
      if (source.startsWith('.') || source.startsWith('/')) {
        const path = resolve(composeDir, source);
        if (!existsSync(path)) problems.push(`service '${name}': bind-mount source ${path} does not exist`);
      } else if (compose.volumes?.[source] === undefined) {
        problems.push(`service '${name}': named volume '${source}' is not declared under top-level volumes`);
      }
    }
  }
  return problems;
}

export interface PublishedPort {
  readonly service: string;
  readonly hostPort: number;
  readonly containerPort: number;
}

/** Host:container pairs with defaults applied; a port published without a host side is skipped. */
export function publishedPorts(compose: ComposeFile): { ports: PublishedPort[]; problems: string[] } {
  const ports: PublishedPort[] = [];
  const problems: string[] = [];
  for (const [service, definition] of Object.entries(compose.services)) {
    for (const entry of definition.ports ?? []) {
      const parts = withDefaults(String(entry)).split(':');
      if (parts.length < 2) continue;
      const hostPort = Number(parts.at(-2));
      const containerPort = Number((parts.at(-1) ?? '').split('/')[0]);
      if (!Number.isInteger(hostPort) || hostPort <= 0 || !Number.isInteger(containerPort)) {
        problems.push(`service '${service}' publishes '${entry}', which has no usable default host port`);
        continue;
      }
      ports.push({ service, hostPort, containerPort });
    }
  }
  return { ports, problems };
}

export function checkPortCollisions(compose: ComposeFile): string[] {
  const { ports, problems } = publishedPorts(compose);
  const owners = new Map<number, string>();
  for (const port of ports) {
    const owner = owners.get(port.hostPort);
    if (owner !== undefined) {
      problems.push(`host port ${port.hostPort} is published by both '${owner}' and '${port.service}'`);
    } else {
      owners.set(port.hostPort, port.service);
    }
  }
  return problems;
}

const secretName = /SECRET|PASSWORD|ACCESS_KEY|TOKEN|CREDENTIAL|ROOT_USER|CLIENT_ID/i;

/**
 * Secrets only through `${NAME:-default}`, and every default documented in the header block that
 * starts with `headerMarker` as `NAME=default`. A literal secret in `environment`, or a default the
 * header does not list, is reported.
 */
export function checkSecrets(compose: ComposeFile, composeText: string, headerMarker: string): string[] {
  const problems: string[] = [];
  const documented = documentedDefaults(composeText, headerMarker);
  if (documented.size === 0)
    problems.push(`the header has no '${headerMarker}' block listing the dev defaults`);
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [key, value] of environmentOf(service)) {
      if (!secretName.test(key)) continue;
      if (interpolationsIn(value).length === 0) {
        problems.push(
          `service '${name}' sets ${key} to a literal: secrets must come from \${NAME:-dev default}`,
        );
      }
    }
  }
  const body = composeText
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  for (const { name, fallback } of interpolationsIn(body)) {
    if (!secretName.test(name) || fallback === undefined) continue;
    const expected = documented.get(name);
    if (expected === undefined) {
      problems.push(`\${${name}} has the default '${fallback}', which the header does not document`);
    } else if (expected !== fallback) {
      problems.push(`\${${name}} defaults to '${fallback}' here but the header documents '${expected}'`);
    }
  }
  return problems;
}

/** `NAME=value` lines of the comment block that follows the line containing `marker`. */
export function documentedDefaults(composeText: string, marker: string): Map<string, string> {
  const defaults = new Map<string, string>();
  const lines = composeText.split('\n');
  const start = lines.findIndex((line) => line.startsWith('#') && line.includes(marker));
  if (start < 0) return defaults;
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('#')) break;
    const match = /^#\s+([A-Z][A-Z0-9_]*)=(\S+)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) defaults.set(match[1], match[2]);
  }
  return defaults;
}

export function asCommandList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [...value];
}
