#!/usr/bin/env bash
# Screenshot of a floe asset in the Dagster UI, from a freshly materialized quickstart project.
#
#   integrations/dagster/scripts/ui-screenshot.sh [OUT.png] [ASSET PATH, default quickstart/orders]
#
# Needs the local stack (`npm run stack:up`; its venv has dagster-webserver) and Chromium from
# Debian's packages (`apt-get install -y chromium`). It writes the README quickstart's floe.yaml
# and definitions.py (taken from README.md) into a temporary project, starts one writer worker on
# that floe.yaml, materializes the quickstart assets into a temporary DAGSTER_HOME, serves the UI
# with dagster-webserver on a free loopback port and has headless Chromium capture the asset's
# page (row count, snapshot id, table name and column schema are in its latest materialization).
# Everything it started is stopped by pid on exit; the temporary project is removed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
out="$(realpath -m "${1:-ui-screenshot.png}")"
asset="${2:-quickstart/orders}"
cd "$repo"
. scripts/env.sh
python="${FLOE_DAGSTER_PYTHON:-$(node -p 'require("./.stack/env.json").python')}"
chromium="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$chromium" ] || { echo "ui-screenshot: chromium not found: apt-get install -y chromium" >&2; exit 2; }
"$python" -c 'import dagster_webserver' 2>/dev/null \
  || { echo "ui-screenshot: dagster-webserver missing in $python (pinned in infra/local/requirements.txt)" >&2; exit 2; }

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

eval "$(node infra/local/stack.ts env)"
export DAGSTER_HOME="$work/dagster-home"
mkdir -p "$DAGSTER_HOME" "$work/project"
printf 'telemetry:\n  enabled: false\n' >"$DAGSTER_HOME/dagster.yaml"
# Dagster shows a "join the community" dialog once per instance unless this file says it was seen.
mkdir -p "$DAGSTER_HOME/.nux" && printf 'seen: 1\n' >"$DAGSTER_HOME/.nux/nux.yaml"
PYTHONPATH=integrations/dagster "$python" -m tests.support.readme "$work/project"

node apps/writer-worker/src/main.ts --config "$work/project/floe.yaml" >"$work/writer.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do grep -q 'writer worker started' "$work/writer.log" && break; sleep 0.2; done
grep -q 'writer worker started' "$work/writer.log" || { cat "$work/writer.log" >&2; exit 1; }

cd "$work/project"
PYTHONPATH="$repo/integrations/dagster" "$python" -m dagster asset materialize -f definitions.py \
  --select quickstart/orders --partition-range 2024-01-01...2024-01-03 >"$work/materialize.log" 2>&1 \
  || { tail -40 "$work/materialize.log" >&2; exit 1; }
PYTHONPATH="$repo/integrations/dagster" "$python" -m dagster asset materialize -f definitions.py \
  --select quickstart/orders_by_country >>"$work/materialize.log" 2>&1 \
  || { tail -40 "$work/materialize.log" >&2; exit 1; }

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PYTHONPATH="$repo/integrations/dagster" "$python" -m dagster_webserver -h 127.0.0.1 -p "$port" -f definitions.py \
  >"$work/webserver.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$port/server_info" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/server_info" >/dev/null || { tail -40 "$work/webserver.log" >&2; exit 1; }

"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/chromium" --hide-scrollbars --window-size=1400,2000 \
  --virtual-time-budget=30000 --screenshot="$out" "http://127.0.0.1:$port/assets/$asset" \
  >"$work/chromium.log" 2>&1 || { tail -20 "$work/chromium.log" >&2; exit 1; }
echo "ui-screenshot: wrote $out"
