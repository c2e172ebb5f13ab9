#!/usr/bin/env bash
# Churn of weekly re-plans on the sample: each week plans two weeks ahead,
# once from scratch and once from the previous week's plan with
# --previous --freeze-days 2. Prints, per week, the earlier visits that moved
# or were dropped (recounted from visits.csv, not taken from the summary) and
# the travel of both, then the totals and the travel ratio (stable / scratch).
#   benches/replan_churn.sh            # WEEKS=6 ITER=300 BIN=target/release/territory
set -euo pipefail
cd "$(dirname "$0")/.."
WEEKS=${WEEKS:-6}
ITER=${ITER:-300}
BIN=${BIN:-target/release/territory}
[ -x "$BIN" ] || cargo build --release -p territory-cli
WORK=${WORK:-target/bench/replan_churn}
rm -rf "$WORK"; mkdir -p "$WORK"
"$BIN" plan --accounts data/accounts.csv --reps data/reps.csv --out "$WORK/plan" -q
common=(--accounts data/accounts.csv --reps data/reps.csv --assignment "$WORK/plan/assignment.csv"
        --appointments data/appointments.csv --weeks 2 --lunch 11:30-13:30/30 --iterations "$ITER" -q)
for k in $(seq 0 $((WEEKS - 1))); do
  start=$(date -d "2027-01-04 + $((7 * k)) days" +%F)
  "$BIN" routes "${common[@]}" --start "$start" --out "$WORK/scratch-$k"
  if [ "$k" -eq 0 ]; then
    cp -r "$WORK/scratch-0" "$WORK/stable-0"
  else
    "$BIN" routes "${common[@]}" --start "$start" --previous "$WORK/stable-$((k - 1))" \
      --freeze-days 2 --out "$WORK/stable-$k"
  fi
done
python3 - "$WORK" "$WEEKS" <<'PY'
import csv, json, sys
work, weeks = sys.argv[1], int(sys.argv[2])
def keys(d, lo):
    return {(r["account"], r["rep"], r["date"]) for r in csv.DictReader(open(f"{work}/{d}/visits.csv")) if r["date"] >= lo}
def km(d):
    return json.load(open(f"{work}/{d}/summary.json"))["totals"]["travel_km"]
tot = {"scratch": [0, 0, 0.0], "stable": [0, 0, 0.0]}
print("week  earlier  changed(scratch)  changed(freeze 2)  km(scratch)  km(freeze 2)")
for k in range(1, weeks):
    start = json.load(open(f"{work}/scratch-{k}/summary.json"))["parameters"]["start"]
    row = []
    for mode in ("scratch", "stable"):
        before = keys(f"{mode}-{k-1}", start)
        gone = len(before - keys(f"{mode}-{k}", start))
        tot[mode][0] += len(before); tot[mode][1] += gone; tot[mode][2] += km(f"{mode}-{k}")
        row.append((len(before), gone, km(f"{mode}-{k}")))
    print(f"{k:>4}  {row[0][0]:>7}  {row[0][1]:>16}  {row[1][1]:>17}  {row[0][2]:>11.1f}  {row[1][2]:>12.1f}")
n = weeks - 1
print(f"mean changed per re-plan: scratch {tot['scratch'][1]/n:.1f}, freeze 2 {tot['stable'][1]/n:.1f}"
      f" (of {tot['stable'][0]/n:.0f} earlier visits); travel stable/scratch {tot['stable'][2]/tot['scratch'][2]:.3f}")
PY
