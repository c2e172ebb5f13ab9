#!/usr/bin/env python3
"""Scores `territory solve pvrp` on p01-p10 in ../shared/data/pvrp/ against the
best-known costs (first line of each .res file).

    python3 benches/pvrp_vs_bks.py [--time-limit 30] [--seed 1]

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
parser.add_argument("--data", default=str(root.parent / "shared/data/pvrp"))
parser.add_argument("--time-limit", default="30")
parser.add_argument("--seed", default="1")
args = parser.parse_args()
data = pathlib.Path(args.data)
rows = []
for path in sorted(data.glob("p*.txt")):
    bks = float(path.with_suffix(".res").read_text().split()[0])
    out = subprocess.run([args.binary, "solve", "pvrp", str(path), "--time-limit", args.time_limit, "--seed", args.seed,
                          "--json", "--quiet"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{path.name}: exit {out.returncode}: {out.stderr.strip()}")
    r = json.loads(out.stdout)
    rows.append({"instance": path.stem, "cost": r["cost"], "bks": bks, "gap": (r["cost"] - bks) / bks,
                 "feasible": r["feasible"], "ms": r["elapsed_ms"]})
    print(f"{path.stem}: {r['cost']:.2f} vs {bks:.2f} ({100 * rows[-1]['gap']:.2f}%)", flush=True)
print("\n| instance | cost | best known | gap | feasible |")
print("|---|---:|---:|---:|:---:|")
for x in rows:
    print(f"| {x['instance']} | {x['cost']:.2f} | {x['bks']:.2f} | {100 * x['gap']:.2f}% | {'yes' if x['feasible'] else 'NO'} |")
print(f"\nmean gap {100 * sum(x['gap'] for x in rows) / len(rows):.2f}% over {len(rows)} instances at {args.time_limit} s each")
(root / "target/bench").mkdir(parents=True, exist_ok=True)
(root / "target/bench/pvrp_results.json").write_text(json.dumps(rows, indent=2))
