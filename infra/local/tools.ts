// Finds (and, when missing, installs) the programs the stack runs, by calling
// scripts/install-tools.sh, which prints their paths as KEY=VALUE lines.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './state.ts';

export interface StackTools {
  readonly redisServer: string;
  readonly minio: string;
  readonly icebergRestJar: string;
  readonly python: string;
  /** python of the Spark peer's venv (pyspark) */
  readonly sparkPython: string;
  /** Iceberg's Spark runtime and AWS bundle jars, comma-separated (`spark.jars`) */
  readonly sparkJars: string;
}

export function ensureTools(): StackTools {
  const out = execFileSync('bash', [join(repoRoot, 'scripts', 'install-tools.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const values = new Map<string, string>();
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const need = (key: string): string => {
    const value = values.get(key);
    if (!value) throw new Error(`scripts/install-tools.sh did not report ${key}`);
    return value;
  };
  return {
    redisServer: need('REDIS_SERVER'),
    minio: need('MINIO'),
    icebergRestJar: need('ICEBERG_REST_JAR'),
    python: need('PYTHON'),
    sparkPython: need('SPARK_PYTHON'),
    sparkJars: need('SPARK_JARS'),
  };
}
