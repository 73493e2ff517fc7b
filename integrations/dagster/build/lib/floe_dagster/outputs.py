"""What an asset may return, as a schema and a stream of record batches.

``pyarrow.Table`` yields its own chunks (no copy), ``pyarrow.RecordBatchReader`` is consumed
batch by batch (never collected, so an output larger than memory can be staged), and a pandas
``DataFrame`` is converted in row slices against one schema inferred from the whole frame, so
the conversion does not hold a second full copy of the frame either.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from floe_dagster.errors import FloeDagsterError

PANDAS_SLICE_ROWS = 65_536


@dataclass(frozen=True)
class ArrowSource:
    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]


def _pandas_frame_type() -> type | None:
    try:
        import pandas
    except ImportError:  # pandas is optional: only needed for DataFrame outputs
        return None
    return pandas.DataFrame


def arrow_source(value: object, where: str) -> ArrowSource:
    if isinstance(value, pa.Table):
        return ArrowSource(value.schema, iter(value.to_batches()))
    if isinstance(value, pa.RecordBatchReader):
        return ArrowSource(value.schema, iter(value))
    if isinstance(value, pa.RecordBatch):
        return ArrowSource(value.schema, iter([value]))
    frame_type = _pandas_frame_type()
    if frame_type is not None and isinstance(value, frame_type):
        schema = pa.Schema.from_pandas(value, preserve_index=False)

        def slices() -> Iterator[pa.RecordBatch]:
            for start in range(0, len(value), PANDAS_SLICE_ROWS):
                chunk = value.iloc[start : start + PANDAS_SLICE_ROWS]
                yield pa.RecordBatch.from_pandas(chunk, schema=schema, preserve_index=False)

        return ArrowSource(schema, slices())
    raise FloeDagsterError(
        "invalid-output",
        f"{where} returned {type(value).__module__}.{type(value).__qualname__}; FloeIcebergIOManager writes "
        "pyarrow.Table, pyarrow.RecordBatchReader or pandas.DataFrame outputs",
        context={"type": type(value).__qualname__},
    )


def arrow_column_kinds(schema: pa.Schema) -> dict[str, str]:
    """Iceberg type names of the columns a partition filter may use, before the table exists."""
    kinds: dict[str, str] = {}
    for field in schema:
        kind = field.type
        if pa.types.is_timestamp(kind):
            kinds[field.name] = "timestamptz" if kind.tz else "timestamp"
        elif pa.types.is_date(kind):
            kinds[field.name] = "date"
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            kinds[field.name] = "string"
        elif pa.types.is_integer(kind):
            kinds[field.name] = "long" if kind.bit_width == 64 else "int"
        else:
            kinds[field.name] = str(kind)
    return kinds
