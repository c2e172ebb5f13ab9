#!/usr/bin/env python3
"""Scores `territory solve solomon` on every instance in ../shared/data/solomon/
against the distance-only best-known values (`NAME_distance` in BKS.json).

    python3 benches/solomon_vs_bks.py [--time-limit 2] [--seed 1]

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
parser.add_argument("--data", default=str(root.parent / "shared/data/solomon"))
parser.add_argument("--time-limit", default="2")
parser.add_argument("--seed", default="1")
args = parser.parse_args()
data = pathlib.Path(args.data)
bks = json.loads((data / "BKS.json").read_text())
rows = []
for path in sorted(data.glob("*.txt")):
    name = path.stem
    ref = bks[f"{name}_distance"]
    out = subprocess.run([args.binary, "solve", "solomon", str(path), "--time-limit", args.time_limit, "--seed", args.seed,
                          "--json", "--quiet"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{name}: exit {out.returncode}: {out.stderr.strip()}")
    r = json.loads(out.stdout)
    gap = (r["cost"] - ref["best_known_cost"]) / ref["best_known_cost"]
    rows.append({"instance": name, "cost": r["cost"], "bks": ref["best_known_cost"], "gap": gap, "routes": len(r["routes"]),
                 "fleet": ref["vehicles"], "feasible": r["feasible"], "ms": r["elapsed_ms"]})
print("| instance | cost | best known (distance) | gap | routes | feasible |")
print("|---|---:|---:|---:|---:|:---:|")
for x in rows:
    print(f"| {x['instance']} | {x['cost']:.2f} | {x['bks']:.2f} | {100 * x['gap']:.2f}% | {x['routes']}/{x['fleet']} | {'yes' if x['feasible'] else 'NO'} |")
for cls in ("C1", "R1"):
    sel = [x for x in rows if x["instance"].upper().startswith(cls)]
    if sel:
        print(f"{cls}: mean gap {100 * sum(x['gap'] for x in sel) / len(sel):.2f}% over {len(sel)} instances")
print(f"all: mean gap {100 * sum(x['gap'] for x in rows) / len(rows):.2f}% at {args.time_limit} s each; "
      f"feasible {sum(x['feasible'] for x in rows)}/{len(rows)}")
(root / "target/bench").mkdir(parents=True, exist_ok=True)
(root / "target/bench/solomon_results.json").write_text(json.dumps(rows, indent=2))
