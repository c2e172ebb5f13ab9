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
a = p.parse_args()
os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
shutil.rmtree(a.work, ignore_errors=True)
os.makedirs(a.work)
run = lambda *args: subprocess.run([a.bin, *args], check=True, capture_output=True, text=True)
run("plan", "--accounts", "data/accounts.csv", "--reps", "data/reps.csv", "--out", f"{a.work}/plan", "-q")
run("routes", "--accounts", "data/accounts.csv", "--reps", "data/reps.csv",
    "--assignment", f"{a.work}/plan/assignment.csv", "--appointments", "data/appointments.csv",
    "--start", "2027-01-04", "--weeks", "4", "--lunch", "11:30-13:30/30", "--out", f"{a.work}/routes", "-q")
prospects = [r["id"] for r in csv.DictReader(open("data/accounts.csv")) if r["status"] == "prospect"]
picked = random.Random(a.seed).sample(prospects, min(a.queries, len(prospects)))
times, green, any_slot, best = [], 0, 0, []
for pid in picked:
    t0 = time.perf_counter()
    out = run("slots", "--accounts", "data/accounts.csv", "--reps", "data/reps.csv",
              "--routes", f"{a.work}/routes", "--account", pid,
              "--assignment", f"{a.work}/plan/assignment.csv", "--json", "-q").stdout
    times.append(time.perf_counter() - t0)
    s = json.loads(out)
    any_slot += bool(s["slots"])
    green += any(x["band"] == "green" for x in s["slots"])
    if s["slots"]:
        best.append(s["slots"][0]["added_travel_min"])
times.sort()
n = len(times)
print(f"{n} queries (3 reps × 20 working days each): median {statistics.median(times):.3f} s, "
      f"p90 {times[int(n * 0.9)]:.3f} s, max {times[-1]:.3f} s wall per query (process start included); "
      f"{any_slot}/{n} with a slot, {green}/{n} with a green one; "
      f"best offer's added travel: median {statistics.median(best):.0f} min" if best else "no slot")
