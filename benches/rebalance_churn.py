#!/usr/bin/env python3
"""Rebalance after churn: plan N accounts, then add 5% new accounts and remove 2%
at random, rebalance, and report moves against the number added.

    python3 benches/rebalance_churn.py [--n 100000] [--k 100] [--binary target/release/territory]

Uses benches/synthetic_accounts.py for the instance (seed 7) and for the new
accounts (seed 8, drawn from the same distribution). Build first:
cargo build --release -p territory-cli
"""
import argparse
import csv
import json
import pathlib
import random
import subprocess
import time

root = pathlib.Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--n", type=int, default=100000)
parser.add_argument("--k", type=int, default=100)
parser.add_argument("--binary", default=str(root / "target/release/territory"))
args = parser.parse_args()
work = root / "target/bench/churn"
work.mkdir(parents=True, exist_ok=True)


def generate(n, seed, out):
    subprocess.run(["python3", str(root / "benches/synthetic_accounts.py"), "--n", str(n), "--seed", str(seed), "--out", str(out)], check=True, capture_output=True)


def run(cmd):
    began = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {out.returncode}\n{out.stderr}")
    return json.loads(out.stdout), time.time() - began


base = work / f"accounts_{args.n}.csv"
if not base.exists():
    generate(args.n, 7, base)
plan, plan_s = run([args.binary, "plan", "--accounts", str(base), "--territories", str(args.k), "--out", str(work / "plan"), "--json", "--quiet"])
territory = {r["account"]: r["territory"] for r in csv.DictReader(open(work / "plan/assignment.csv"))}

rng = random.Random(12)
rows = list(csv.DictReader(open(base)))
fields = list(rows[0].keys()) + ["territory"]
removed = set(rng.sample(range(len(rows)), int(0.02 * len(rows))))
added_n = int(0.05 * len(rows))
extra = work / "extra.csv"
generate(added_n, 8, extra)
changed = work / "changed.csv"
with open(changed, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields)
    w.writeheader()
    for i, r in enumerate(rows):
        if i not in removed:
            w.writerow({**r, "territory": territory[r["id"]]})
    for r in csv.DictReader(open(extra)):
        w.writerow({**r, "id": "new-" + r["id"], "territory": ""})

summary, re_s = run([args.binary, "rebalance", "--accounts", str(changed), "--territories", str(args.k), "--out", str(work / "rebalanced"), "--json", "--quiet"])
moved = summary["moved_accounts"]
print(f"plan: {args.n} accounts, {args.k} territories, {plan_s:.1f} s, balanced {plan['balanced']}")
print(f"churn: {len(removed)} removed, {added_n} added")
print(f"rebalance: {re_s:.1f} s, moved {moved} existing accounts ({moved / added_n:.2f} x added; target <= 3), balanced {summary['balanced']}, contiguous {summary['contiguity']['contiguous']}")
for c in summary["criteria"]:
    print(f"  {c['criterion']}: max deviation {100 * c['max_deviation']:.2f}% (tolerance {100 * c['tolerance']:.0f}%)")
(work / "result.json").write_text(json.dumps({"n": args.n, "k": args.k, "removed": len(removed), "added": added_n, "moved": moved,
    "rebalance_seconds": re_s, "criteria": summary["criteria"], "contiguous": summary["contiguity"]["contiguous"]}, indent=2))
