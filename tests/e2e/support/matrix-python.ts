// The Python half of the interop matrix: snippets run through `runPython` that read a table with
// PyIceberg and with DuckDB's iceberg extension, normalise every value to the JSON form that
// `normalise` in arrow-columns.ts produces, and list PyIceberg's view of each data file
// (partition tuple, metrics, the row ids it holds, and PyIceberg's own transform of those rows).
// Normalisation is driven by the Iceberg type JSON so both readers share it.

/** `norm(type_json, value)`: one Python value (pyarrow, DuckDB or PyIceberg form) → JSON form. */
const NORMALISE_PY = `
import datetime, decimal, json, math, uuid
EPOCH_D = datetime.date(1970, 1, 1)
EPOCH = datetime.datetime(1970, 1, 1)

def kind(t):
    if isinstance(t, dict): return t["type"]
    t = str(t)
    if t.startswith("decimal"): return "decimal"
    if t.startswith("fixed"): return "fixed"
    return t

def scale(t):
    t = str(t)
    return int(t[t.index(",") + 1:-1])

def micros_of(v):
    if isinstance(v, int): return v
    if isinstance(v, datetime.time):
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 1000000 + v.microsecond
    if v.tzinfo is not None: v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    d = v - EPOCH
    return d.days * 86400000000 + d.seconds * 1000000 + d.microseconds

def days_of(v):
    return v if isinstance(v, int) else (v - EPOCH_D).days

def uuid_of(v):
    if isinstance(v, uuid.UUID): return v
    if isinstance(v, (bytes, bytearray)): return uuid.UUID(bytes=bytes(v))
    return uuid.UUID(str(v))

def norm(t, v):
    if v is None: return None
    k = kind(t)
    if k in ("boolean", "string"): return v
    if k == "int": return int(v)
    if k in ("float", "double"):
        v = float(v)
        if math.isnan(v): return "NaN"
        if math.isinf(v): return "inf" if v > 0 else "-inf"
        if v == 0 and math.copysign(1.0, v) < 0: return "-0"
        return v
    if k == "long": return str(int(v))
    if k == "date": return days_of(v)
    if k in ("time", "timestamp", "timestamptz"): return str(micros_of(v))
    if k == "decimal":
        with decimal.localcontext() as ctx:
            ctx.prec = 100
            return format(decimal.Decimal(v).quantize(decimal.Decimal(1).scaleb(-scale(t))), "f")
    if k == "uuid": return str(uuid_of(v))
    if k in ("fixed", "binary"): return bytes(v).hex()
    if k == "struct":
        return {f["name"]: norm(f["type"], v.get(f["name"])) for f in t["fields"]}
    if k == "list": return [norm(t["element"], e) for e in v]
    if k == "map":
        items = v.items() if isinstance(v, dict) else v
        return [[norm(t["key"], a), norm(t["value"], b)] for a, b in items]
    raise ValueError("cannot normalise " + k)

def norm_rows(fields, tbl):
    """Rows of a pyarrow table as lists of normalised values, in schema order, sorted by rid."""
    rows = [[norm(f["type"], r.get(f["name"])) for f in fields] for r in tbl.to_pylist()]
    return sorted(rows, key=lambda r: r[0])
`;

/** Reads the table with PyIceberg's scan; emits the normalised rows. */
export function pyIcebergRowsScript(fieldsJson: string, table: string): string {
  return `
from floe_peers import catalog, emit
${NORMALISE_PY}
fields = json.loads(r'''${fieldsJson}''')
t = catalog().load_table("${table}")
emit(norm_rows(fields, t.scan().to_arrow()))
`;
}

/**
 * Reads the table with DuckDB's iceberg_scan; emits `{rows, errors}`. When the whole projection
 * fails, each column is read on its own so one unsupported type does not hide the others:
 * failing columns appear in `errors` (column → message) and as the text '<error>' in rows.
 */
