#!/usr/bin/env bash
# 4-week routes for the sample (1,206 accounts, 10 reps, 15 appointments, lunch),
# against construction only (pattern-aware cheapest insertion, no search) as the
# baseline, and with the reps of the office sharing their accounts.
# Usage: bash benches/routes_sample.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p territory-cli
T=target/release/territory
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$T plan --accounts data/accounts.csv --reps data/reps.csv --out "$work/plan" -q
common=(--accounts data/accounts.csv --reps data/reps.csv --assignment "$work/plan/assignment.csv"
        --appointments data/appointments.csv --start 2027-01-04 --weeks 4 --lunch 11:30-13:30/30 -q)
printf '%-28s %8s %8s %10s %10s %9s %9s %8s\n' run wall_s visits travel_min travel_km day_mean day_std max_rss
for label in "construction only|--iterations 0" "default|" "shared office|--share-office"; do
    name=${label%%|*}; extra=${label#*|}
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %M" -o "$work/time" $T routes "${common[@]}" $extra --out "$work/r"
    read -r wall rss < "$work/time"
    python3 - "$work/r/summary.json" "$name" "$wall" "$rss" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["totals"]
print(f"{sys.argv[2]:<28} {float(sys.argv[3]):8.2f} {s['scheduled_visits']:>4}/{s['due_visits']:<4}"
      f" {s['travel_min']:10.0f} {s['travel_km']:10.1f} {s['day_length']['mean']:9.1f}"
      f" {s['day_length']['std']:9.1f} {int(sys.argv[4]) // 1024:6d}MB")
PY
done
