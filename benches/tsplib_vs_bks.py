#!/usr/bin/env python3
"""Scores `territory solve tsplib` on every instance in ../shared/data/tsplib/ against BKS.json.

    python3 benches/tsplib_vs_bks.py [--time-limit 2] [--seed 1]

Build first: cargo build --release -p territory-cli
"""
import argparse
import json
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--binary", default=str(root / "target/release/territory"))
parser.add_argument("--data", default=str(root.parent / "shared/data/tsplib"))
parser.add_argument("--time-limit", default="2")
parser.add_argument("--seed", default="1")
args = parser.parse_args()
data = pathlib.Path(args.data)
bks = json.loads((data / "BKS.json").read_text())
rows = []
for name in sorted(bks, key=lambda n: bks[n]["jobs"]):
    out = subprocess.run([args.binary, "solve", "tsplib", str(data / f"{name}.tsp"), "--time-limit", args.time_limit,
                          "--seed", args.seed, "--json", "--quiet"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{name}: exit {out.returncode}: {out.stderr.strip()}")
    r = json.loads(out.stdout)
    best = bks[name]["best_known_cost"]
    rows.append((name, bks[name]["jobs"] + 1, r["cost"], best, (r["cost"] - best) / best, r["elapsed_ms"]))
print("| instance | nodes | cost | optimum | gap | ms |")
print("|---|---:|---:|---:|---:|---:|")
for name, n, cost, best, gap, ms in rows:
    print(f"| {name} | {n} | {cost:.0f} | {best} | {100 * gap:.2f}% | {ms} |")
mean = sum(r[4] for r in rows) / len(rows)
print(f"\nmean gap to optimal: {100 * mean:.3f}% over {len(rows)} instances at {args.time_limit} s each")
(root / "target/bench").mkdir(parents=True, exist_ok=True)
(root / "target/bench/tsplib_results.json").write_text(json.dumps({"mean_gap": mean, "rows": rows}, indent=2))
