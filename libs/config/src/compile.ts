// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
// floe.yaml → CompiledArtifacts. One pass collects every problem — YAML syntax, unset
// environment variables, inline secrets, schema violations — and reports them together, each
// as `path: what is wrong — how to fix`. The artifacts returned are what `floe compile` writes
// to disk: defaults filled in, non-secret values resolved, secret fields still `${env:…}`
// references (see sensitive-fields.ts). Use `resolveCompiledArtifacts` to get usable values.
import { parseDocument } from 'yaml';
import { type Env, interpolateTree } from './env-interpolation.ts';
import { ConfigError, type ConfigIssue, scrubIssues } from './errors.ts';
import { ARTIFACTS_VERSION, type CompiledArtifacts, FloeConfigSchema } from './schema/floe-config.ts';
import { inlineSecretIssues, keepsReference, setValueAt } from './sensitive-fields.ts';
import { toConfigIssues } from './zod-issues.ts';

export interface CompileOptions {
  /** File name used in YAML syntax errors. Default `floe.yaml`. */
  readonly sourceName?: string;
}

const MAX_SYNTAX_ERRORS_SHOWN = 3;

function parseYaml(yamlText: string, sourceName: string): Record<string, unknown> {
  const document = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    // Later syntax errors are mostly echoes of the first one: show the first few only.
    const issues = document.errors.slice(0, MAX_SYNTAX_ERRORS_SHOWN).map((error): ConfigIssue => {
      const position = error.linePos?.[0];
      const where = position === undefined ? sourceName : `${sourceName}:${position.line}:${position.col}`;
      return {
        path: where,
        problem: (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, ''),
        fix: error.code === 'DUPLICATE_KEY' ? 'keep one of the duplicated keys' : 'fix the YAML syntax there',
      };
    });
    const more = document.errors.length - issues.length;
    const summary = `${sourceName} is not valid YAML${more > 0 ? ` (first ${issues.length} of ${document.errors.length} errors)` : ''}:`;
    throw new ConfigError('invalid-yaml', summary, issues);
  }
  const tree: unknown = document.toJS();
  if (tree === null || tree === undefined) {
    throw new ConfigError('invalid-yaml', `${sourceName} is empty:`, [
      { path: '(root)', problem: 'holds no settings', fix: 'start from floe.example.yaml' },
    ]);
  }
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    throw new ConfigError('invalid-yaml', `${sourceName} is not a mapping:`, [
      { path: '(root)', problem: 'must be a mapping of sections', fix: 'start from floe.example.yaml' },
    ]);
  }
  return tree as Record<string, unknown>;
}

/** Drops schema issues on fields already reported (an unset variable also fails the schema). */
function withoutDuplicates(
  reported: readonly ConfigIssue[],
  schemaIssues: readonly ConfigIssue[],
): ConfigIssue[] {
  const reportedPaths = new Set(reported.map((issue) => issue.path));
  return schemaIssues.filter((issue) => !reportedPaths.has(issue.path));
}

export function compileConfig(yamlText: string, env: Env, options: CompileOptions = {}): CompiledArtifacts {
  const sourceName = options.sourceName ?? 'floe.yaml';
  const raw = parseYaml(yamlText, sourceName);
  const inline = inlineSecretIssues(raw);
  const interpolated = interpolateTree(raw, env);
  const parsed = FloeConfigSchema.safeParse(interpolated.value, { reportInput: true });
  const early = [...interpolated.issues, ...inline];
  const schemaIssues = parsed.success ? [] : toConfigIssues(parsed.error.issues, FloeConfigSchema);
  const issues = scrubIssues(
    [...early, ...withoutDuplicates(early, schemaIssues)],
    interpolated.resolvedValues,
  );
  if (issues.length > 0 || !parsed.success) {
    const onlyMissingEnv = issues.every((issue) => issue.problem.startsWith('environment variable '));
    throw new ConfigError(
      onlyMissingEnv ? 'missing-env' : 'invalid-config',
      `${sourceName} has ${issues.length} problem${issues.length === 1 ? '' : 's'}:`,
      issues,
    );
  }
  const artifacts: CompiledArtifacts = structuredClone({ version: ARTIFACTS_VERSION, ...parsed.data });
  for (const { path, template } of interpolated.templates) {
    if (keepsReference(path)) {
      setValueAt(artifacts as unknown as Record<string, unknown>, path, template);
    }
  }
  return artifacts;
}
