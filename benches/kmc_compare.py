#!/usr/bin/env python3
"""Compare a `territory plan` result with k-means-constrained on the same accounts.

    python benches/kmc_compare.py --accounts FILE.csv --k 100 \
        --assignment OUR/assignment.csv [--summary OUR_summary.json] \
        --out RESULT.json [--max-iter N] [--n-init N] [--tol T]

Needs numpy and k-means-constrained (see benches/plan_vs_kmc.sh, which makes a
venv for it).

1. Loads the accounts CSV (columns id, lat, lon, status, ...) and projects
   lat/lon to planar km with the same equirectangular projection as
   `territory` (x = R*lon*cos(lat0), y = R*lat, R = 6371.0088 km, lat0 the mean
   latitude; both axes are shifted to the mean point, which changes no
   distance).
2. Fits KMeansConstrained(n_clusters=k, size_min=floor(n/k*0.95),
   size_max=ceil(n/k*1.05), random_state=0, n_init, max_iter, tol) and times
   the fit's wall clock. Defaults: n_init=1, max_iter=300 (the library's),
   tol=1e-4 (the library's). Measured on the 2-core / 24 GiB machine with
   benches/synthetic_accounts.py --n 100000 --seed 7, k=100: converges after
   19 iterations, fit ~175 s (~8 s per iteration, mostly OR-Tools' min-cost
   flow over 10M arcs), peak RSS ~1.2 GiB. Each E-step (distance matrix +
   min-cost flow over n*k arcs + reading the flow back) is timed too,
   through a thin wrapper that does not change what it computes.
3. For both plans (ours: column `territory` of our assignment.csv, keyed by
   column `account`; theirs: the fitted labels) computes, with equal
   capacities (target = total / k):
     - max over territories of |w_t - target| / target for
       customers (count of status=customer), prospects (count of
       status=prospect) and workload (sum of our per-account
       `workload_hours` from assignment.csv, the same hours for both plans);
       `accounts` (plain count, what k-means-constrained balances) is given
       as an extra;
     - compactness: sum over accounts of the squared distance (km^2) to the
       mean point of the account's territory.
   A plan with fewer than k non-empty territories counts the missing ones
   as empty (deviation 1.0).
4. Writes RESULT.json and prints a markdown table.

    python3 benches/kmc_compare.py --report RESULT.json --our-seconds S \
        --our-rss-kib KIB --kmc-seconds S --kmc-rss-kib KIB

adds whole-process figures measured outside (by /usr/bin/time -v) to
RESULT.json and prints the table again; it needs only the standard library.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import resource
import sys
import time

EARTH_RADIUS_KM = 6371.0088
CRITERIA = ("customers", "prospects", "workload")


def load_accounts(path):
    ids, lat, lon, status = [], [], [], []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ids.append(row["id"])
            lat.append(float(row["lat"]))
            lon.append(float(row["lon"]))
            s = row["status"].strip().lower()
            if s not in ("customer", "prospect"):
                raise SystemExit(f"{path}: account {row['id']}: unknown status {row['status']!r}")
            status.append(s)
    if not ids:
        raise SystemExit(f"{path}: no accounts")
    return ids, lat, lon, status


def project(lat, lon):
    """Equirectangular around the mean point; x east, y north, km."""
    n = len(lat)
    lat0 = sum(lat) / n
    lon0 = sum(lon) / n
    c = math.cos(math.radians(lat0))
    k = EARTH_RADIUS_KM * math.pi / 180.0
    xs = [(lo - lon0) * c * k for lo in lon]
    ys = [(la - lat0) * k for la in lat]
    return xs, ys, lat0, lon0


def load_assignment(path):
    """{account: (territory, workload_hours)} from our assignment.csv."""
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"account", "territory", "workload_hours"} - set(reader.fieldnames or [])
        if missing:
            raise SystemExit(f"{path}: missing column(s) {sorted(missing)}; has {reader.fieldnames}")
        for row in reader:
            t = (row["territory"] or "").strip()
            wh = row["workload_hours"].strip()
            out[row["account"]] = (t if t else None, float(wh) if wh else 0.0)
    return out


def plan_metrics(labels, k, status, hours, xs, ys):
    """Balance and compactness of one plan. labels[i] is a hashable territory id or None."""
    per = {}
    unassigned = 0
    for i, t in enumerate(labels):
        if t is None:
            unassigned += 1
            continue
        p = per.get(t)
        if p is None:
            p = per[t] = {"accounts": 0, "customers": 0, "prospects": 0, "workload": 0.0,
                          "sx": 0.0, "sy": 0.0, "sxx": 0.0}
        p["accounts"] += 1
        if status[i] == "customer":
            p["customers"] += 1
        else:
            p["prospects"] += 1
        p["workload"] += hours[i]
        x, y = xs[i], ys[i]
        p["sx"] += x
        p["sy"] += y
    # Compactness: sum of squared distances to the territory's mean point
    # (second pass for accuracy rather than the sum-of-squares shortcut).
    means = {t: (p["sx"] / p["accounts"], p["sy"] / p["accounts"]) for t, p in per.items()}
    compact = 0.0
    for i, t in enumerate(labels):
        if t is None:
            continue
        mx, my = means[t]
        compact += (xs[i] - mx) ** 2 + (ys[i] - my) ** 2

    n_terr = len(per)
    empty = max(0, k - n_terr)
    result = {
        "territories": n_terr,
        "empty_territories": empty,
        "unassigned_accounts": unassigned,
        "max_deviation": {},
        "totals": {},
        "min_max": {},
        "compactness_km2": compact,
    }
    # Equal capacity: target = total / k, over k territories (or more, if a
    # plan made more; then the target uses that count).
    k_eff = max(k, n_terr)
    for crit in CRITERIA + ("accounts",):
        vals = [p[crit] for p in per.values()] + [0] * empty
        total = float(sum(vals))
        target = total / k_eff
        dev = max(abs(v - target) / target for v in vals) if target > 0 else 0.0
        result["max_deviation"][crit] = dev
        result["totals"][crit] = total
        result["min_max"][crit] = [min(vals), max(vals)]
    return result


def run_kmc(xs, ys, k, n_init, max_iter, tol, verbose):
    import numpy as np
    from k_means_constrained import KMeansConstrained
    import k_means_constrained.k_means_constrained_ as kmc_mod

    X = np.column_stack([np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)])
    n = X.shape[0]
    size_min = math.floor(n / k * 0.95)
    size_max = math.ceil(n / k * 1.05)

    estep_times = []
    orig = kmc_mod._labels_constrained

    def timed_labels(*a, **kw):
        t = time.perf_counter()
        r = orig(*a, **kw)
        estep_times.append(time.perf_counter() - t)
        if verbose:
            print(f"  kmc E-step {len(estep_times)}: {estep_times[-1]:.1f} s, "
                  f"inertia {r[1]:.1f}", file=sys.stderr, flush=True)
        return r

    kmc_mod._labels_constrained = timed_labels
    try:
        model = KMeansConstrained(n_clusters=k, size_min=size_min, size_max=size_max,
                                  random_state=0, n_init=n_init, max_iter=max_iter, tol=tol)
        t0 = time.perf_counter()
        c0 = time.process_time()
        model.fit(X)
        fit_s = time.perf_counter() - t0
        fit_cpu = time.process_time() - c0
    finally:
        kmc_mod._labels_constrained = orig

    settings = {
        "n_clusters": k, "size_min": size_min, "size_max": size_max,
        "random_state": 0, "n_init": n_init, "max_iter": max_iter, "tol": tol,
        "init": "k-means++", "n_jobs": 1,
    }
    info = {
        "settings": settings,
        "fit_seconds": fit_s,
        "fit_cpu_seconds": fit_cpu,
        "n_iter": int(model.n_iter_),
        "converged": None,  # filled below
        "inertia_km2": float(model.inertia_),
        "estep_seconds": [round(t, 3) for t in estep_times],
    }
    # The library stops early only when the centre shift falls under tol.
    info["converged"] = int(model.n_iter_) < max_iter
    return [int(v) for v in model.labels_], info


def versions():
    out = {"python": platform.python_version()}
    for mod in ("numpy", "scipy", "ortools", "k_means_constrained"):
        try:
            m = __import__(mod)
            out[mod] = getattr(m, "__version__", "?")
        except Exception:  # noqa: BLE001 - informational only
            out[mod] = None
    out["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE")
    out["cpus"] = os.cpu_count()
    return out


def fmt_pct(x):
    return f"{100.0 * x:.2f} %"


def fmt_opt(x, spec, unit=""):
    return "n/a" if x is None else f"{x:{spec}}{unit}"


def fmt_mib(kib):
    return "unknown" if kib is None else f"{kib / 1024:.0f} MiB"


def render_table(result):
    """Markdown side-by-side of a RESULT.json (with `process` figures if present)."""
    ours, kmc, inst = result["ours"], result["k_means_constrained"], result["instance"]
    op = ours.get("process") or {}
    kp = kmc.get("process") or {}
    our_t = op.get("wall_seconds") if op.get("wall_seconds") is not None else ours.get("wall_seconds")
    kmc_fit = kmc["fit_seconds"]
    s = kmc["settings"]
    lines = [
        f"n = {inst['n']}, k = {inst['k']}; k-means-constrained {result['versions'].get('k_means_constrained')}: "
        f"n_init={s['n_init']}, max_iter={s['max_iter']}, tol={s['tol']}, size {s['size_min']}..{s['size_max']}, "
        f"ran {kmc['n_iter']} iteration(s){'' if kmc['converged'] else ' (hit max_iter)'}",
        "",
        "| metric | territory plan | k-means-constrained |",
        "| --- | ---: | ---: |",
        f"| wall time, whole process (s) | {fmt_opt(our_t, '.1f')} | {fmt_opt(kp.get('wall_seconds'), '.1f')} |",
        f"| wall time, fit only (s) | | {kmc_fit:.1f} |",
    ]
    if op or kp:
        lines.append(f"| peak RSS | {fmt_mib(op.get('peak_rss_kib'))} | {fmt_mib(kp.get('peak_rss_kib'))} |")
    for crit in CRITERIA:
        lines.append(f"| max dev. {crit} | {fmt_pct(ours['max_deviation'][crit])} | "
                     f"{fmt_pct(kmc['max_deviation'][crit])} |")
    lines.append(f"| max dev. accounts (extra) | {fmt_pct(ours['max_deviation']['accounts'])} | "
                 f"{fmt_pct(kmc['max_deviation']['accounts'])} |")
    lines.append(f"| compactness (km²) | {ours['compactness_km2']:.4g} | {kmc['compactness_km2']:.4g} |")
    lines.append(f"| territories (non-empty) | {ours['territories']} | {kmc['territories']} |")
    if our_t is not None and kmc_fit > 0:
        lines.append("")
        lines.append(f"time ratio ours/theirs: {our_t / kmc_fit:.3f} (vs. their fit)"
                     + (f", {our_t / kp['wall_seconds']:.3f} (vs. their whole process)"
                        if kp.get("wall_seconds") else ""))
    return "\n".join(lines)


def report(args):
    """--report: add process measurements to an existing RESULT.json and print the table."""
    with open(args.report, encoding="utf-8") as f:
        result = json.load(f)
    result["ours"]["process"] = {"wall_seconds": args.our_seconds, "peak_rss_kib": args.our_rss_kib}
    result["k_means_constrained"]["process"] = {"wall_seconds": args.kmc_seconds,
                                                "peak_rss_kib": args.kmc_rss_kib}
    with open(args.report, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(render_table(result))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts")
    ap.add_argument("--k", type=int)
    ap.add_argument("--assignment", help="our assignment.csv (account, territory, workload_hours)")
    ap.add_argument("--summary", help="our plan's JSON summary, copied into the result")
    ap.add_argument("--out", help="RESULT.json")
    ap.add_argument("--max-iter", type=int, default=300,
                    help="k-means-constrained max_iter (default 300, the library's; each iteration "
                         "solves a min-cost flow over n*k arcs, ~8 s at n=100000, k=100)")
    ap.add_argument("--n-init", type=int, default=1)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--our-seconds", type=float, help="our wall time, for the ratio in the table")
    ap.add_argument("--labels-out", help="also write k-means-constrained's labels as CSV (account,territory)")
    ap.add_argument("--quiet", action="store_true", help="no per-iteration progress on stderr")
    ap.add_argument("--report", metavar="RESULT_JSON",
                    help="only add the process figures below (and --our-seconds) to RESULT_JSON "
                         "and print the table; runs nothing (stdlib only)")
    ap.add_argument("--our-rss-kib", type=float, help="with --report: our peak RSS")
    ap.add_argument("--kmc-seconds", type=float, help="with --report: kmc_compare's process wall time")
    ap.add_argument("--kmc-rss-kib", type=float, help="with --report: kmc_compare's peak RSS")
    args = ap.parse_args(argv)
    if args.report:
        return report(args)
    for name in ("accounts", "k", "assignment", "out"):
        if getattr(args, name) is None:
            ap.error(f"--{name} is required (unless --report)")

    t_load = time.perf_counter()
    ids, lat, lon, status = load_accounts(args.accounts)
    n = len(ids)
    if not 1 <= args.k <= n:
        ap.error("--k must be between 1 and the number of accounts")
    xs, ys, lat0, lon0 = project(lat, lon)
    ours = load_assignment(args.assignment)
    hours = [ours[a][1] if a in ours else 0.0 for a in ids]
    missing_hours = sum(1 for a in ids if a not in ours)
    our_labels = [ours[a][0] if a in ours else None for a in ids]
    load_s = time.perf_counter() - t_load
    print(f"loaded {n} accounts, {len(ours)} assignment rows in {load_s:.1f} s", file=sys.stderr)

    summary = None
    if args.summary:
        try:
            with open(args.summary, encoding="utf-8") as f:
                summary = json.load(f)
        except (OSError, ValueError) as e:
            print(f"warning: could not read {args.summary}: {e}", file=sys.stderr)
            summary = {"error": str(e)}

    print(f"fitting k-means-constrained: n={n} k={args.k} max_iter={args.max_iter} "
          f"n_init={args.n_init}", file=sys.stderr, flush=True)
    kmc_labels, kmc_info = run_kmc(xs, ys, args.k, args.n_init, args.max_iter, args.tol,
                                   verbose=not args.quiet)
    print(f"fit: {kmc_info['fit_seconds']:.1f} s, {kmc_info['n_iter']} iteration(s)",
          file=sys.stderr)

    if args.labels_out:
        with open(args.labels_out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["account", "territory"])
            w.writerows(zip(ids, kmc_labels))

    our_m = plan_metrics(our_labels, args.k, status, hours, xs, ys)
    our_m["accounts_missing_from_assignment"] = missing_hours
    id_set = set(ids)
    our_m["assignment_rows_for_unknown_accounts"] = sum(1 for a in ours if a not in id_set)
    kmc_m = plan_metrics(kmc_labels, args.k, status, hours, xs, ys)
    kmc_m.update(kmc_info)

    result = {
        "instance": {"accounts": args.accounts, "n": n, "k": args.k,
                     "projection": {"lat0": lat0, "lon0": lon0, "radius_km": EARTH_RADIUS_KM}},
        "ours": {"assignment": args.assignment, "summary_file": args.summary,
                 "wall_seconds": args.our_seconds, **our_m, "summary": summary},
        "k_means_constrained": kmc_m,
        "versions": versions(),
        "peak_rss_kib_this_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")

    print()
    print(render_table(result))
    if missing_hours:
        print(f"\nwarning: {missing_hours} accounts are missing from {args.assignment}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
