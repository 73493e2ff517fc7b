#!/usr/bin/env bash
# Installs what the real local stack needs, each piece only when missing, into caches that
# survive between runs. Idempotent; safe to call before every `stack:up`.
#   - redis-server and postgresql from Debian's packages (apt)
#   - MinIO built from source with `go install` at a pinned version (binary cached)
#   - Apache Iceberg's REST catalog server: the runnable iceberg-open-api jar from Maven Central
#     (and a JDK from apt when Java lacks the compiler module its loopback launcher needs)
#   - a Python venv (pinned infra/local/requirements*.txt) with PyIceberg, DuckDB + extensions, Dagster
#   - Spark as a test peer: pyspark in its own venv (infra/local/spark-requirements.txt) and
#     Iceberg's Spark runtime + AWS bundle jars from Maven Central
# Prints the resolved tool paths as KEY=VALUE lines on stdout (progress goes to stderr).
# FLOE_TOOLS picks a subset (default: "redis postgres minio catalog python spark"); the embedded demo
# asks for "redis python-peers" only — no Go, Java or Maven, and a venv with just the readers.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/env.sh"

MINIO_VERSION="${FLOE_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
ICEBERG_REST_VERSION="${FLOE_ICEBERG_REST_VERSION:-1.10.1}"
ICEBERG_SPARK_VERSION="${FLOE_ICEBERG_SPARK_VERSION:-1.10.1}"
log() { echo "install-tools: $*" >&2; }
wants() { case " ${FLOE_TOOLS:-redis postgres minio catalog python spark} " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if wants redis; then
# Redis (Debian package). Debian's post-install may try to start a system service; we never use it.
if ! command -v redis-server >/dev/null 2>&1; then
  log "installing redis-server with apt"
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends redis-server >&2
fi
echo "REDIS_SERVER=$(command -v redis-server)"
fi

if wants postgres; then
# PostgreSQL (Debian package) for the SQL catalog's team database. Only its binaries are used:
# the stack runs its own server on a loopback port (Debian's cluster/service is never touched).
pg_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ ! -x "$(pg_bin_dir)/postgres" ]; then
  log "installing postgresql with apt"
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends postgresql >&2
fi
echo "POSTGRES_BIN=$(pg_bin_dir)"
fi

if wants minio; then
# MinIO, built once per pinned version; Go's module and build caches make rebuilds cheap.
minio_bin="$FLOE_CACHE/bin/minio-$MINIO_VERSION"
if [ ! -x "$minio_bin" ]; then
  log "building MinIO $MINIO_VERSION with go install (a few minutes the first time)"
  tmp_gobin="$(mktemp -d)"
  GOBIN="$tmp_gobin" GOFLAGS=-mod=mod go install "github.com/minio/minio@$MINIO_VERSION" >&2
  mkdir -p "$FLOE_CACHE/bin"
  mv "$tmp_gobin/minio" "$minio_bin"
  rm -rf "$tmp_gobin"
fi
echo "MINIO=$minio_bin"
fi

if wants catalog; then
# Iceberg REST catalog server (fat jar; Main-Class org.apache.iceberg.rest.RESTCatalogServer).
# Maven resolves it into its own local repository (cached across runs) and copies it to our cache,
# so the path never depends on where that repository lives.
jar="$FLOE_CACHE/jars/iceberg-open-api-$ICEBERG_REST_VERSION.jar"
if [ ! -s "$jar" ]; then
  log "fetching org.apache.iceberg:iceberg-open-api:$ICEBERG_REST_VERSION from Maven Central"
  mkdir -p "$FLOE_CACHE/jars"
  mvn -q -B dependency:copy -Dartifact="org.apache.iceberg:iceberg-open-api:$ICEBERG_REST_VERSION" \
    -DoutputDirectory="$FLOE_CACHE/jars" -Dmdep.overWriteReleases=true >&2
fi
[ -s "$jar" ] || { log "Maven did not produce $jar"; exit 1; }
echo "ICEBERG_REST_JAR=$jar"

# The catalog starts through infra/local/catalog/LoopbackRestCatalog.java, run by Java's source
# launcher, which needs the compiler module of a JDK (a bare JRE lacks it).
if ! java --list-modules 2>/dev/null | grep -q '^jdk.compiler@'; then
  log "installing a JDK (openjdk-17-jdk-headless) with apt: the catalog launcher needs jdk.compiler"
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless >&2
fi
fi

# Python venvs keyed by the requirements' hash, so a change of pins builds a fresh one: the full
# one (tests, Dagster), or only the readers (`python-peers`, the embedded demo).
make_venv() {
  local req="$here/infra/local/$1" key venv
  key="$(cat "$here"/infra/local/requirements*.txt "$req" | sha256sum | cut -c1-12)"
  venv="$FLOE_CACHE/venv-$key"
  if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
    log "creating Python venv $venv ($1)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
    touch "$venv/.complete"
  fi
  echo "PYTHON=$venv/bin/python"
}
if wants python; then
  make_venv requirements.txt
elif wants python-peers; then
  make_venv requirements-peers.txt
fi

if wants spark; then
  # Spark peer: pyspark in a venv of its own (keyed by its requirements' hash) and the Iceberg jars
  # Spark loads (`spark.jars`), each fetched once into the cache.
  spark_req="$here/infra/local/spark-requirements.txt"
  spark_key="$(sha256sum "$spark_req" | cut -c1-12)"
  spark_venv="$FLOE_CACHE/spark-venv-$spark_key"
  if [ ! -x "$spark_venv/bin/python" ] || [ ! -f "$spark_venv/.complete" ]; then
    log "creating the Spark peer venv $spark_venv (pyspark, a few minutes the first time)"
    rm -rf "$spark_venv"
    python3 -m venv "$spark_venv"
    "$spark_venv/bin/pip" install -q --disable-pip-version-check -r "$spark_req" >&2
    touch "$spark_venv/.complete"
  fi
  echo "SPARK_PYTHON=$spark_venv/bin/python"
  spark_jars=""
  for artifact in "iceberg-spark-runtime-3.5_2.12" "iceberg-aws-bundle"; do
    spark_jar="$FLOE_CACHE/jars/$artifact-$ICEBERG_SPARK_VERSION.jar"
    if [ ! -s "$spark_jar" ]; then
      log "fetching org.apache.iceberg:$artifact:$ICEBERG_SPARK_VERSION from Maven Central"
      mkdir -p "$FLOE_CACHE/jars"
      mvn -q -B dependency:copy -Dartifact="org.apache.iceberg:$artifact:$ICEBERG_SPARK_VERSION" \
        -DoutputDirectory="$FLOE_CACHE/jars" -Dmdep.overWriteReleases=true >&2
    fi
    [ -s "$spark_jar" ] || { log "Maven did not produce $spark_jar"; exit 1; }
    spark_jars="${spark_jars:+$spark_jars,}$spark_jar"
  done
  echo "SPARK_JARS=$spark_jars"
fi
