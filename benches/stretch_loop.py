#!/usr/bin/env python3
"""Sharing a shortage of days (issue #12 item 1): the weekly loop on the
sample with reps' days cut short (08:30-END), run once as planned (shortage
shared by interval) and once with --no-stretch.

Each week plans two weeks from the history and the previous plan (first two
days frozen); every visit of the first week is marked done; the history
starts from one random earlier visit per account (seeded). Prints, per mode:
visits made, and over the accounts that could be visited at all (never
reported for a reason other than no_room), the worst gap between visits over
the account's interval (median, p90, share above 2 intervals) and how many
went the whole period without a visit.

    cargo build --release -p territory-cli
    python3 benches/stretch_loop.py [--weeks 8] [--end 13:00] [--bin target/release/territory]
"""

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import time

p = argparse.ArgumentParser()
p.add_argument("--bin", default="target/release/territory")
p.add_argument("--weeks", type=int, default=8)
p.add_argument("--end", default="13:00", help="end of the reps' working day")
p.add_argument("--seed", type=int, default=3)
p.add_argument("--iterations", type=int, default=300)
p.add_argument("--work", default="target/bench/stretch_loop")
a = p.parse_args()

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
shutil.rmtree(a.work, ignore_errors=True)
os.makedirs(a.work)
reps = f"{a.work}/reps.csv"
with open("data/reps.csv") as f, open(reps, "w", newline="") as g:
    r = csv.DictReader(f)
    w = csv.DictWriter(g, r.fieldnames)
    w.writeheader()
    for row in r:
        row["end"] = a.end
        w.writerow(row)
subprocess.run([a.bin, "plan", "--accounts", "data/accounts.csv", "--reps", reps,
                "--out", f"{a.work}/plan", "--quiet"], check=True)
start = dt.date(2027, 1, 4)
rate = {}
for row in csv.DictReader(open("data/accounts.csv")):
    v = row.get("visits") or ""
    rate[row["id"]] = float(v) if v else (2.0 if row.get("status") != "prospect" else 1.0)
rng = random.Random(a.seed)
seed_history = []
for acc, v in sorted(rate.items()):
    interval = 28 / v
    d = start - dt.timedelta(days=rng.randint(1, max(1, int(interval))))
    while d.weekday() > 4:
        d -= dt.timedelta(days=1)
    seed_history.append((acc, d))


def loop(mode):
    work = f"{a.work}/{mode}"
    os.makedirs(work)
    hist = f"{work}/history.csv"
    with open(hist, "w") as h:
        h.write("account,date,status\n")
        for acc, d in seed_history:
            h.write(f"{acc},{d},done\n")
    done = {acc: [d] for acc, d in seed_history}
    made, unreachable, prev, wall = 0, set(), None, 0.0
    for k in range(a.weeks):
        s = start + dt.timedelta(days=7 * k)
        out = f"{work}/week{k}"
        cmd = [a.bin, "routes", "--accounts", "data/accounts.csv", "--reps", reps,
               "--assignment", f"{a.work}/plan/assignment.csv", "--start", str(s),
               "--weeks", "2", "--history", hist, "--iterations", str(a.iterations),
               "--out", out, "--json", "--quiet"]
        if mode == "no-stretch":
            cmd.append("--no-stretch")
        if prev:
            cmd += ["--previous", prev, "--freeze-days", "2"]
        t0 = time.time()
        summary = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        wall += time.time() - t0
        unreachable |= {u["account"] for u in summary["unscheduled"] if u["reason_code"] != "no_room"}
        prev = out
        with open(hist, "a") as h:
            for row in csv.DictReader(open(f"{out}/visits.csv")):
                d = dt.date.fromisoformat(row["date"])
                if d < s + dt.timedelta(days=7):
                    h.write(f"{row['account']},{d},done\n")
                    done[row["account"]].append(d)
                    made += 1
    end = start + dt.timedelta(days=7 * a.weeks)
    worst, never = [], 0
    for acc, dates in done.items():
        if acc in unreachable:
            continue
        dates = sorted(set(dates))
        interval = 28 / rate[acc]
        gaps = [(y - x).days for x, y in zip(dates, dates[1:])] + [(end - dates[-1]).days]
        worst.append(max(gaps) / interval)
        never += all(x < start for x in dates)
    worst.sort()
    n = len(worst)
    return (f"{mode}: {made} visits made in {a.weeks} weeks ({wall:.1f} s of routes runs); "
            f"{n} reachable accounts: worst gap / interval median {worst[n // 2]:.2f}, "
            f"p90 {worst[int(n * 0.9)]:.2f}, above 2 intervals {sum(x > 2 for x in worst)}, "
            f"never visited {never}")


for mode in ["stretch", "no-stretch"]:
    print(loop(mode), flush=True)
