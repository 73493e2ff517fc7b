"""Spark as an interop peer: ONE warm SparkSession (local[1]) with Iceberg's runtime, configured
for the stack's REST catalog (catalog name `floe`) and MinIO, serving snippets over pipes.

Protocol: each request is one JSON line on stdin, {"code": "..."}; the snippet runs with fresh
globals holding `spark` and `emit`, and the answer is one JSON line on file descriptor 3:
{"ok": true, "value": ...} or {"ok": false, "error": "..."}. Started by tests/support/spark.ts,
one process per test file (a Spark JVM start costs tens of seconds on a shared machine).
"""

import json
import os
import sys
import traceback

from pyspark.sql import SparkSession


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: start this through tests/support/spark.ts")
    return value


def session() -> SparkSession:
    prefix = "spark.sql.catalog.floe"
    builder = (
        SparkSession.builder.master("local[1]")
        .appName("floe-spark-peer")
        .config("spark.jars", env("FLOE_SPARK_JARS"))
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config(prefix, "org.apache.iceberg.spark.SparkCatalog")
        .config(f"{prefix}.type", "rest")
        .config(f"{prefix}.uri", env("FLOE_CATALOG_URI"))
        # floe commits between Spark's statements: always read the table's current metadata.
        .config(f"{prefix}.cache-enabled", "false")
        .config(f"{prefix}.warehouse", env("FLOE_CATALOG_WAREHOUSE"))
        .config(f"{prefix}.io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
        .config(f"{prefix}.s3.endpoint", env("FLOE_S3_ENDPOINT"))
        .config(f"{prefix}.s3.path-style-access", "true")
        .config(f"{prefix}.s3.access-key-id", env("FLOE_S3_ACCESS_KEY_ID"))
        .config(f"{prefix}.s3.secret-access-key", env("FLOE_S3_SECRET_ACCESS_KEY"))
        .config(f"{prefix}.client.region", env("FLOE_S3_REGION"))
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def main() -> None:
    answers = os.fdopen(3, "w")
    spark = session()
    answers.write(json.dumps({"ok": True, "value": "ready"}) + "\n")
    answers.flush()
    for line in sys.stdin:
        result: dict = {}

        def emit(value: object, result: dict = result) -> None:
            result["value"] = value

        try:
            exec(json.loads(line)["code"], {"spark": spark, "emit": emit})
            answer = {"ok": True, "value": result.get("value")}
        except Exception:
            answer = {"ok": False, "error": traceback.format_exc()[-4000:]}
        answers.write(json.dumps(answer, default=str) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
