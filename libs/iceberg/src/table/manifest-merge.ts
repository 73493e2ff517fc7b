// Manifest merging on commit, as Iceberg's table properties define it
// (`commit.manifest-merge.enabled`, `commit.manifest.min-count-to-merge`,
// `commit.manifest.target-size-bytes`). Without it every append adds one manifest and a table
// under continuous ingestion plans scans over thousands of them.
//
// How manifests are binned (the behaviour Java's merging producer has, so tables written by
// either look alike):
//   - manifests are grouped by content (data vs deletes — never mixed) and partition spec;
//   - within a group, ordered newest first, they are packed into bins of at most the target
//     size, filling from the OLDEST end so that the one partly-filled bin is the newest;
//   - a bin of one manifest is kept as it is; the bin holding the group's first (newest)
//     manifest is merged only once it holds `min-count-to-merge` manifests; every other bin is
//     merged into one manifest.
// A merged manifest keeps every live entry: files this snapshot adds stay ADDED (their sequence
// numbers are inherited at commit), everything else becomes EXISTING with its original snapshot
// id, data sequence number and file sequence number. DELETED entries survive only when this
// snapshot deleted them; older tombstones are dropped (the spec only requires the current
// snapshot's deletes). Merged manifests are cached per bin, so a rebase that leaves a bin
// unchanged does not rewrite it.

import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import type { ManifestContent, ManifestFile } from '../manifest/manifest-file.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import type { ManifestWriter } from '../manifest/manifest-writer.ts';

export const MANIFEST_MERGE_ENABLED = 'commit.manifest-merge.enabled';
export const MANIFEST_MIN_MERGE_COUNT = 'commit.manifest.min-count-to-merge';
export const MANIFEST_TARGET_SIZE_BYTES = 'commit.manifest.target-size-bytes';

export interface ManifestMergeSettings {
  readonly enabled: boolean;
  readonly minCountToMerge: number;
  readonly targetSizeBytes: bigint;
}

export const DEFAULT_MANIFEST_MERGE: ManifestMergeSettings = {
  enabled: true,
  minCountToMerge: 100,
  targetSizeBytes: 8n * 1024n * 1024n,
};

function badProperty(key: string, raw: string, expected: string, table: string | undefined): IcebergError {
  const where = table === undefined ? 'the table' : `table ${table}`;
  return new IcebergError(
    'invalid-argument',
    `table property ${key}='${raw}' on ${where} is not ${expected}: fix it with ALTER TABLE … SET TBLPROPERTIES or remove it to use the default`,
    { context: { property: key, value: raw, ...(table === undefined ? {} : { table }) } },
  );
}

/** Reads the merge properties; a malformed value is an error naming the property and the fix. */
export function manifestMergeSettings(
  properties: Readonly<Record<string, string>>,
  table?: string,
): ManifestMergeSettings {
  const enabledRaw = properties[MANIFEST_MERGE_ENABLED];
  let enabled = DEFAULT_MANIFEST_MERGE.enabled;
  if (enabledRaw !== undefined) {
    const lower = enabledRaw.trim().toLowerCase();
    if (lower !== 'true' && lower !== 'false')
      throw badProperty(MANIFEST_MERGE_ENABLED, enabledRaw, 'true or false', table);
    enabled = lower === 'true';
  }
  const countRaw = properties[MANIFEST_MIN_MERGE_COUNT];
  let minCountToMerge = DEFAULT_MANIFEST_MERGE.minCountToMerge;
  if (countRaw !== undefined) {
    const value = Number(countRaw);
    if (!/^\s*-?\d+\s*$/.test(countRaw) || !Number.isSafeInteger(value))
      throw badProperty(MANIFEST_MIN_MERGE_COUNT, countRaw, 'an integer', table);
    minCountToMerge = value;
  }
  const sizeRaw = properties[MANIFEST_TARGET_SIZE_BYTES];
  let targetSizeBytes = DEFAULT_MANIFEST_MERGE.targetSizeBytes;
  if (sizeRaw !== undefined) {
    if (!/^\s*\d+\s*$/.test(sizeRaw) || BigInt(sizeRaw.trim()) <= 0n)
      throw badProperty(MANIFEST_TARGET_SIZE_BYTES, sizeRaw, 'a positive number of bytes', table);
    targetSizeBytes = BigInt(sizeRaw.trim());
  }
  return { enabled, minCountToMerge, targetSizeBytes };
}

