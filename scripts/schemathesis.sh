#!/usr/bin/env bash
# Schema-driven API testing: schemathesis (PyPI) generates requests from GET /openapi.json
# of a running chatda and checks that no response is a 5xx and every response matches the
# schema. Runs a server of its own on a temporary data directory (loopback only).
#
#   scripts/schemathesis.sh                 # release binary, 300 examples per operation
#   CHATDA_BIN=target/debug/chatda EXAMPLES=50 scripts/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CHATDA_BIN:-target/release/chatda}
EXAMPLES=${EXAMPLES:-300}
PORT=${PORT:-7791}
[ -x "$BIN" ] || cargo build --release
command -v schemathesis >/dev/null || pip install -q 'schemathesis==4.32.5'

DATA=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$DATA"' EXIT
CHATDA_DATA_DIR="$DATA" CHATDA_LISTEN="127.0.0.1:$PORT" CHATDA_DEMO_CONCERTS=3000 \
    CHATDA_DEMO_TICKETS=3000 CHATDA_ADMIN_KEY=admin-key RUST_LOG=warn "$BIN" serve &
SERVER=$!
for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    sleep 0.5
done

# Peak memory of the server while the run hammers it.
( peak=0; while kill -0 "$SERVER" 2>/dev/null; do
      rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0)
      [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" > "$DATA/peak_kb"
      sleep 0.5
  done ) &

status=0
schemathesis run "http://127.0.0.1:$PORT/openapi.json" \
    --header 'Authorization: Bearer admin-key' \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$EXAMPLES" \
    --seed 1 || status=$?
echo "server peak RSS: $(( $(cat "$DATA/peak_kb" 2>/dev/null || echo 0) / 1024 )) MB"
kill -0 "$SERVER" || { echo "the server died"; exit 1; }
exit $status
