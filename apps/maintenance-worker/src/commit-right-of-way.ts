// Right of way for a maintenance commit (@floe/jobs commit-coordination.ts). A compaction or a
// manifest rewrite on a table that writers append to several times a second keeps losing the
// optimistic race: each of its attempts takes longer than the gap between two appends. Before
// each commit attempt the maintenance worker sets the table's right-of-way key (PX, renewed on
// every attempt); the writer holding the table's commit lease then holds its next commit back
// until the key is gone, so the attempt after at most one conflict lands. The key is removed as
// soon as the action is done, and expires by itself should this process die. Writers without
// the commit lease, and Redis trouble, only cost the advantage — never correctness.
import { type CatalogCommitter, formatTable, type TableIdentifier } from '@floe/iceberg';
import {
  catalogScopeOf,
  commitCoordinationBase,
  MAINTENANCE_RIGHT_OF_WAY_TTL_MS,
  maintenanceRightOfWayKey,
} from '@floe/jobs';
import type { Redis } from 'ioredis';

const RELEASE_IF_OURS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface RightOfWay {
  /** `inner`, asking for right of way before each commit attempt on the table. */
  readonly committer: CatalogCommitter;
  /** Gives the table back to the writers (idempotent; never throws). */
  release(): Promise<void>;
}

export class CommitRightOfWay {
  readonly #redis: Redis;
  readonly #base: string;
  readonly #token: string;

  constructor(options: {
    readonly redis: Redis;
    readonly queuePrefix: string;
    readonly catalog: { readonly uri?: string; readonly warehouse?: string };
    readonly token: string;
  }) {
    this.#redis = options.redis;
    this.#base = commitCoordinationBase(options.queuePrefix, catalogScopeOf(options.catalog));
    this.#token = options.token;
  }

  keyOf(table: TableIdentifier): string {
    return maintenanceRightOfWayKey(this.#base, formatTable(table));
  }

  /** A committer for one action on `table`; call `release` when the action is over. */
  forTable(inner: CatalogCommitter, table: TableIdentifier): RightOfWay {
    const key = this.keyOf(table);
    let asked = false;
    return {
      committer: {
        loadTable: (identifier) => inner.loadTable(identifier),
        commitTable: async (identifier, requirements, updates) => {
          try {
            await this.#redis.set(key, this.#token, 'PX', MAINTENANCE_RIGHT_OF_WAY_TTL_MS);
            asked = true;
          } catch {
            // Without Redis the commit still runs; it only races the writers as before.
          }
          return inner.commitTable(identifier, requirements, updates);
        },
      },
      release: async () => {
        if (!asked) return;
        await this.#redis.eval(RELEASE_IF_OURS, 1, key, this.#token).catch(() => undefined);
      },
    };
  }
}
