// The orphan-file cleanup against the real stack: PyIceberg writes a table (appends and an
// overwrite, so the bucket holds files of several snapshots) through the REST catalog; we add
// an old unreferenced file, wait, add a young one, and put a file in the neighbouring table `t1x`
// whose name starts like ours. With a threshold that falls between the two uploads (MinIO's
// LastModified decides the age), exactly the old orphan goes; the young one, the neighbour's
// file and every file the metadata references stay, and PyIceberg still reads every snapshot.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadStackEnv, runPython, stackS3Properties } from '@floe/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { fileIOFor } from '../io/resolve-file-io.ts';
import { parseTableMetadata } from '../metadata/wire.ts';
import { parseJson } from '../util/json.ts';
import { deleteOrphanFiles } from './orphan-files.ts';

const stack = loadStackEnv();
const namespace = `orphans_${randomUUID().slice(0, 8)}`;
const io = fileIOFor('s3://x/y', stackS3Properties(stack));

interface Written {
  readonly location: string;
  readonly metadataLocation: string;
  readonly neighbourLocation: string;
}

interface Readback {
  readonly rowsBySnapshot: number[];
  readonly current: number;
}

const WRITE = `
import json, pyarrow as pa
from pyiceberg.expressions import EqualTo
from floe_peers import catalog
cat = catalog()
cat.create_namespace("${namespace}")
schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("region", pa.string())])
t = cat.create_table("${namespace}.t1", schema=schema)
t.append(pa.table({"id": [1, 2, 3], "region": ["eu", "us", "eu"]}, schema=schema))
t.append(pa.table({"id": [4, 5], "region": ["us", "ap"]}, schema=schema))
t.overwrite(pa.table({"id": [6], "region": ["eu"]}, schema=schema), overwrite_filter=EqualTo("region", "eu"))
n = cat.create_table("${namespace}.t1x", schema=schema)
t = cat.load_table("${namespace}.t1")
print(json.dumps({"location": t.location(), "metadataLocation": t.metadata_location, "neighbourLocation": n.location()}))
`;

const READ = `
import json
from floe_peers import catalog
t = catalog().load_table("${namespace}.t1")
rows = [t.scan(snapshot_id=s.snapshot_id).to_arrow().num_rows for s in t.metadata.snapshots]
print(json.dumps({"rowsBySnapshot": rows, "current": t.scan().to_arrow().num_rows}))
`;

async function listed(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of io.list(prefix)) out.push(info.location);
  return out.sort();
}

afterAll(async () => {
  await runPython(`
from floe_peers import catalog
cat = catalog()
for name in ("t1", "t1x"):
    cat.purge_table("${namespace}." + name)
cat.drop_namespace("${namespace}")
print("null")
`).catch(() => undefined);
});

describe('deleteOrphanFiles on the real stack', () => {
  it('deletes the old orphan only; young, neighbouring and referenced files stay', async () => {
    const written = await runPython<Written>(WRITE);
    const before = await runPython<Readback>(READ);
    const oldOrphan = `${written.location}/data/region=eu/00000-orphan-old.parquet`;
    const youngOrphan = `${written.location}/data/00000-orphan-young.parquet`;
    const neighbours = `${written.neighbourLocation}/data/neighbour.parquet`;
    await io.write(oldOrphan, new TextEncoder().encode('left behind by a crashed writer'));
    await io.write(neighbours, new TextEncoder().encode('belongs to t1x'));
    await sleep(1500);
    const cutoffMs = Date.now();
    await sleep(1500);
    await io.write(youngOrphan, new TextEncoder().encode('a commit in flight'));
    const listedBefore = await listed(`${written.location}/`);

    const metadata = parseTableMetadata(
      parseJson(new TextDecoder().decode(await io.read(written.metadataLocation))),
    );
    const nowMs = Date.now();
    const options = {
      io,
      metadata,
      metadataLocation: written.metadataLocation,
      nowMs,
      olderThanMs: nowMs - cutoffMs,
    };
    const dry = await deleteOrphanFiles({ ...options, dryRun: true });
    expect(dry.orphans.map((f) => f.location)).toEqual([oldOrphan]);
    expect(await listed(`${written.location}/`)).toEqual(listedBefore);

    const report = await deleteOrphanFiles(options);
    expect(report).toMatchObject({ filesDeleted: 1, youngFilesKept: 1, failedDeletes: [] });
    expect(report.bytesDeleted).toBe('left behind by a crashed writer'.length);
    expect(await listed(`${written.location}/`)).toEqual(listedBefore.filter((l) => l !== oldOrphan));
    expect(await io.exists(neighbours)).toBe(true);
    expect(await io.exists(youngOrphan)).toBe(true);
    // Every referenced file survived: PyIceberg reads every snapshot as before.
    expect(await runPython<Readback>(READ)).toEqual(before);
    expect(before.rowsBySnapshot.length).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
