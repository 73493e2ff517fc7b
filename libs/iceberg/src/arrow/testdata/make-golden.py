# Regenerates pyarrow-golden.arrow: an Arrow IPC file written by pyarrow with one column per
# Arrow type that floe must read (run with the stack's Python: `python make-golden.py`).
import datetime as dt
import decimal
import pyarrow as pa

def fid(i):
    return {b"PARQUET:field_id": str(i).encode()}

rows = 3
cols = {
    "b": (pa.array([True, None, False], pa.bool_()), 1),
    "i8": (pa.array([-128, None, 127], pa.int8()), 2),
    "i32": (pa.array([-(2**31), None, 2**31 - 1], pa.int32()), 3),
    "i64": (pa.array([-(2**63), None, 2**63 - 1], pa.int64()), 4),
    "u32": (pa.array([0, None, 2**32 - 1], pa.uint32()), 5),
    "f32": (pa.array([1.5, None, -0.25], pa.float32()), 6),
    "f64": (pa.array([1e300, None, -2.5], pa.float64()), 7),
    "dec": (pa.array([decimal.Decimal("-12345678901234567890.12"), None, decimal.Decimal("0.05")], pa.decimal128(38, 2)), 8),
    "d32": (pa.array([dt.date(1969, 12, 31), None, dt.date(2024, 1, 2)], pa.date32()), 9),
    "d64": (pa.array([dt.date(1969, 12, 31), None, dt.date(2024, 1, 2)], pa.date64()), 10),
    "t32ms": (pa.array([dt.time(22, 31, 8, 123000), None, dt.time(0, 0)], pa.time32("ms")), 11),
    "t64us": (pa.array([dt.time(22, 31, 8, 123456), None, dt.time(0, 0)], pa.time64("us")), 12),
    "ts_s": (pa.array([-1, None, 1510871468], pa.timestamp("s")), 13),
    "ts_ms": (pa.array([-1, None, 1510871468123], pa.timestamp("ms")), 14),
    "ts_us": (pa.array([-1, None, 1510871468123456], pa.timestamp("us")), 15),
    "ts_ns": (pa.array([-1, None, 1510871468123456789], pa.timestamp("ns")), 16),
    "tstz_us": (pa.array([-1, None, 1510871468123456], pa.timestamp("us", tz="UTC")), 17),
    "tstz_ns": (pa.array([-1, None, 1510871468123456789], pa.timestamp("ns", tz="America/New_York")), 18),
    "s": (pa.array(["iceberg", None, "ü😀"], pa.string()), 19),
    "ls": (pa.array(["a", None, ""], pa.large_string()), 20),
    "bin": (pa.array([b"\x00\x01", None, b""], pa.binary()), 21),
    "lbin": (pa.array([b"\xff", None, b"x"], pa.large_binary()), 22),
    "fixed": (pa.array([bytes.fromhex("f79c3e09677c4bbda4793f349cb785e7"), None, bytes(16)], pa.binary(16)), 23),
    "dict": (pa.array(["x", None, "x"]).dictionary_encode(), 24),
}
fields = [pa.field(name, arr.type, True, fid(i)) for name, (arr, i) in cols.items()]
arrays = [arr for arr, _ in cols.values()]

point_t = pa.struct([pa.field("x", pa.float64(), False, fid(31)), pa.field("y", pa.int32(), True, fid(32))])
fields.append(pa.field("point", point_t, True, fid(25)))
arrays.append(pa.array([{"x": 1.0, "y": 2}, None, {"x": -1.0, "y": None}], point_t))

list_t = pa.list_(pa.field("element", pa.int64(), True, fid(33)))
fields.append(pa.field("nums", list_t, True, fid(26)))
arrays.append(pa.array([[1, None, 3], None, []], list_t))

map_t = pa.map_(pa.field("key", pa.string(), False, fid(34)), pa.field("value", pa.int32(), True, fid(35)))
fields.append(pa.field("attrs", map_t, True, fid(27)))
arrays.append(pa.array([[("a", 1), ("b", None)], None, []], map_t))

table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
with pa.OSFile("pyarrow-golden.arrow", "wb") as sink:
    with pa.ipc.new_file(sink, table.schema) as writer:
        # Two record batches so readers must cross chunk boundaries.
        for batch in table.to_batches(max_chunksize=2):
            writer.write_batch(batch)
print(table.schema)
