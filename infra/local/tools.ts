// Finds (and, when missing, installs) the programs the stack runs, by calling
// scripts/install-tools.sh, which prints their paths as KEY=VALUE lines.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './state.ts';

export interface StackTools {
  readonly redisServer: string;
  /** Folder of PostgreSQL's server binaries (initdb, postgres). */
  readonly postgresBin: string;
  readonly minio: string;
  readonly icebergRestJar: string;
  readonly python: string;
  /** python of the Spark peer's venv (pyspark) */
  readonly sparkPython: string;
  /** Iceberg's Spark runtime and AWS bundle jars, comma-separated (`spark.jars`) */
  readonly sparkJars: string;
}

/** Tools of `FLOE_TOOLS` names (`redis postgres minio catalog python spark`, or `python-peers` for
 * the readers-only venv); the rest stay ''. */
export function ensureTools(
  wanted: readonly string[] = ['redis', 'postgres', 'minio', 'catalog', 'python', 'spark'],
): StackTools {
  const out = execFileSync('bash', [join(repoRoot, 'scripts', 'install-tools.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FLOE_TOOLS: wanted.join(' ') },
  });
  const values = new Map<string, string>();
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const need = (key: string, tool: string): string => {
    if (!wanted.includes(tool)) return '';
    const value = values.get(key);
    if (!value) throw new Error(`scripts/install-tools.sh did not report ${key}`);
    return value;
  };
  return {
    redisServer: need('REDIS_SERVER', 'redis'),
    postgresBin: need('POSTGRES_BIN', 'postgres'),
    minio: need('MINIO', 'minio'),
    icebergRestJar: need('ICEBERG_REST_JAR', 'catalog'),
    python: wanted.includes('python-peers') ? need('PYTHON', 'python-peers') : need('PYTHON', 'python'),
    sparkPython: need('SPARK_PYTHON', 'spark'),
    sparkJars: need('SPARK_JARS', 'spark'),
  };
}
