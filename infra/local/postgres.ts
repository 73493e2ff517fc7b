// PostgreSQL in the local stack: the team database of floe's SQL catalog (and of PyIceberg's
// SqlCatalog in the interop tests). Debian's server binaries run a private cluster under
// `.stack/postgres` on a free loopback port — TCP on 127.0.0.1 only, no Unix socket, trust auth
// for the `floe` role (nothing but this machine can reach it), fsync off (test data). PostgreSQL
// refuses to run as root, and CI runs as root: then the cluster belongs to the `postgres` OS user
// the Debian package creates, and the server is started through `runuser`.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort, startDetached, waitUntil } from './processes.ts';
import { ensureDir, type ServiceState } from './state.ts';
import type { StackTools } from './tools.ts';

const ROLE = 'floe';
const DATABASE = 'postgres';
const OS_USER = 'postgres';

/** The catalog database URL for a running stack server. */
export function postgresUri(port: number): string {
  return `postgresql://${ROLE}@127.0.0.1:${port}/${DATABASE}`;
}

function asServerUser(command: string, args: readonly string[]): { command: string; args: string[] } {
  if (process.getuid?.() !== 0) return { command, args: [...args] };
  return { command: 'runuser', args: ['-u', OS_USER, '--', command, ...args] };
}

export async function startPostgres(tools: StackTools, dir: string): Promise<ServiceState> {
  const root = ensureDir(join(dir, 'postgres'));
  const data = join(root, 'data');
  const logFile = join(ensureDir(join(dir, 'logs')), 'postgres.log');
  if (process.getuid?.() === 0) {
    letServerUserReach(dir);
    execFileSync('chown', ['-R', `${OS_USER}:`, root]);
  }
  if (!existsSync(join(data, 'PG_VERSION'))) {
    const initdb = asServerUser(join(tools.postgresBin, 'initdb'), [
      '-D',
      data,
      '-U',
      ROLE,
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-instructions',
    ]);
    execFileSync(initdb.command, initdb.args, { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const port = await freePort();
  const server = asServerUser(join(tools.postgresBin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'fsync=off',
    '-c',
    'full_page_writes=off',
  ]);
  const pid = startDetached({ command: server.command, args: server.args, logFile });
  const state = { pid, port, logFile };
  await waitUntil('postgres', () => postgresHealthy(tools, state), 60_000, logFile);
  return state;
}

/**
 * The server user must be able to walk down to the stack dir. A private stack dir (mkdtemp makes
 * them 0700) gets the traverse bit for others — not read — and an unreachable parent is an error
 * saying what to do.
 */
function letServerUserReach(dir: string): void {
  const mode = statSync(dir).mode;
  if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
  for (let parent = dirname(dir); parent !== dirname(parent); parent = dirname(parent)) {
    if ((statSync(parent).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the ${OS_USER} user, who cannot reach ${dir}: run chmod o+x ${parent}, or set FLOE_STACK_DIR to a folder it can reach`,
      );
    }
  }
}

export async function postgresHealthy(tools: StackTools | undefined, state: ServiceState): Promise<boolean> {
  const isready = tools === undefined ? 'pg_isready' : join(tools.postgresBin, 'pg_isready');
  try {
    execFileSync(isready, ['-q', '-h', '127.0.0.1', '-p', String(state.port), '-U', ROLE, '-d', DATABASE], {
      stdio: 'ignore',
      timeout: 5_000,
    });
    return true;
  } catch {
    return false;
  }
}
