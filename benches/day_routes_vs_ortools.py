#!/usr/bin/env python3
"""Our day routing against OR-Tools, day by day, with the days fixed by our plan.

    python3 benches/day_routes_vs_ortools.py --accounts A.csv --reps R.csv \
        --routes ROUTES_DIR [--lunch 11:30-13:30/30] [--seconds-per-day S ...]

`territory routes` decides which accounts a rep sees on which day and in which
order. Here every rep-day of ROUTES_DIR (its visits.csv and summary.json) is
given to OR-Tools' routing solver as its own problem: the same visits, the
rep's base and working hours, each account's opening windows (a visit lies
wholly inside one) and service minutes, booked appointments at their time,
the lunch break on the days ours took one (its length, starting inside its
window), and the same travel model (great circle x 1.3 at 30 km/h, legs
rounded up to whole minutes on the timeline). OR-Tools minimises travel
distance. Both sides' kilometres are recomputed here from the coordinates in
the order each visits them, so the ratio compares routes, not bookkeeping.

Prints one row per OR-Tools time limit: total km ours / OR-Tools, days where
OR-Tools is shorter / longer, days OR-Tools found no route for, its total
solve time. A day OR-Tools routes only in part (every visit may be dropped,
at a price far above any route) counts as not routed. Makes target/bench/venv-ortools (ortools from PyPI) on first use.
"""
import argparse
import csv
import json
import math
import os
import pathlib
import subprocess
import sys
import time

root = pathlib.Path(__file__).resolve().parent.parent
venv = root / "target/bench/venv-ortools"
if os.environ.get("DAY_ROUTES_IN_VENV") != "1":
    if not (venv / "bin/python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin/pip"), "install", "-q", "ortools"], check=True)
    env = dict(os.environ, DAY_ROUTES_IN_VENV="1")
    sys.exit(subprocess.run([str(venv / "bin/python"), __file__, *sys.argv[1:]], env=env).returncode)

from ortools.constraint_solver import pywrapcp, routing_enums_pb2  # noqa: E402

CIRCUITY, SPEED_KMH, EARTH_KM = 1.3, 30.0, 6371.0088


def km(a, b):
    (la1, lo1), (la2, lo2) = a, b
    p1, p2 = math.radians(la1), math.radians(la2)
    dl, dp = math.radians(lo2 - lo1), p2 - p1
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h))) * CIRCUITY


def minutes(a, b):
    return km(a, b) / SPEED_KMH * 60.0


def hm(text):
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def windows_of(text):
    if not text:
        return [(0, 24 * 60)]
    return [(hm(a), hm(b)) for a, b in (w.split("-") for w in text.split(";"))]


def route_km(base, points):
    seq = [base, *points, base]
    return sum(km(seq[i], seq[i + 1]) for i in range(len(seq) - 1))


