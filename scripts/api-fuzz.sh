#!/usr/bin/env bash
# Fuzzes the self-service API with schemathesis (from PyPI, into a venv in the tool cache)
# against /api/v1/openapi.json of a running server whose store operations are FAKE
# (tests/api/fakeServer.ts): no request may get a 500 or a status the document does not list.
# The creation limit is lifted for this run (tier 1 tests the 429 path) so that the fuzzer
# reaches the logic behind it.
# Usage: bash scripts/api-fuzz.sh [max examples per operation, default 100]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
EXAMPLES="${1:-100}"
CACHE="${WOOSTORE_TOOLS_CACHE:-/var/cache/woostore-tools}"
VENV="$CACHE/schemathesis-venv"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  mkdir -p "$CACHE"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==4.32.5"
fi
NODE_BIN="$(bash scripts/install-node.sh)"
export PATH="$NODE_BIN:$PATH"

OUT="$(mktemp -d)"
node --import tsx tests/api/fakeServer.ts --postgres-port 55438 --operation-ms 20 --rate-limit 1000000 --seed-stores demo-shop,other-shop --backups >"$OUT/server.json" 2>"$OUT/server.log" &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$OUT"' EXIT
for _ in $(seq 1 120); do [ -s "$OUT/server.json" ] && break; sleep 0.5; done
[ -s "$OUT/server.json" ] || { echo "the fake server did not start:"; cat "$OUT/server.log"; exit 1; }
URL="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$OUT/server.json")"
TOKEN="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$OUT/server.json")"

"$VENV/bin/schemathesis" run "$URL/api/v1/openapi.json" \
  --url "$URL" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$EXAMPLES" \
  --phases examples,coverage,fuzzing,stateful \
  --no-color \
  --suppress-health-check all \
  --report junit --report-dir "$OUT/report" \
  --workers 1 \
  --request-timeout 10
