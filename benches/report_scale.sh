#!/usr/bin/env bash
# Page load of `territory report` at 100,000 accounts / 1,000 territories in
# headless Debian chromium: report build time, HTML size, time from navigation
# to the end of the page script, wall time of a full load + screenshot
# (layout and paint included), JS heap and the browser's peak RSS.
# Usage: bash benches/report_scale.sh [N] [K] [plan flags...]
#   e.g. bash benches/report_scale.sh 100000 1000 --no-contiguity
# ROUTES=1 also plans WEEKS (default 1) weeks of visits (a rep per territory,
# based at its centre) and builds the report with --routes, so the rep and
# day views are measured at K reps.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}; K=${2:-1000}; shift 2 || true
cargo build --release -q -p territory-cli
T=target/release/territory
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
[ -f "$work/accounts.csv" ] || python3 benches/synthetic_accounts.py --n "$N" --seed 7 --out "$work/accounts.csv"
if [ ! -f "$work/plan/summary.json" ]; then
    /usr/bin/time -f "%e s, %M KB" -o "$work/plan.time" \
        $T plan --accounts "$work/accounts.csv" --territories "$K" "$@" --out "$work/plan" -q
    echo "plan: $(cat "$work/plan.time")"
fi
routes=()
WEEKS=${WEEKS:-1}
rdir="$work/routes"; [ "$WEEKS" = 1 ] || rdir="$work/routes-$WEEKS"
if [ "${ROUTES:-0}" = 1 ]; then
    if [ ! -f "$rdir/summary.json" ]; then
        python3 - "$work" <<'PY'
import csv, json, sys
work = sys.argv[1]
s = json.load(open(f"{work}/plan/summary.json"))
with open(f"{work}/reps.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "lat", "lon"])
    for t in s["territory_metrics"]:
        w.writerow([t["id"], t["centre"]["lat"], t["centre"]["lon"]])
PY
        /usr/bin/time -f "%e s, %M KB" -o "$work/routes.time" \
            $T routes --accounts "$work/accounts.csv" --reps "$work/reps.csv" \
            --assignment "$work/plan/assignment.csv" --start 2027-01-04 --weeks "$WEEKS" \
            --lunch 11:30-13:30/30 --out "$rdir" -q
        echo "routes ($WEEKS weeks, $K reps): $(cat "$work/routes.time")"
    fi
    routes=(--routes "$rdir")
fi
/usr/bin/time -f "%e %M" -o "$work/report.time" $T report --plan "$work/plan" "${routes[@]}" --out "$work/report.html" -q
read -r rwall rrss < "$work/report.time"
echo "report: ${rwall} s, $((rrss / 1024)) MB RSS, $(( $(stat -c %s "$work/report.html") / 1048576 )) MB HTML"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --enable-precise-memory-info)
for run in 1 2 3; do
    dom=$(/usr/bin/time -f "%e %M" -o "$work/dom.time" chromium "${flags[@]}" --dump-dom "file://$work/report.html" 2>/dev/null | head -c 4000)
    read -r dwall drss < "$work/dom.time"
    script_ms=$(grep -o 'data-script-ms="[0-9]*"' <<<"$dom" | grep -o '[0-9]*')
    heap=$(grep -o 'data-heap-mb="[0-9.]*"' <<<"$dom" | grep -o '[0-9.]*' || echo "?")
    /usr/bin/time -f "%e %M" -o "$work/shot.time" chromium "${flags[@]}" --window-size=1280,1600 \
        --screenshot="$work/report.png" "file://$work/report.html" >/dev/null 2>&1
    read -r swall srss < "$work/shot.time"
    echo "load $run: script done at ${script_ms} ms, JS heap ${heap} MB; dump-dom ${dwall} s (peak RSS $((drss / 1024)) MB); load+screenshot ${swall} s (peak RSS $((srss / 1024)) MB)"
done
# The what-if editor at this size: a lasso round the middle fifth of the
# map, assign to the first territory, recount, export, undo (the page's own
# test hook, timed inside the page).
read -r w h < <(grep -o '<svg id="map"[^>]*' "$work/report.html" | grep -o 'width="[0-9]*" height="[0-9]*"' | grep -o '[0-9]*' | tr '\n' ' ') || true  # read meets the end of its line-less input
first=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['territory_metrics'][0]['id'])" "$work/plan/summary.json")
hash="#whatif=$first,$((w * 2 / 5)),$((h * 2 / 5)),$((w * 3 / 5)),$((h * 3 / 5))"
for run in 1 2 3; do
    out=$(chromium "${flags[@]}" --dump-dom "file://$work/report.html$hash" 2>/dev/null | python3 -c "
import html, json, re, sys
m = re.search(r'<pre id=\"test-results\">(.*?)</pre>', sys.stdin.read(), re.S)
r = json.loads(html.unescape(m.group(1))) if m and m.group(1) else {}
print(len(r.get('selected', [])), r.get('ms'), r.get('restored'))")
    read -r sel ms restored <<<"$out"
    echo "what-if $run: lasso selected $sel accounts; lasso + assign + recount + export + undo ${ms} ms in the page; restored $restored"
done
echo "files in $work"
