#!/usr/bin/env bash
# A weekly run with history and the previous plan (the sample, or
# ACCOUNTS=... REPS=...): five weeks planned, the first four marked done,
# then the fifth re-planned from that history with --previous (the five-week
# plan) and --freeze-days 2 (EXTRA=... adds options to that run, e.g.
# EXTRA=--no-stretch). Prints the weekly run's wall time and figures. Build
# first: cargo build --release -p territory-cli
set -euo pipefail
cd "$(dirname "$0")/.."
T=${TERRITORY:-target/release/territory}
ACCOUNTS=${ACCOUNTS:-data/accounts.csv}
REPS=${REPS:-data/reps.csv}
# Bookings belong to the sample only.
BOOKED=()
if [ "$ACCOUNTS" = data/accounts.csv ]; then BOOKED=(--appointments data/appointments.csv); fi
W=${WORK:-target/bench/weekly}
rm -rf "$W" && mkdir -p "$W"
$T plan --accounts "$ACCOUNTS" --reps "$REPS" --out "$W/plan" --quiet
$T routes --accounts "$ACCOUNTS" --reps "$REPS" --assignment "$W/plan/assignment.csv" \
  --start 2026-12-07 --weeks 5 --lunch 11:30-13:30/30 --out "$W/past" --quiet
# Every visit of the first four weeks done, except every 20th, missed.
awk -F, 'NR==1 {print "account,date,status,rep"; next} $2 < "2027-01-04" {print $4 "," $2 "," ((NR % 20 == 0) ? "missed" : "done") "," $1}' \
  "$W/past/visits.csv" > "$W/history.csv"
start=$(date +%s.%N)
$T routes --accounts "$ACCOUNTS" --reps "$REPS" --assignment "$W/plan/assignment.csv" \
  "${BOOKED[@]}" --history "$W/history.csv" --previous "$W/past" --freeze-days 2 \
  --start 2027-01-04 --weeks 1 --lunch 11:30-13:30/30 ${EXTRA:-} --out "$W/week" --json --quiet > "$W/week.json"
end=$(date +%s.%N)
python3 - "$W/week.json" "$start" "$end" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["totals"]
print(f"weekly run with history: {float(sys.argv[3]) - float(sys.argv[2]):.2f} s wall; "
      f"{t['scheduled_visits']}/{t['due_visits']} visits, {t['travel_km']} km, "
      f"{len(s['overdue'])} accounts overdue, {len(s['unscheduled'])} unscheduled, "
      f"{len(s['not_due_in_horizon'])} not due this week; "
      f"{s['replan']['frozen_days']} rep-days frozen, {s['replan']['kept_visits']}/{s['replan']['previous_visits']} "
      f"earlier visits kept, {len(s['replan']['changed_visits'])} changed; "
      f"{len(s['stretched'])} reps stretched (median factor "
      f"{sorted(x['factor'] for x in s['stretched'])[len(s['stretched']) // 2] if s['stretched'] else '-'})")
PY
