#!/usr/bin/env bash
# The long fuzz run of every reader (crates/formats/tests/fuzz.rs) in release
# mode: each target for SECONDS (default 3600), two targets at a time, a fresh
# random seed unless one is given. Failing inputs land in target/fuzz-failures/;
# copy them to tests/data/fuzz/TARGET/ once fixed. Figures: docs/RELIABILITY.md.
#
#   bash benches/fuzz.sh [SECONDS] [FILTER] [SEED]
#   bash benches/fuzz.sh 3600 fuzz_csv      # the CSV targets only
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-3600}"
FILTER="${2:-fuzz_}"
SEED="${3:-$(date +%s)}"
mkdir -p target
LOG="target/fuzz-$(date +%Y%m%d-%H%M%S).log"
echo "fuzz: ${SECS}s per target, filter '${FILTER}', seed ${SEED}; log in ${LOG}" >&2
TERRITORY_FUZZ_SECONDS="$SECS" TERRITORY_FUZZ_SEED="$SEED" \
    cargo test --release -p territory-formats --test fuzz "$FILTER" -- --test-threads 2 --nocapture 2>&1 | tee "$LOG" | grep -E "^fuzz |test result|FAILED|panicked"