/**
 * Packs `items` (newest first) into bins of at most `target` weight, filling from the end (the
 * oldest items) with a look-back of one bin; returns bins in the original order. An item heavier
 * than the target gets a bin of its own.
 */
export function packFromEnd<T>(items: readonly T[], weight: (item: T) => bigint, target: bigint): T[][] {
  const bins: T[][] = [];
  let current: T[] = [];
  let currentWeight = 0n;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as T;
    const w = weight(item);
    if (current.length > 0 && currentWeight + w > target) {
      bins.push(current.reverse());
      current = [];
      currentWeight = 0n;
    }
    current.push(item);
    currentWeight += w;
  }
  if (current.length > 0) bins.push(current.reverse());
  return bins.reverse();
}

/** Writes one manifest of `content` under spec `specId`; the producer owns paths and clean-up. */
export type ManifestSink = (
  specId: number,
  content: ManifestContent,
  fill: (writer: ManifestWriter) => void,
) => Promise<ManifestFile>;

export class ManifestMerger {
  private readonly io: FileIO;
  private readonly snapshotId: bigint;
  private readonly settings: ManifestMergeSettings;
  private readonly merged = new Map<string, ManifestFile>();

  constructor(io: FileIO, snapshotId: bigint, settings: ManifestMergeSettings) {
    this.io = io;
    this.snapshotId = snapshotId;
    this.settings = settings;
  }

  /**
   * Merges `manifests` (this snapshot's new manifests first, then the carried ones) and returns
   * the manifest list for the snapshot, in the same newest-first order.
   */
  async merge(manifests: readonly ManifestFile[], sink: ManifestSink): Promise<ManifestFile[]> {
    if (!this.settings.enabled || manifests.length <= 1) return [...manifests];
    const groups = new Map<string, ManifestFile[]>();
    for (const manifest of manifests) {
      const key = `${manifest.content}/${manifest.partitionSpecId}`;
      const group = groups.get(key) ?? [];
      group.push(manifest);
      groups.set(key, group);
    }
    const out: ManifestFile[] = [];
    for (const group of groups.values()) out.push(...(await this.mergeGroup(group, sink)));
    return out;
  }

  private async mergeGroup(group: readonly ManifestFile[], sink: ManifestSink): Promise<ManifestFile[]> {
    const first = group[0];
    const out: ManifestFile[] = [];
    for (const bin of packFromEnd(group, (m) => m.manifestLength, this.settings.targetSizeBytes)) {
      if (
        bin.length === 1 ||
        (first !== undefined && bin.includes(first) && bin.length < this.settings.minCountToMerge)
      ) {
        out.push(...bin);
        continue;
      }
      out.push(await this.mergeBin(bin, sink));
    }
    return out;
  }

  private async mergeBin(bin: readonly ManifestFile[], sink: ManifestSink): Promise<ManifestFile> {
    const key = bin.map((m) => m.manifestPath).join('\n');
    const cached = this.merged.get(key);
    if (cached !== undefined) return cached;
    const head = bin[0] as ManifestFile;
    const contents = await Promise.all(
      bin.map(async (manifest) => readManifest(await this.io.read(manifest.manifestPath), manifest)),
    );
    const result = await sink(head.partitionSpecId, head.content, (writer) => {
      for (const manifest of contents) {
        for (const entry of manifest.entries) {
          const ours = entry.snapshotId === this.snapshotId;
          if (entry.status === 'deleted') {
            if (ours) writer.delete(entry);
          } else if (entry.status === 'added' && ours) {
            if (entry.sequenceNumber === undefined) writer.add(entry.file);
            else
              writer.add(entry.file, {
                sequenceNumber: entry.sequenceNumber,
                ...(entry.fileSequenceNumber === undefined
                  ? {}
                  : { fileSequenceNumber: entry.fileSequenceNumber }),
              });
          } else {
            writer.existing(entry);
          }
        }
      }
    });
    this.merged.set(key, result);
    return result;
  }
}
