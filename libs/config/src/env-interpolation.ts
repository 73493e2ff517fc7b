// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
// `${env:NAME}` interpolation for floe.yaml string values.
//   ${env:NAME}            the variable's value; an unset variable is an error naming NAME and
//                          the field that uses it;
//   ${env:NAME:-fallback}  the variable's value, or `fallback` when it is unset or empty
//                          (shell semantics);
//   $${…}                  a literal `${…}` (escape).
// Only string values are interpolated, never keys. Anything else that looks like `${…}` is
// rejected, because a silently-kept `${SECRET}` would reach a server as a literal password.
// The walker also records the original template of every interpolated field, which is how
// secrets stay references in the artifacts written to disk (see sensitive-fields.ts).
import type { ConfigIssue } from './errors.ts';
import { type FieldPath, formatPath } from './paths.ts';

export type Env = Readonly<Record<string, string | undefined>>;

const PLACEHOLDER = /\$(\$)?\{([^}]*)\}/g;
const ENV_REFERENCE = /^env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

export interface InterpolatedString {
  readonly value: string;
  /** Names of the variables referenced (whether or not they were set). */
  readonly references: readonly string[];
  readonly issues: readonly ConfigIssue[];
}

/** Interpolates one string. `path` names the field in issues. */
export function interpolateString(template: string, env: Env, path: FieldPath): InterpolatedString {
  const references: string[] = [];
  const issues: ConfigIssue[] = [];
  const where = formatPath(path);
  const value = template.replace(PLACEHOLDER, (whole, escaped: string | undefined, body: string) => {
    if (escaped !== undefined) {
      return whole.slice(1);
    }
    const reference = ENV_REFERENCE.exec(body);
    if (reference === null) {
      issues.push({
        path: where,
        problem: `unsupported placeholder \`\${${body}}\``,
        fix: 'write ${env:NAME} or ${env:NAME:-default} to read an environment variable, or $${…} for a literal',
      });
      return '';
    }
    const name = reference[1] as string;
    const fallback = reference[2];
    references.push(name);
    const fromEnv = env[name];
    if (fallback !== undefined) {
      return fromEnv === undefined || fromEnv === '' ? fallback : fromEnv;
    }
    if (fromEnv === undefined) {
      issues.push({
        path: where,
        problem: `environment variable ${name} is not set`,
        fix: `export ${name}, or give a default with \${env:${name}:-value}`,
      });
      return '';
    }
    return fromEnv;
  });
  return { value, references, issues };
}

export interface InterpolatedTree {
  readonly value: unknown;
  readonly issues: readonly ConfigIssue[];
  /** Original templates of the string fields that held a placeholder. */
  readonly templates: ReadonlyArray<{ readonly path: FieldPath; readonly template: string }>;
  /** Every value that came out of an environment variable, for scrubbing messages. */
  readonly resolvedValues: readonly string[];
}

/**
 * Interpolates every string value in a parsed YAML/JSON tree. `shouldInterpolate` restricts
 * the walk to some paths (loading artifacts resolves only the secret references).
 */
export function interpolateTree(
  tree: unknown,
  env: Env,
  shouldInterpolate: (path: FieldPath) => boolean = () => true,
): InterpolatedTree {
  const issues: ConfigIssue[] = [];
  const templates: Array<{ path: FieldPath; template: string }> = [];
  const resolvedValues: string[] = [];

  const walk = (node: unknown, path: FieldPath): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('${') || !shouldInterpolate(path)) {
        return node;
      }
      const result = interpolateString(node, env, path);
      issues.push(...result.issues);
      // Recorded even for escapes only, so a kept template round-trips through the artifacts.
      templates.push({ path, template: node });
      if (result.references.length > 0) {
        for (const name of result.references) {
          const fromEnv = env[name];
          if (fromEnv !== undefined && fromEnv !== '') resolvedValues.push(fromEnv);
        }
      }
      return result.value;
    }
    if (Array.isArray(node)) {
      return node.map((item, index) => walk(item, [...path, index]));
    }
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  };

  const value = walk(tree, []);
  return { value, issues, templates, resolvedValues };
}
