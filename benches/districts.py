#!/usr/bin/env python3
"""Districting benchmark (issue #11): real basic units with population and
their own adjacency, every district within ±TOL of the mean population,
contiguous on the given edges, compactness weighted by population (the Hess
objective, Σ population × squared km to the district's centre).

For each city and k, runs `territory plan` with the units' polygons, the
adjacency lists that come with the data (`LIST_ADJACENT`, written as an
`--adjacency` CSV) and `--compactness-weight population`, then checks the
plan independently: population deviation per district from assignment.csv,
and pieces per district on the given edges. Prints one Markdown row per case.

Usage: python3 benches/districts.py [--cities leeds,manchester] [--k 4,8,...]
       [--tol 0.5] [--binary target/release/territory] [--centre mean|unit]
Data: ../shared/data/districts/ (see its README); tests/data/districts/ has
Leeds for a clone without it.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def data_dir():
    shared = os.path.join(ROOT, "..", "shared", "data", "districts")
    return shared if os.path.isdir(shared) else os.path.join(ROOT, "tests", "data", "districts")


def adjacency_csv(geojson, out):
    g = json.load(open(geojson))
    pairs = set()
    for f in g["features"]:
        a = f["properties"]["ID"]
        for b in f["properties"]["LIST_ADJACENT"]:
            pairs.add((min(a, b), max(a, b)))
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b"])
        w.writerows(sorted(pairs))
    return g, pairs


def pieces(members, pairs):
    members = set(members)
    nb = {m: [] for m in members}
    for a, b in pairs:
        if a in members and b in members:
            nb[a].append(b)
            nb[b].append(a)
    seen, count = set(), 0
    for s in members:
        if s in seen:
            continue
        count += 1
        stack = [s]
        seen.add(s)
        while stack:
            u = stack.pop()
            for v in nb[u]:
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cities", default="leeds,manchester")
    ap.add_argument("--k", default="4,8,12,16,20,24,30")
    ap.add_argument("--tol", type=float, default=0.5)
    ap.add_argument("--centre", default="mean")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "territory"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="districts-")
    print("| city | k | max deviation | contiguous (given edges) | Σ pop × km² | LP bound | ratio | time |")
    print("|---|---:|---:|:---:|---:|---:|---:|---:|")
    for city in args.cities.split(","):
        geo = os.path.join(data_dir(), f"{city}.geojson")
        if not os.path.exists(geo):
            print(f"skipped {city}: no {geo}", file=sys.stderr)
            continue
        adj = os.path.join(work, f"{city}_adj.csv")
        g, pairs = adjacency_csv(geo, adj)
        pop = {f["properties"]["ID"]: f["properties"]["POPULATION"] for f in g["features"]}
        for k in [int(x) for x in args.k.split(",")]:
            out = os.path.join(work, f"{city}-{k}")
            t0 = time.time()
            run = subprocess.run(
                [args.binary, "plan", "--accounts", geo, "--id-property", "ID",
                 "--territories", str(k), "--balance", f"population:{args.tol}%",
                 "--compactness-weight", "population", "--adjacency", adj,
                 "--centre", args.centre, "--out", out, "--json", "-q"],
                capture_output=True, text=True)
            wall = time.time() - t0
            if run.returncode != 0:
                print(f"| {city} | {k} | exit {run.returncode}: {run.stderr.strip()[:80]} | | | | | |")
                continue
            s = json.load(open(os.path.join(out, "summary.json")))
            members = {}
            for r in csv.DictReader(open(os.path.join(out, "assignment.csv"))):
                members.setdefault(r["territory"], []).append(int(r["account"]))
            mean = sum(pop.values()) / k
            dev = max(abs(sum(pop[u] for u in m) - mean) / mean for m in members.values())
            whole = all(pieces(m, pairs) == 1 for m in members.values()) and len(members) == k
            c = s["compactness"]
            miss = "" if dev <= args.tol / 100 + 1e-12 else " (miss)"
            print(f"| {city} | {k} | {dev * 100:.2f}%{miss} | {'yes' if whole else 'NO'} | "
                  f"{c['inertia_km2']:.4g} | {c['lower_bound']:.4g} | {c['ratio_to_bound']:.3f} | {wall:.2f} s |",
                  flush=True)


if __name__ == "__main__":
    main()
