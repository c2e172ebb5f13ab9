#!/usr/bin/env bash
# Benchmark `territory plan` against the PyPI package k-means-constrained on
# the same synthetic accounts (100,000 points, 100 territories by default).
#
#   bash benches/plan_vs_kmc.sh            # from the repo root (or anywhere)
#
# Steps:
#   1. cargo build --release -p territory-cli
#   2. target/bench/accounts_100k.csv from benches/synthetic_accounts.py
#      (--n 100000 --seed 7; kept if already there)
#   3. territory plan ... --balance customers,prospects,workload
#      --tolerance 5% --seed 1 under /usr/bin/time -v (wall time, peak RSS)
#   4. a venv in target/bench/venv with k-means-constrained (pinned, see
#      KMC_PIP below), then benches/kmc_compare.py under /usr/bin/time -v
#   5. prints the side-by-side table; everything lands in target/bench/.
#
# Without /usr/bin/time nothing is installed: bash's `time` gives the wall
# times and peak memory is reported as unknown.
#
# Overrides (environment): N (100000), K (100), SEED (7, the generator's),
# PLAN_SEED (1), TOLERANCE (5%), KMC_MAX_ITER (300), KMC_N_INIT (1),
# PYTHON (python3, used to make the venv), ASSIGNMENT (path of our
# assignment CSV if it is not found under the plan's --out).
#
# k-means-constrained at n=100000, k=100 on a 2-core machine: ~3 minutes
# (19 iterations to convergence, ~8 s each) and ~1.2 GiB peak RSS.
set -euo pipefail
trap 'echo "plan_vs_kmc.sh: failed (line $LINENO, exit $?)" >&2' ERR

cd "$(dirname "$0")/.."

N=${N:-100000}
K=${K:-100}
SEED=${SEED:-7}
PLAN_SEED=${PLAN_SEED:-1}
TOLERANCE=${TOLERANCE:-5%}
KMC_MAX_ITER=${KMC_MAX_ITER:-300}
KMC_N_INIT=${KMC_N_INIT:-1}
PYTHON=${PYTHON:-python3}
# Versions that install from wheels on CPython 3.11 (x86_64) and were tested.
KMC_PIP=(k-means-constrained==0.9.1 numpy==2.4.6 scipy==1.17.1 ortools==9.15.6755)

if (( N % 1000 == 0 )); then tag="$((N / 1000))k"; else tag="$N"; fi
BENCH=target/bench
ACCOUNTS=$BENCH/accounts_${tag}.csv
PLAN_OUT=$BENCH/plan_${tag}
PLAN_JSON=$BENCH/plan_${tag}.json
RESULT=$BENCH/kmc_vs_plan_${tag}.json
VENV=$BENCH/venv
mkdir -p "$BENCH"

# --- timing helpers ---------------------------------------------------------
# timed NAME CMD...: runs CMD (stdout/stdin untouched by the caller's
# redirections around this function) and sets NAME_WALL (s) and NAME_RSS (KiB,
# or empty when unknown).
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
    HAVE_GNU_TIME=1
else
    HAVE_GNU_TIME=0
    echo "note: /usr/bin/time (GNU, -v) not found: using bash time; peak memory unknown" >&2
fi

timed() {
    local name=$1; shift
    local tf=$BENCH/${name,,}_${tag}.time
    local wall rss=""
    if (( HAVE_GNU_TIME )); then
        /usr/bin/time -v -o "$tf" "$@"
        # "Elapsed (wall clock) time (h:mm:ss or m:ss): 2:55.06"
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
                   n = split($2, p, ":"); s = 0
                   for (i = 1; i <= n; i++) s = s * 60 + p[i]
                   printf "%.2f", s }' "$tf")
        rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tf")
    else
        local TIMEFORMAT=%R
        { time "$@" 2>&3 ; } 3>&2 2>"$tf"
        wall=$(tail -n 1 "$tf")
    fi
    printf -v "${name}_WALL" '%s' "$wall"
    printf -v "${name}_RSS" '%s' "$rss"
}

mib() { if [[ -n $1 ]]; then awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; else echo unknown; fi; }

# --- 1. build ---------------------------------------------------------------
echo "== cargo build --release -p territory-cli" >&2
cargo build --release -p territory-cli

# --- 2. instance ------------------------------------------------------------
if [[ -s $ACCOUNTS ]]; then
    echo "== $ACCOUNTS exists, kept" >&2
else
    echo "== generating $ACCOUNTS (n=$N, seed=$SEED)" >&2
    python3 benches/synthetic_accounts.py --n "$N" --seed "$SEED" --out "$ACCOUNTS.tmp"
    mv "$ACCOUNTS.tmp" "$ACCOUNTS"
fi

# --- 3. territory plan ------------------------------------------------------
echo "== territory plan (k=$K, tolerance $TOLERANCE)" >&2
rm -rf "$PLAN_OUT"
timed OURS target/release/territory plan --accounts "$ACCOUNTS" --territories "$K" \
    --balance customers,prospects,workload --tolerance "$TOLERANCE" --seed "$PLAN_SEED" \
    --out "$PLAN_OUT" --json > "$PLAN_JSON"
echo "   wall ${OURS_WALL} s, peak RSS $(mib "$OURS_RSS")" >&2

if [[ -z ${ASSIGNMENT:-} ]]; then
    if [[ -f $PLAN_OUT/assignment.csv ]]; then
        ASSIGNMENT=$PLAN_OUT/assignment.csv
    else
        ASSIGNMENT=$(find "$PLAN_OUT" "$PLAN_OUT".* -maxdepth 1 -name '*assignment*.csv' 2>/dev/null | sort | head -n 1 || true)
    fi
fi
if [[ -z ${ASSIGNMENT:-} || ! -f $ASSIGNMENT ]]; then
    echo "error: no assignment CSV found under $PLAN_OUT (set ASSIGNMENT=...)" >&2
    exit 1
fi

# --- 4. k-means-constrained -------------------------------------------------
if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import k_means_constrained' 2>/dev/null; then
    echo "== creating $VENV and installing ${KMC_PIP[*]}" >&2
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${KMC_PIP[@]}"
fi

echo "== k-means-constrained (n_init=$KMC_N_INIT, max_iter=$KMC_MAX_ITER); a few minutes at 100k" >&2
timed KMC "$VENV/bin/python" benches/kmc_compare.py --accounts "$ACCOUNTS" --k "$K" \
    --assignment "$ASSIGNMENT" --summary "$PLAN_JSON" --out "$RESULT" \
    --max-iter "$KMC_MAX_ITER" --n-init "$KMC_N_INIT" --our-seconds "$OURS_WALL" \
    --labels-out "$BENCH/kmc_labels_${tag}.csv" > "$BENCH/kmc_compare_${tag}.txt"
echo "   wall ${KMC_WALL} s, peak RSS $(mib "$KMC_RSS")" >&2

# --- 5. side by side --------------------------------------------------------
report=(python3 benches/kmc_compare.py --report "$RESULT" --our-seconds "$OURS_WALL"
        --kmc-seconds "$KMC_WALL")
[[ -n $OURS_RSS ]] && report+=(--our-rss-kib "$OURS_RSS")
[[ -n $KMC_RSS ]] && report+=(--kmc-rss-kib "$KMC_RSS")
echo
echo "## territory plan vs k-means-constrained ($N accounts, $K territories)"
echo
"${report[@]}"
echo
echo "peak RSS: territory $(mib "$OURS_RSS"), k-means-constrained (whole python process) $(mib "$KMC_RSS")"
echo "results: $RESULT, $PLAN_JSON, $ASSIGNMENT"
