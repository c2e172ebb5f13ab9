#!/usr/bin/env bash
# End to end on real POIs: the named business POIs of the Porto extract become
# accounts (synthetic status, revenue, visits, windows: benches/porto_accounts.py),
# reps get k-means bases; then `territory plan` (straight-line, and with road
# travel when plan has --distance), 4-week `territory routes` on the road
# network twice (cold, then with the matrix cache), the same routes on straight
# lines, and `territory report`. Prints wall time, peak RSS and key figures.
#
#   bash benches/porto_end_to_end.sh [EXTRACT.osm.pbf]
#
# Uses the existing binary target/release/territory (build it first); pyosmium
# goes into the venv target/bench-venv. Outputs stay in target/bench-porto
# (replaced on every run; the matrix cache there is emptied so the first road
# run is cold).
set -euo pipefail
cd "$(dirname "$0")/.."
PBF="${1:-../shared/data/osm/porto.osm.pbf}"
T=target/release/territory
VENV=target/bench-venv
W=target/bench-porto

[ -f "$PBF" ] || { echo "porto_end_to_end: extract $PBF not found" >&2; exit 2; }
[ -x "$T" ] || { echo "porto_end_to_end: $T missing; run cargo build --release -p territory-cli" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "porto_end_to_end: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }

# 1. pyosmium in a venv of its own.
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import osmium' 2>/dev/null; then
    if ! "$VENV/bin/python" -m pip install -q osmium; then
        echo "porto_end_to_end: pip install osmium failed" >&2
        exit 1
    fi
fi

rm -rf "$W"
mkdir -p "$W/time" "$W/log"

# run NAME CMD...: times CMD into $W/time/NAME, stdout to $W/log/NAME.json,
# stderr to $W/log/NAME.err; on failure prints the stderr and stops.
run() {
    local name=$1; shift
    if ! /usr/bin/time -f "%e %M" -o "$W/time/$name" "$@" >"$W/log/$name.json" 2>"$W/log/$name.err"; then
        echo "porto_end_to_end: step '$name' failed: $*" >&2
        cat "$W/log/$name.err" >&2
        exit 1
    fi
}

# 2. Accounts and reps.
run accounts "$VENV/bin/python" benches/porto_accounts.py --pbf "$PBF" --out "$W"
cat "$W/log/accounts.err" >&2
A="$W/accounts.csv"
R="$W/reps.csv"

# 3a. Territories.
run plan "$T" plan --accounts "$A" --reps "$R" --out "$W/plan" --json -q
PLAN="$W/plan"
plan_help=$("$T" plan --help)
if grep -q -- '--distance' <<<"$plan_help"; then
    run plan_road "$T" plan --accounts "$A" --reps "$R" --distance road --osm "$PBF" \
        --cache-dir "$W/cache" --out "$W/plan_road" --json -q
    PLAN="$W/plan_road"
fi

# 3b, 3c. Routes over 4 weeks: road (cold, then cached matrices), straight line.
routes=(routes --accounts "$A" --reps "$R" --assignment "$PLAN/assignment.csv"
        --start 2027-01-04 --weeks 4 --lunch 12:00-14:00/30 --json -q)
run routes_road "$T" "${routes[@]}" --distance road --osm "$PBF" --cache-dir "$W/cache" --out "$W/routes"
run routes_road_cached "$T" "${routes[@]}" --distance road --osm "$PBF" --cache-dir "$W/cache" \
    --out "$W/routes_cached"
run routes_straight "$T" "${routes[@]}" --out "$W/routes_straight"

# 3d. Report.
run report "$T" report --plan "$PLAN" --routes "$W/routes" --out "$W/report.html" --json -q

python3 - "$W" "$PBF" "$(basename "$PLAN")" <<'PY'
import collections, csv, json, os, sys

W, pbf, plan_used = sys.argv[1:4]


def timed(name):
    with open(os.path.join(W, "time", name)) as f:
        wall, rss = f.read().split()[-2:]
    return float(wall), int(rss) / 1024


def load(name):
    with open(os.path.join(W, "log", name + ".json")) as f:
        return json.load(f)


def top_phases(s, n=3):
    ph = sorted(s.get("timings", []), key=lambda p: -p["ms"])[:n]
    return ", ".join(f"{p['phase']} {p['ms'] / 1000:.2f}s" for p in ph)


def plan_figures(s):
    crit = " ".join(f"{c['criterion']} {100 * c['max_deviation']:.1f}%" for c in s["criteria"])
    ratio = s["compactness"].get("ratio_to_bound")
    ratio = f"{ratio:.3f}" if ratio is not None else "n/a"
    return (f"balanced {str(s['balanced']).lower()}; max dev {crit}; compactness/bound {ratio}; "
            f"contiguous {str(s['contiguity']['contiguous']).lower()}; {top_phases(s)}")


def routes_figures(s):
    t = s["totals"]
    dl = t["day_length"]
    return (f"{t['scheduled_visits']}/{t['due_visits']} visits; travel {t['travel_min']:.0f} min, "
            f"{t['travel_km']:.1f} km; day {dl['mean']:.0f}±{dl['std']:.0f} min; "
            f"{len(s['warnings'])} warnings; {top_phases(s)}")


with open(os.path.join(W, "accounts.csv"), newline="", encoding="utf-8") as f:
    accounts = list(csv.DictReader(f))
with open(os.path.join(W, "reps.csv"), newline="", encoding="utf-8") as f:
    k = sum(1 for _ in csv.DictReader(f))
customers = sum(a["status"] == "customer" for a in accounts)

rows = []
wall, rss = timed("accounts")
rows.append(("accounts (pyosmium)", wall, rss,
             f"{len(accounts)} POIs ({customers} customers), {k} reps"))
steps = [("plan", "plan straight", plan_figures)]
if os.path.exists(os.path.join(W, "time", "plan_road")):
    steps.append(("plan_road", "plan road", plan_figures))
steps += [("routes_road", "routes road (cold)", routes_figures),
          ("routes_road_cached", "routes road (cached)", routes_figures),
          ("routes_straight", "routes straight", routes_figures)]
for name, label, fig in steps:
    wall, rss = timed(name)
    rows.append((label, wall, rss, fig(load(name))))
wall, rss = timed("report")
r = load("report")
rows.append(("report", wall, rss,
             f"{r['bytes'] / 1e6:.1f} MB html, {r['territories']} territories, "
             f"{r['route_days']} route days"))

print(f"\nextract: {pbf}; plan feeding routes: {plan_used}; cores: {os.cpu_count()}\n")
print("| step | wall s | peak RSS MB | key figures |")
print("|---|---:|---:|---|")
for label, wall, rss, fig in rows:
    print(f"| {label} | {wall:.2f} | {rss:.0f} | {fig} |")
total = timed(plan_used)[0] + timed("routes_road")[0]
print(f"\ntotal wall, {plan_used} + first road routes: {total:.2f} s")

same = all(
    open(os.path.join(W, "routes", f), "rb").read()
    == open(os.path.join(W, "routes_cached", f), "rb").read()
    for f in ("visits.csv", "routes.geojson"))
print(f"cached road routes identical to the cold run (visits.csv, routes.geojson): "
      f"{'yes' if same else 'NO'}")

with open(os.path.join(W, "routes", "summary.json")) as f:
    s = json.load(f)
unsched = s["unscheduled"]
if unsched:
    by_code = collections.Counter(u["reason_code"] for u in unsched)
    missing = collections.Counter()
    for u in unsched:
        missing[u["reason_code"]] += u["due"] - u["scheduled"]
    print("unscheduled (road routes), accounts / visits by reason: "
          + ", ".join(f"{c} {n}/{missing[c]}" for c, n in by_code.most_common()))
for w in s["warnings"][:5]:
    print(f"warning: {w}")
if len(s["warnings"]) > 5:
    print(f"... {len(s['warnings']) - 5} more warnings in {W}/routes/summary.json")
PY
