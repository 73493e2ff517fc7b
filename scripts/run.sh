#!/usr/bin/env bash
# The launcher every npm script goes through (`npm run demo` → `bash scripts/run.sh node scripts/demo.ts`),
# so a fresh clone needs nothing typed first, whatever `node` is on PATH:
#   1. Node 24 first on PATH (scripts/env.sh installs it into ~/.cache/floe when the machine's is older);
#   2. `npm ci` when node_modules is missing or older than package-lock.json;
#   3. exec the real command with that Node.
# Tools and services (Redis, PostgreSQL, the venv, …) are brought by the commands that need them
# (`stack:up`, the demo, `npm test`), through scripts/install-tools.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/env.sh"

installed="$root/node_modules/.package-lock.json"
if [ ! -f "$installed" ] || [ "$root/package-lock.json" -nt "$installed" ]; then
  echo "floe: installing node_modules (npm ci) with Node $(node --version)" >&2
  (cd "$root" && npm ci --no-audit --no-fund >&2)
fi

cd "$root"
exec "$@"