export function duckDbRowsScript(fieldsJson: string, metadataLocation: string): string {
  return `
from floe_peers import duckdb_connection, emit
${NORMALISE_PY}
fields = json.loads(r'''${fieldsJson}''')
con = duckdb_connection()
loc = "${metadataLocation}"
def read(cols):
    sql = "SELECT " + ", ".join('"' + c + '"' for c in cols) + " FROM iceberg_scan(?) ORDER BY rid"
    return con.execute(sql, [loc]).fetch_arrow_table()
errors = {}
try:
    rows = norm_rows(fields, read([f["name"] for f in fields]))
except Exception:
    columns = {}
    for f in fields[1:]:
        try:
            tbl = read(["rid", f["name"]])
            columns[f["name"]] = [norm(f["type"], v) for v in tbl.column(f["name"]).to_pylist()]
        except Exception as e:
            errors[f["name"]] = str(e).split("\\n")[0][:300]
    rids = read(["rid"]).column("rid").to_pylist()
    rows = [[rid] + [columns[f["name"]][i] if f["name"] in columns else "<error>" for f in fields[1:]]
            for i, rid in enumerate(rids)]
emit({"rows": rows, "errors": errors})
`;
}

/**
 * PyIceberg's plan of the table: per data file its partition tuple (normalised by PyIceberg's
 * result type; also as fastavro decodes it from the manifest), PyIceberg's own transform of the file's rows (distinct values per field), the
 * row ids in the file, record count and value/null/NaN counts by field id.
 */
export function pyIcebergFilesScript(table: string): string {
  return `
from floe_peers import catalog, emit
import pyarrow.parquet as pq
from pyiceberg.types import DateType, TimeType, TimestampType, TimestamptzType, UUIDType
${NORMALISE_PY}
def internal(source_type, v):
    """pyarrow's Python value → PyIceberg's internal representation, which transforms take."""
    if v is None: return None
    if isinstance(source_type, DateType): return days_of(v)
    if isinstance(source_type, (TimeType, TimestampType, TimestamptzType)): return micros_of(v)
    if isinstance(source_type, UUIDType): return uuid_of(v)
    return v
t = catalog().load_table("${table}")
schema, spec = t.schema(), t.spec()
# The same partition tuples decoded by fastavro, a second Avro reader (see DOUBLE note below).
import fastavro, io
raw = {}
for m in t.current_snapshot().manifests(t.io):
    for rec in fastavro.reader(io.BytesIO(t.io.new_input(m.manifest_path).open().read())):
        raw[rec["data_file"]["file_path"]] = rec["data_file"]["partition"]
out = []
for task in t.scan().plan_files():
    f = task.file
    data = pq.read_table(t.io.new_input(f.file_path).open())
    rows = data.to_pylist()
    partition, computed, fast = [], [], []
    for i, pf in enumerate(spec.fields):
        source = schema.find_field(pf.source_id)
        result = pf.transform.result_type(source.field_type)
        partition.append(norm(result, f.partition[i]))
        fast.append(norm(result, raw[f.file_path][pf.name]))
        fn = pf.transform.transform(source.field_type)
        values = {json.dumps(norm(result, fn(internal(source.field_type, r[source.name])))) for r in rows}
        computed.append(sorted(json.loads(v) for v in values) if len(values) > 1 else json.loads(values.pop()))
    out.append({
        "path": f.file_path, "partition": partition, "fastavroPartition": fast, "pyTransform": computed,
        "rids": sorted(r["rid"] for r in rows), "recordCount": f.record_count,
        "valueCounts": {str(k): v for k, v in (f.value_counts or {}).items()},
        "nullCounts": {str(k): v for k, v in (f.null_value_counts or {}).items()},
        "nanCounts": {str(k): v for k, v in (f.nan_value_counts or {}).items()},
    })
emit(sorted(out, key=lambda o: o["rids"][0]))
`;
}
