#!/usr/bin/env bash
# Builds the fuzz targets once, then runs each for SECS seconds (default 600), one after
# the other, keeping the corpora under fuzz/corpus/<target>/. Needs the nightly
# toolchain and cargo-fuzz (`cargo install cargo-fuzz`). A crashing input is kept under
# fuzz/artifacts/<target>/ and reported at the end.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
SECS=${SECS:-600}
TARGETS=${TARGETS:-"search_request aggregations filters ndjson analyzer"}
cargo +nightly fuzz build -O || exit 1
bin=target/x86_64-unknown-linux-gnu/release
status=0
for target in $TARGETS; do
    mkdir -p "corpus/$target" "artifacts/$target"
    echo "== $target, $SECS s"
    "$bin/$target" "corpus/$target" -max_total_time="$SECS" -max_len=4096 -rss_limit_mb=4096 \
        -artifact_prefix="artifacts/$target/" -print_final_stats=1 > "/tmp/fuzz_$target.log" 2>&1
    code=$?
    grep -E "^Done|stat::number_of_executed_units|stat::peak_rss_mb|cov: " "/tmp/fuzz_$target.log" | tail -4
    if [ $code -ne 0 ]; then
        echo "$target FAILED (exit $code):"; grep -E "panicked|ERROR|SUMMARY" "/tmp/fuzz_$target.log" | head -5
        status=1
    fi
done
exit $status
