#!/usr/bin/env bash
# Runs every fuzz target for SECS seconds (default 600) one after the other, keeping the
# corpora under fuzz/corpus/. Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`). A crash stops the run and leaves its input under
# fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECS=${SECS:-600}
TARGETS=${TARGETS:-"search_request aggregations filters ndjson analyzer"}
for target in $TARGETS; do
    echo "== $target, $SECS s"
    cargo +nightly fuzz run -O "$target" -- -max_total_time="$SECS" -max_len=4096 -rss_limit_mb=4096 2>&1 \
        | grep -E "^#[0-9]+.*(DONE|pulse)|Done [0-9]+ runs|ERROR|panicked|SUMMARY" || true
done
