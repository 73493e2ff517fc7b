"""Regenerates the PyIceberg-written golden metadata files in this folder.

Creates throw-away tables through the local stack's REST catalog with PyIceberg (format
versions 1 and 2, several schemas and specs, tags and branches, snapshots carrying floe's
commit marker), copies each table's current metadata JSON here as pyiceberg-*.json, then
drops the tables. Run with the stack up (endpoints are read from .stack/env.json):

    cd /work/main && $(node -p "require('./.stack/env.json').python") \
      libs/iceberg/testdata/table-metadata/generate_pyiceberg.py

Table names and ids change on every run; the unit tests assert structure, not ids.
"""
import json
import os
import sys
import uuid
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))


def load_stack_env() -> None:
    with open(os.path.join(REPO, ".stack", "env.json"), encoding="utf-8") as f:
        stack = json.load(f)
    mapping = {
        "FLOE_S3_ENDPOINT": "s3Endpoint",
        "FLOE_S3_REGION": "s3Region",
        "FLOE_S3_ACCESS_KEY_ID": "s3AccessKeyId",
        "FLOE_S3_SECRET_ACCESS_KEY": "s3SecretAccessKey",
        "FLOE_CATALOG_URI": "catalogUri",
        "FLOE_CATALOG_WAREHOUSE": "catalogWarehouse",
    }
    for var, key in mapping.items():
        os.environ.setdefault(var, str(stack[key]))
    sys.path.insert(0, os.path.join(REPO, "tests", "support", "py"))


def main() -> None:
    load_stack_env()
    import pyarrow as pa
    from floe_peers import catalog
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.table.sorting import SortField, SortOrder
    from pyiceberg.transforms import BucketTransform, IdentityTransform
    from pyiceberg.types import LongType, NestedField, StringType, TimestamptzType

    cat = catalog()
    namespace = f"golden_{uuid.uuid4().hex[:8]}"
    cat.create_namespace(namespace)
    schema = Schema(
        NestedField(1, "event_id", LongType(), required=True),
        NestedField(2, "ts", TimestamptzType(), required=False),
        NestedField(3, "payload", StringType(), required=False),
        identifier_field_ids=[1],
    )
    spec = PartitionSpec(PartitionField(source_id=3, field_id=1000, transform=IdentityTransform(), name="payload"))
    order = SortOrder(SortField(source_id=1, transform=IdentityTransform()))

    def batch(ids):
        return pa.table(
            {
                "event_id": pa.array(ids, pa.int64()),
                "ts": pa.array([datetime(2024, 11, 18, i % 24, tzinfo=timezone.utc) for i in ids], pa.timestamp("us", "UTC")),
                "payload": pa.array([f"p{i}" for i in ids], pa.string()),
            },
            schema=pa.schema(
                [
                    pa.field("event_id", pa.int64(), nullable=False),
                    pa.field("ts", pa.timestamp("us", "UTC")),
                    pa.field("payload", pa.string()),
                ]
            ),
        )

    written = []
    try:
        for version in (1, 2):
            name = f"{namespace}.events_v{version}"
            table = cat.create_table(
                name,
                schema=schema,
                partition_spec=spec,
                sort_order=order,
                properties={"format-version": str(version), "owner": "floe-golden"},
            )
            table.append(batch([1, 2, 3]), snapshot_properties={"floe.job-ids": "job-1,job-2", "floe.commit-id": "c-1"})
            table.append(batch([4, 5]), snapshot_properties={"floe.job-ids": "job-3", "floe.commit-id": "c-2"})
            with table.update_schema() as update:
                update.add_column("region", StringType())
            with table.update_spec() as update:
                update.add_field("event_id", BucketTransform(8), "event_id_bucket")
            table = cat.load_table(name)
            first = table.metadata.snapshots[0].snapshot_id
            table.manage_snapshots().create_tag(first, "first-load").create_branch(first, "audit").commit()
            table = cat.load_table(name)
            text = table.io.new_input(table.metadata_location).open().read().decode("utf-8")
            target = os.path.join(HERE, f"pyiceberg-v{version}.json")
            with open(target, "w", encoding="utf-8") as f:
                f.write(json.dumps(json.loads(text), indent=2) + "\n")
            written.append(target)
            cat.drop_table(name)
    finally:
        for ident in cat.list_tables(namespace):
            cat.drop_table(ident)
        cat.drop_namespace(namespace)
    print("\n".join(written))


if __name__ == "__main__":
    main()
