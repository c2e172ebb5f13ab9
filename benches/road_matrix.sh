#!/usr/bin/env bash
# Road network benchmark (issue #5): import + graph build, 2,000 × 2,000
# travel-time matrix (contraction hierarchy and parallel CSR Dijkstra), and the
# same matrix with petgraph::algo::dijkstra from every source as the baseline.
# Peak memory from /usr/bin/time -v when present, else VmHWM from the example.
#
#   bash benches/road_matrix.sh [EXTRACT.osm.pbf] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
PBF="${1:-../shared/data/osm/andorra.osm.pbf}"
N="${2:-2000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p territory-roads --example road_matrix
BIN="$CARGO_TARGET_DIR/release/examples/road_matrix"
echo "extract: $PBF, points: $N, cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), cores: $(nproc)"
if [ -x /usr/bin/time ]; then
  # Without the baseline first, so the peak is the library's own.
  /usr/bin/time -v "$BIN" "$PBF" "$N" --no-baseline 2> >(grep -E 'Maximum resident|Elapsed' >&2)
  echo "--- with the petgraph baseline"
  "$BIN" "$PBF" "$N"
else
  "$BIN" "$PBF" "$N"
fi
