"""A real floe write fleet on the local stack for the IOManager tests.

Writes a floe.yaml for the stack (``.stack/env.json``; S3 keys as ``${env:…}`` references, as
tests/support/stack-floe-yaml.ts does — or, with ``Embedded``, the SQL catalog on a SQLite file
with warehouse and staging in local folders, as ``npm run demo`` runs floe) with its own queue
names so no other test's workers take these jobs, compiles it with ``node apps/cli/src/main.ts
compile`` (the real compiler, which also checks that the catalog, Redis and the staging area
answer), and starts ``node apps/writer-worker/src/main.ts --config …`` processes. Every process
started here is stopped by its own pid (SIGTERM, then SIGKILL after a deadline), also when a
test fails.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]
ACCESS_KEY_ENV = "FLOE_DAGSTER_TEST_S3_ACCESS_KEY_ID"
SECRET_KEY_ENV = "FLOE_DAGSTER_TEST_S3_SECRET_ACCESS_KEY"


def stack_env() -> dict[str, str]:
    path = Path(os.environ.get("FLOE_STACK_ENV", REPO_ROOT / ".stack" / "env.json"))
    if not path.exists():
        raise RuntimeError(f"the local stack is not running (no {path}): start it with `npm run stack:up`")
    loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def node_binary() -> str:
    node = os.environ.get("FLOE_NODE") or shutil.which("node")
    if node is None:
        raise RuntimeError("node (Node 24) must be on PATH or in FLOE_NODE: run `. scripts/env.sh` first")
    return node


@dataclass(frozen=True)
class Embedded:
    """floe on one machine: a SQLite catalog, a filesystem warehouse and a local staging folder
    (all ``file:///`` URIs or paths under one folder), no object store."""

    folder: Path

    @property
    def catalog_uri(self) -> str:
        return f"sqlite:///{self.folder / 'catalog.db'}"

    @property
    def warehouse(self) -> str:
        return (self.folder / "warehouse").as_uri()

    @property
    def staging(self) -> str:
        return (self.folder / "staging").as_uri()


def floe_yaml(stack: dict[str, str], run: str, embedded: Embedded | None = None) -> str:
    if embedded is not None:
        sections = f"""catalog:
  type: sql
  uri: {embedded.catalog_uri}
  warehouse: {embedded.warehouse}
storage:
  staging:
    location: {embedded.staging}
    prefix: dagster-{run}/
"""
    else:
        sections = f"""catalog:
  type: rest
  uri: {stack["catalogUri"]}
  warehouse: {stack["catalogWarehouse"]}
storage:
  endpoint: {stack["s3Endpoint"]}
  region: {stack["s3Region"]}
  path_style: true
  access_key_id: ${{env:{ACCESS_KEY_ENV}}}
  secret_access_key: ${{env:{SECRET_KEY_ENV}}}
  staging:
    bucket: {stack["stagingBucket"]}
    prefix: dagster-{run}/
"""
    return f"""{sections}queue:
  redis_url: {stack["redisUrl"]}
  prefix: floe-dagster-test
  write_queue: dagster-write-{run}
  maintenance_queue: dagster-maint-{run}
writer:
  concurrency: 4
  commit_linger_ms: 50
  shutdown_deadline_ms: 10000
  lock_duration_ms: 10000
  stalled_interval_ms: 5000
  metrics_port: 0
"""


@dataclass
class Fleet:
    """A compiled config and the worker processes on its queue."""

    run: str
    dir: Path
    config: Path
    artifacts: Path
    env: dict[str, str]
    stack: dict[str, str]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def start_worker(self, timeout_seconds: float = 90.0) -> subprocess.Popen[bytes]:
        log = self.dir / f"worker-{len(self.logs)}.log"
        handle = log.open("wb")
        process = subprocess.Popen(
            [node_binary(), "apps/writer-worker/src/main.ts", "--config", str(self.config)],
            cwd=REPO_ROOT,
            env={**os.environ, **self.env},
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        handle.close()
        self.workers.append(process)
        self.logs.append(log)
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if "writer worker started" in log.read_text(encoding="utf-8", errors="replace"):
                return process
            if process.poll() is not None:
                raise RuntimeError(f"writer exited ({process.returncode}) before starting:\n{log.read_text()[-4000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"writer did not start within {timeout_seconds} s:\n{log.read_text()[-4000:]}")

    def stop_workers(self, deadline_seconds: float = 30.0) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(timeout=deadline_seconds)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.workers.clear()


def create_fleet(base_dir: Path, name: str, embedded: Embedded | None = None) -> Fleet:
    stack = stack_env()
    run = f"{name}-{uuid.uuid4().hex[:8]}"
    base_dir.mkdir(parents=True, exist_ok=True)
    config = base_dir / "floe.yaml"
    artifacts = base_dir / "floe.compiled.json"
    config.write_text(floe_yaml(stack, run, embedded), encoding="utf-8")
    env = {ACCESS_KEY_ENV: stack["s3AccessKeyId"], SECRET_KEY_ENV: stack["s3SecretAccessKey"]}
    result = subprocess.run(
        [node_binary(), "apps/cli/src/main.ts", "compile", "--config", str(config), "--out", str(artifacts)],
        cwd=REPO_ROOT,
        env={**os.environ, **env, "NODE_NO_WARNINGS": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"floe compile failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return Fleet(run, base_dir, config, artifacts, env, stack)
