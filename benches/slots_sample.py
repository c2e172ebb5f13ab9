#!/usr/bin/env python3
"""`territory slots` on the sample's 4-week plan (issue #13): time per query
over N random prospects (seeded), and the share of queries with a green slot
(added travel under 15 min) among the offers.

    cargo build --release -p territory-cli
    python3 benches/slots_sample.py [--queries 100] [--seed 1] [--bin target/release/territory]
"""

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import time

p = argparse.ArgumentParser()
p.add_argument("--bin", default="target/release/territory")
p.add_argument("--queries", type=int, default=100)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--work", default="target/bench/slots")
p.add_argument("--accounts", default="data/accounts.csv")
p.add_argument("--reps", default="data/reps.csv")
p.add_argument("--plan", help="an existing plan folder (with --routes): skip planning")
p.add_argument("--routes", help="an existing routes folder to query")
a = p.parse_args()
os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
run = lambda *args: subprocess.run([a.bin, *args], check=True, capture_output=True, text=True)
if a.routes:
    plan, routes = a.plan, a.routes
else:
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    plan, routes = f"{a.work}/plan", f"{a.work}/routes"
    run("plan", "--accounts", a.accounts, "--reps", a.reps, "--out", plan, "-q")
    run("routes", "--accounts", a.accounts, "--reps", a.reps,
        "--assignment", f"{plan}/assignment.csv", "--appointments", "data/appointments.csv",
        "--start", "2027-01-04", "--weeks", "4", "--lunch", "11:30-13:30/30", "--out", routes, "-q")
prospects = [r["id"] for r in csv.DictReader(open(a.accounts)) if r.get("status", "customer") == "prospect"]
picked = random.Random(a.seed).sample(prospects, min(a.queries, len(prospects)))
times, green, any_slot, best = [], 0, 0, []
for pid in picked:
    t0 = time.perf_counter()
    out = run("slots", "--accounts", a.accounts, "--reps", a.reps,
              "--routes", routes, "--account", pid,
              "--assignment", f"{plan}/assignment.csv", "--json", "-q").stdout
    times.append(time.perf_counter() - t0)
    s = json.loads(out)
    any_slot += bool(s["slots"])
    green += any(x["band"] == "green" for x in s["slots"])
    if s["slots"]:
        best.append(s["slots"][0]["added_travel_min"])
times.sort()
n = len(times)
print(f"{n} queries (3 reps each): median {statistics.median(times):.3f} s, "
      f"p90 {times[int(n * 0.9)]:.3f} s, max {times[-1]:.3f} s wall per query (process start included); "
      f"{any_slot}/{n} with a slot, {green}/{n} with a green one; "
      f"best offer's added travel: median {statistics.median(best):.0f} min" if best else "no slot")
