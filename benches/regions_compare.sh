#!/usr/bin/env bash
# Side-by-side benchmark on one small instance (2,000 accounts, 20
# territories by default): `territory plan` vs PyPI spopt regionalisation
# (RegionKMeansHeuristic, Skater, WardSpatial, AZP, RandomRegion) vs PyPI
# k-means-constrained. See benches/regions_compare.py for what is run and
# how every plan is scored.
#
#   bash benches/regions_compare.sh        # from the repo root (or anywhere)
#
# Steps:
#   1. cargo build --release -p territory-cli, only if
#      target/release/territory is missing
#   2. target/bench/accounts_<N>.csv from benches/synthetic_accounts.py
#      (--n N --seed SEED; kept if already there)
#   3. territory plan ... --balance customers,prospects,workload
#      --tolerance 5% --seed 1 --json --quiet under /usr/bin/time -v
#      (wall time, peak RSS)
#   4. a venv in target/bench/venv-regions with the pinned packages below
#      (wheels only; reused while its stamp matches the pins)
#   5. benches/regions_compare.py: runs the peers (each killed after
#      TIMEOUT s), scores all plans, writes target/bench/regions_<N>.json
#      and prints the markdown table (also saved as regions_<N>.md).
#
# Overrides (environment): N (2000), K (20), SEED (11, the generator's),
# PLAN_SEED (1), TOLERANCE (5%), TIMEOUT (300, per peer, seconds),
# METHODS (all; comma list, see regions_compare.py --help),
# PYTHON (python3, used to make the venv; CPython 3.11 tested).
set -euo pipefail
trap 'echo "regions_compare.sh: failed (line $LINENO, exit $?)" >&2' ERR

cd "$(dirname "$0")/.."
START=$SECONDS

N=${N:-2000}
K=${K:-20}
SEED=${SEED:-11}
PLAN_SEED=${PLAN_SEED:-1}
TOLERANCE=${TOLERANCE:-5%}
TIMEOUT=${TIMEOUT:-300}
METHODS=${METHODS:-all}
PYTHON=${PYTHON:-python3}
# Installs from wheels on CPython 3.11 (x86_64); spopt 0.7.0 is the newest
# release pip offers for 3.11, libpysal 4.14.1 likewise.
PINS=(spopt==0.7.0 libpysal==4.14.1 scipy==1.17.1 numpy==2.4.6 k-means-constrained==0.9.1
      scikit-learn==1.9.1 pandas==3.1.1 networkx==3.6.1 geopandas==1.2.0 ortools==9.15.6755)

if (( N % 1000 == 0 )); then tag="$((N / 1000))k"; else tag="$N"; fi
BENCH=target/bench
BIN=target/release/territory
ACCOUNTS=$BENCH/accounts_${tag}.csv
PLAN_OUT=$BENCH/regions_plan_${tag}_k${K}
PLAN_JSON=$PLAN_OUT.json
RESULT=$BENCH/regions_${tag}_k${K}.json
TABLE=$BENCH/regions_${tag}_k${K}.md
VENV=$BENCH/venv-regions
mkdir -p "$BENCH"

# --- 1. binary --------------------------------------------------------------
if [[ -x $BIN ]]; then
    echo "== $BIN exists, not rebuilt" >&2
else
    echo "== cargo build --release -p territory-cli" >&2
    cargo build --release -p territory-cli
fi

# --- 2. instance ------------------------------------------------------------
if [[ -s $ACCOUNTS ]]; then
    echo "== $ACCOUNTS exists, kept" >&2
else
    echo "== generating $ACCOUNTS (n=$N, seed=$SEED)" >&2
    python3 benches/synthetic_accounts.py --n "$N" --seed "$SEED" --out "$ACCOUNTS.tmp"
    mv "$ACCOUNTS.tmp" "$ACCOUNTS"
fi

# --- 3. territory plan ------------------------------------------------------
OURS_WALL="" OURS_RSS=""
echo "== territory plan (k=$K, tolerance $TOLERANCE)" >&2
rm -rf "$PLAN_OUT"
plan=("$BIN" plan --accounts "$ACCOUNTS" --territories "$K"
      --balance customers,prospects,workload --tolerance "$TOLERANCE" --seed "$PLAN_SEED"
      --out "$PLAN_OUT" --json --quiet)
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
    tf=$PLAN_OUT.time
    /usr/bin/time -v -o "$tf" "${plan[@]}" > "$PLAN_JSON"
    # "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:02.23"
    OURS_WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {
                    n = split($2, p, ":"); s = 0
                    for (i = 1; i <= n; i++) s = s * 60 + p[i]
                    printf "%.2f", s }' "$tf")
    OURS_RSS=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tf")
    echo "   wall ${OURS_WALL} s, peak RSS $((OURS_RSS / 1024)) MiB" >&2
else
    echo "note: GNU /usr/bin/time not found: using the summary's elapsed_ms, peak RSS unknown" >&2
    "${plan[@]}" > "$PLAN_JSON"
fi
ASSIGNMENT=$PLAN_OUT/assignment.csv
[[ -f $ASSIGNMENT ]] || { echo "error: $ASSIGNMENT not written" >&2; exit 1; }

# --- 4. venv ----------------------------------------------------------------
stamp="${PINS[*]}"
if [[ -x $VENV/bin/python && -f $VENV/.pins && "$(cat "$VENV/.pins")" == "$stamp" ]]; then
    echo "== $VENV reused" >&2
else
    echo "== creating $VENV: ${PINS[*]}" >&2
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: "${PINS[@]}"
    printf '%s\n' "$stamp" > "$VENV/.pins"
fi

# --- 5. peers and table -----------------------------------------------------
args=(--accounts "$ACCOUNTS" --k "$K" --ours-assignment "$ASSIGNMENT" --ours-summary "$PLAN_JSON"
      --out "$RESULT" --timeout "$TIMEOUT" --methods "$METHODS"
      --labels-out "$BENCH/regions_labels_${tag}_k${K}.csv")
[[ -n $OURS_WALL ]] && args+=(--ours-wall "$OURS_WALL")
[[ -n $OURS_RSS ]] && args+=(--ours-rss-kib "$OURS_RSS")
echo "== regions_compare.py (each peer killed after ${TIMEOUT} s)" >&2
"$VENV/bin/python" benches/regions_compare.py "${args[@]}" | tee "$TABLE"

echo
echo "results: $RESULT, $TABLE, $PLAN_JSON, $ASSIGNMENT"
echo "total runtime: $((SECONDS - START)) s"