def solve_day(base, hours, stops, lunch, seconds):
    """stops: (location, service, windows, fixed_start or None). Returns the
    visiting order (indices into stops) or None."""
    n = len(stops)
    locs = [base] + [s[0] for s in stops]
    service = [0] + [s[1] for s in stops]
    manager = pywrapcp.RoutingIndexManager(n + 1, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist = [[round(km(a, b) * 1000) for b in locs] for a in locs]
    timed = [[math.ceil(minutes(a, b) - 1e-9) for b in locs] for a in locs]

    def dist_cb(i, j):
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def time_cb(i, j):
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return service[a] + timed[a][b]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(dist_cb))
    t = routing.RegisterTransitCallback(time_cb)
    routing.AddDimension(t, 24 * 60, 24 * 60, False, "time")
    dim = routing.GetDimensionOrDie("time")
    start, end = hours
    dim.CumulVar(routing.Start(0)).SetRange(start, end)
    dim.CumulVar(routing.End(0)).SetRange(start, end)
    for k, (_, svc, wins, fixed) in enumerate(stops):
        var = dim.CumulVar(manager.NodeToIndex(k + 1))
        if fixed is not None:
            var.SetRange(fixed, fixed)
            continue
        spans = sorted((o, c - svc) for o, c in wins if c - svc >= o)
        if not spans:
            return None
        var.SetRange(spans[0][0], spans[-1][1])
        for (_, hi), (lo, _) in zip(spans, spans[1:]):
            if lo > hi + 1:
                var.RemoveInterval(hi + 1, lo - 1)
    # Every visit may be dropped at a price far above any route: the
    # construction then always has a solution to improve (a single vehicle
    # under tight windows often has none), and a day with a drop left counts
    # as not routed.
    for k in range(n):
        routing.AddDisjunction([manager.NodeToIndex(k + 1)], 10_000_000)
    if lunch is not None:
        earliest, latest, length = lunch
        brk = routing.solver().FixedDurationIntervalVar(earliest, latest - length, length, False, "lunch")
        dim.SetBreakIntervalsOfVehicle([brk], 0, service)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    sol = routing.SolveWithParameters(params)
    if sol is None:
        return None
    order, i = [], routing.Start(0)
    i = sol.Value(routing.NextVar(i))
    while not routing.IsEnd(i):
        order.append(manager.IndexToNode(i) - 1)
        i = sol.Value(routing.NextVar(i))
    return order if len(order) == n else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", required=True)
    ap.add_argument("--reps", required=True)
    ap.add_argument("--routes", required=True)
    ap.add_argument("--lunch", help="EARLIEST-LATEST/MINUTES as given to territory routes")
    ap.add_argument("--seconds-per-day", type=float, nargs="+", default=[0.02, 1.0])
    a = ap.parse_args()
    accounts = {r["id"]: r for r in csv.DictReader(open(a.accounts, encoding="utf-8"))}
    reps = {r["id"]: r for r in csv.DictReader(open(a.reps, encoding="utf-8"))}
    lunch = None
    if a.lunch:
        span, length = a.lunch.split("/")
        lo, hi = span.split("-")
        lunch = (hm(lo), hm(hi), int(length))
    summary = json.load(open(pathlib.Path(a.routes) / "summary.json"))
    days = []
    visits = list(csv.DictReader(open(pathlib.Path(a.routes) / "visits.csv", encoding="utf-8")))
    by_day = {}
    for v in visits:
        by_day.setdefault((v["rep"], v["date"]), []).append(v)
    lunch_days = {(r["rep"], d["date"]) for r in summary["reps"] for d in r["days"] if d.get("lunch")}
    for (rep, date), rows in sorted(by_day.items()):
        rows.sort(key=lambda v: int(v["sequence"]))
        r = reps[rep]
        base = (float(r["lat"]), float(r["lon"]))
        hours = (hm(r.get("start") or "08:30"), hm(r.get("end") or "17:30"))
        stops = []
        for v in rows:
            acc = accounts[v["account"]]
            loc = (float(v["lat"]), float(v["lon"]))
            svc = int(v["service_min"])
            fixed = hm(v["start"]) if v["appointment"] == "true" else None
            stops.append((loc, svc, windows_of(acc.get("windows", "")), fixed))
        ours = route_km(base, [s[0] for s in stops])
        days.append((rep, date, base, hours, stops, (rep, date) in lunch_days, ours))
    ours_total = sum(d[6] for d in days)
    wall = summary.get("elapsed_ms", 0) / 1000
    print(f"{len(days)} rep-days, {sum(len(d[4]) for d in days)} visits; ours {ours_total:.3f} km, "
          f"routes run {wall:.2f} s ({wall / max(1, len(days)) * 1000:.1f} ms a day)")
    print("| OR-Tools s/day | ours km | OR-Tools km | ours / OR-Tools | days OR-Tools shorter / longer | no route | OR-Tools s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for seconds in a.seconds_per_day:
        total, shorter, longer, failed, began = 0.0, 0, 0, 0, time.time()
        ours_matched = 0.0
        for rep, date, base, hours, stops, has_lunch, ours in days:
            order = solve_day(base, hours, stops, lunch if has_lunch else None, seconds)
            if order is None:
                failed += 1
                continue
            theirs = route_km(base, [stops[k][0] for k in order])
            total += theirs
            ours_matched += ours
            shorter += theirs < ours - 1e-6
            longer += theirs > ours + 1e-6
        spent = time.time() - began
        ratio = ours_matched / total if total else float("nan")
        print(f"| {seconds:g} | {ours_matched:.3f} | {total:.3f} | {ratio:.4f} | {shorter} / {longer} | {failed} | {spent:.1f} |",
              flush=True)


main()
