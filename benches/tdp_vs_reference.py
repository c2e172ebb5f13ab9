#!/usr/bin/env python3
"""Scores `territory solve tdp` on every instance in ../shared/data/tdp/ against REFERENCE.json.

    python3 benches/tdp_vs_reference.py [--binary target/release/territory] [--time-limit 4.5] [--starts 300]

Prints a markdown table per instance and a summary: share within tolerance and
contiguous, share with compactness <= reference, mean ratio to the reference,
the slowest instance. Build first: cargo build --release -p territory-cli
"""
import argparse
import json
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--binary", default=str(root / "target/release/territory"))
parser.add_argument("--data", default=str(root.parent / "shared/data/tdp"))
parser.add_argument("--time-limit", default="4.5")
parser.add_argument("--starts", default="300")
parser.add_argument("--out", default=str(root / "target/bench/tdp_results.json"))
args = parser.parse_args()

data = pathlib.Path(args.data)
reference = json.loads((data / "REFERENCE.json").read_text())
rows = []
for name in sorted(reference, key=lambda n: (len(n), n)):
    path = data / f"{name}.dat"
    out = subprocess.run(
        [args.binary, "solve", "tdp", str(path), "--time-limit", args.time_limit, "--starts", args.starts, "--json", "--quiet"],
        capture_output=True, text=True)
    if out.returncode != 0:
        print(f"{name}: exit {out.returncode}: {out.stderr.strip()}", file=sys.stderr)
        sys.exit(1)
    r = json.loads(out.stdout)
    ref = reference[name]
    tol = ref["tolerance"]
    rows.append({
        "instance": name,
        "n": r["units"],
        "p": r["p"],
        "compactness": r["compactness"],
        "reference": ref["reference_compactness"],
        "ratio": r["compactness"] / ref["reference_compactness"],
        "max_deviation": max(r["max_deviation"]),
        "within_tolerance": all(d <= tol + 1e-9 for d in r["max_deviation"]),
        "contiguous": r["contiguous"],
        "starts": r["starts"],
        "elapsed_ms": r["elapsed_ms"],
    })

print("| instance | n | p | ours | reference | ratio | max dev. | contiguous | starts | ms |")
print("|---|---:|---:|---:|---:|---:|---:|:---:|---:|---:|")
for x in rows:
    print(f"| {x['instance']} | {x['n']} | {x['p']} | {x['compactness']:.1f} | {x['reference']:.1f} | {x['ratio']:.4f} | "
          f"{x['max_deviation'] * 100:.2f}% | {'yes' if x['contiguous'] else 'NO'} | {x['starts']} | {x['elapsed_ms']} |")
n = len(rows)
ok = sum(x["within_tolerance"] and x["contiguous"] for x in rows)
better = sum(x["ratio"] <= 1.0 + 1e-9 for x in rows)
mean_ratio = sum(x["ratio"] for x in rows) / n
slowest = max(rows, key=lambda x: x["elapsed_ms"])
summary = {
    "instances": n,
    "within_tolerance_and_contiguous": ok,
    "compactness_at_most_reference": better,
    "mean_ratio_to_reference": mean_ratio,
    "slowest_ms": slowest["elapsed_ms"],
    "time_limit_s": float(args.time_limit),
    "starts": int(args.starts),
}
print()
print(f"within tolerance and contiguous: {ok}/{n} ({100 * ok / n:.0f}%)")
print(f"compactness <= reference: {better}/{n} ({100 * better / n:.0f}%)")
print(f"mean ratio to reference: {mean_ratio:.4f}")
print(f"slowest instance: {slowest['instance']} {slowest['elapsed_ms']} ms")
pathlib.Path(args.out).parent.mkdir(parents=True, exist_ok=True)
pathlib.Path(args.out).write_text(json.dumps({"summary": summary, "instances": rows}, indent=2))
