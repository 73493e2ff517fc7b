"""Child process for the memory test: stages a generated reader of N MiB, prints peak RSS.

Run as ``python -m tests.support.stage_memory <artifacts> <MiB> <part MiB>``; prints one JSON
line ``{"peak_rss_kib": …, "parts": …, "rows": …}`` and deletes what it staged. The reader
generates its batches lazily, so only the stager can make memory grow with the output.
"""

import json
import resource
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import numpy as np
import pyarrow as pa
from floe_dagster import load_artifacts
from floe_dagster.fleet_queue import JobOptions
from floe_dagster.fleet_writer import FleetWriter, StagingLimits

ROWS_PER_BATCH = 65_536  # two 8-byte columns: 1 MiB per batch


def generated(total_mib: int) -> pa.RecordBatchReader:
    schema = pa.schema([("id", pa.int64()), ("value", pa.float64())])

    def batches() -> Iterator[pa.RecordBatch]:
        for index in range(total_mib):
            ids = np.arange(index * ROWS_PER_BATCH, (index + 1) * ROWS_PER_BATCH, dtype=np.int64)
            yield pa.record_batch([pa.array(ids), pa.array(ids.astype(np.float64) * 0.5)], schema=schema)

    return pa.RecordBatchReader.from_batches(schema, batches())


def main() -> None:
    artifacts_path, total_mib, part_mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    limits = StagingLimits(part_bytes=part_mib * 1024 * 1024, part_rows=10**9)
    writer = FleetWriter(load_artifacts(artifacts_path), limits, 1.0, JobOptions())
    stager = writer._stager()
    reader = generated(total_mib)
    parts = stager.stage(reader.schema, iter(reader), f"memory-test-{uuid.uuid4().hex}", datetime.now(timezone.utc))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stager.delete(parts)
    print(json.dumps({"peak_rss_kib": peak, "parts": len(parts), "rows": sum(p.rows for p in parts)}))


if __name__ == "__main__":
    main()
