#!/usr/bin/env python3
"""Side by side: a `territory plan` result vs PyPI spopt regionalisation and
PyPI k-means-constrained, on the same accounts.

    python benches/regions_compare.py --accounts FILE.csv --k 20 \
        --ours-assignment OUR/assignment.csv --ours-summary OUR.json \
        --out RESULT.json [--ours-wall S] [--ours-rss-kib KIB] \
        [--timeout 300] [--methods all|NAME,NAME,...]

Needs numpy, scipy, pandas, libpysal, spopt and k-means-constrained (see
benches/regions_compare.sh, which makes a venv for them).

1. Loads the accounts CSV (id, lat, lon, status, ...) and projects lat/lon to
   planar km, equirectangular around the mean latitude (x = R*lon*cos(lat0),
   y = R*lat, R = 6371.0088 km, shifted to the mean point).
2. Builds the Delaunay triangulation of the projected points
   (scipy.spatial.Delaunay); its edges are the adjacency for every plan, as
   a libpysal W for spopt and as a sparse graph for the contiguity check.
3. Runs each peer in a forked child process, timing the solve call (wall
   clock) inside the child; a peer still running after --timeout seconds
   (default 300) is killed and reported as skipped. Peers:

   spopt (all produce regions that are connected on the W they are given):
     rkm-measures    RegionKMeansHeuristic(K), attributes = the three
                     measures (customer indicator, prospect indicator,
                     workload hours), z-scored
     rkm-xy          RegionKMeansHeuristic(K), attributes = x, y (km): the
                     geographic reading (contiguous compact k-means)
     skater-measures Skater(n_clusters=K, floor=floor(n/K*0.95)), measures
     skater-xy       Skater(n_clusters=K, floor=...), x, y
     ward-measures   WardSpatial(n_clusters=K) = sklearn Ward agglomerative
                     with the W as connectivity, measures
     ward-xy         WardSpatial(n_clusters=K), x, y
     azp-measures    AZP(n_clusters=K), measures (pairwise objective)
     random-card     RandomRegion(num_regions=K, cardinality = n/K each,
                     contiguity=W, compact=True): exact sizes, random shapes
   Skater's dissimilarity is manhattan + 1e-9: spopt drops W edges whose
   attribute distance is exactly 0 (neighbours with equal measures are
   common: the indicators are 0/1, hours repeat), which would split the
   graph into islands and make Skater raise n_clusters.

   kmc   KMeansConstrained(n_clusters=K, size_min=floor(n/K*0.95),
         size_max=ceil(n/K*1.05), random_state=0, n_init=--kmc-n-init) on
         x, y; no contiguity constraint.

4. Scores every plan (ours: column `territory` of our assignment.csv) the
   same way: max over territories of |v - total/K| / (total/K) for
   customers (count), prospects (count), workload (sum of our per-account
   `workload_hours`, the same hours for every plan) and, as an extra,
   accounts (count); contiguity: the number of territories that are not one
   connected component of the Delaunay graph; compactness: sum over accounts
   of squared km to the territory's mean point; wall time and the time ratio
   ours/theirs (ours = --ours-wall, the whole `territory plan` process,
   else the summary's elapsed_ms).
5. Writes RESULT.json and prints a markdown table.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import multiprocessing as mp
import os
import platform
import sys
import time
import traceback
import warnings

EARTH_RADIUS_KM = 6371.0088
CRITERIA = ("customers", "prospects", "workload")
ALL_METHODS = ("rkm-measures", "rkm-xy", "skater-measures", "skater-xy",
               "ward-measures", "ward-xy", "azp-measures", "random-card", "kmc")


# --------------------------------------------------------------------------
# data


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
    import numpy as np
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    lat0, lon0 = lat.mean(), lon.mean()
    k = EARTH_RADIUS_KM * math.pi / 180.0
    x = (lon - lon0) * math.cos(math.radians(lat0)) * k
    y = (lat - lat0) * k
    return np.column_stack([x, y]), float(lat0)


def load_assignment(path, ids):
    """Our territory label and workload hours per account, in accounts order."""
    rows = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"account", "territory", "workload_hours"} - set(reader.fieldnames or [])
        if missing:
            raise SystemExit(f"{path}: missing column(s) {sorted(missing)}; has {reader.fieldnames}")
        for row in reader:
            t = (row["territory"] or "").strip()
            wh = (row["workload_hours"] or "").strip()
            rows[row["account"]] = (t or None, float(wh) if wh else 0.0)
    absent = [i for i in ids if i not in rows]
    if absent:
        raise SystemExit(f"{path}: {len(absent)} account(s) missing, e.g. {absent[:3]}")
    labels = [rows[i][0] for i in ids]
    hours = [rows[i][1] for i in ids]
    return labels, hours


def delaunay_adjacency(P):
    """Sorted unique undirected edges (i < j) of the Delaunay triangulation."""
    import numpy as np
    from scipy.spatial import Delaunay
    tri = Delaunay(P)
    s = tri.simplices
    e = np.concatenate([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
    e.sort(axis=1)
    e = np.unique(e, axis=0)
    return e, len(tri.coplanar)


def make_w(n, edges):
    import libpysal
    neigh = {i: [] for i in range(n)}
    for a, b in edges.tolist():
        neigh[a].append(b)
        neigh[b].append(a)
    return libpysal.weights.W(neigh, id_order=list(range(n)), silence_warnings=True)


# --------------------------------------------------------------------------
# scoring


def score(labels, k, status, hours, P, edges):
    """Balance, contiguity and compactness of one plan (labels: hashable or None)."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(labels)
    codes = {}
    lab = np.full(n, -1, dtype=np.int64)
    for i, t in enumerate(labels):
        if t is None:
            continue
        lab[i] = codes.setdefault(t, len(codes))
    m = len(codes)
    assigned = lab >= 0
    unassigned = int((~assigned).sum())
    cust = np.array([s == "customer" for s in status], dtype=np.float64)
    meas = {
        "customers": cust,
        "prospects": 1.0 - cust,
        "workload": np.asarray(hours, dtype=np.float64),
        "accounts": np.ones(n),
    }
    empty = max(0, k - m)
    k_eff = max(k, m)  # more regions than K (never with K-region methods): target uses that count
    out = {"regions": m, "empty_territories": empty, "unassigned_accounts": unassigned,
           "max_deviation": {}, "min_max": {}}
    for name, v in meas.items():
        sums = np.bincount(lab[assigned], weights=v[assigned], minlength=m)
        vals = np.concatenate([sums, np.zeros(empty)])
        target = v.sum() / k_eff
        out["max_deviation"][name] = float(np.max(np.abs(vals - target)) / target) if target > 0 else 0.0
        out["min_max"][name] = [float(vals.min()), float(vals.max())]

    # contiguity: keep only Delaunay edges inside one territory, count components
    a, b = edges[:, 0], edges[:, 1]
    keep = (lab[a] == lab[b]) & (lab[a] >= 0)
    g = coo_matrix((np.ones(int(keep.sum())), (a[keep], b[keep])), shape=(n, n))
    _, comp = connected_components(g, directed=False)
    frag = []
    for t in range(m):
        ncomp = len(np.unique(comp[lab == t]))
        if ncomp > 1:
            frag.append(ncomp)
    out["fragmented_territories"] = len(frag)
    out["extra_components"] = int(sum(c - 1 for c in frag))
    out["contiguous"] = not frag

    # compactness: sum of squared km to the territory's mean point
    inertia = 0.0
    for t in range(m):
        Q = P[lab == t]
        inertia += float(((Q - Q.mean(axis=0)) ** 2).sum())
    out["inertia_km2"] = inertia
    return out


# --------------------------------------------------------------------------
# peers (each runs in a forked child; returns (labels, info))


def bounds(n, k, tol):
    # round() guards against 2000/20*1.05 = 105.00000000000001 -> 106
    return math.floor(round(n / k * (1 - tol), 9)), math.ceil(round(n / k * (1 + tol), 9))


def peer(method, ctx):
    import numpy as np
    import pandas as pd

    P, M, w, k, seed, tol = ctx["P"], ctx["M"], ctx["w"], ctx["k"], ctx["seed"], ctx["tol"]
    n = P.shape[0]
    floor_, ceil_ = bounds(n, k, tol)
    Mz = (M - M.mean(axis=0)) / M.std(axis=0)
    df = pd.DataFrame({"customer": Mz[:, 0], "prospect": Mz[:, 1], "workload": Mz[:, 2],
                       "x": P[:, 0], "y": P[:, 1]})
    measures, xy = ["customer", "prospect", "workload"], ["x", "y"]
    fam, _, attrs = method.partition("-")
    cols = measures if attrs == "measures" else xy

    if fam == "rkm":
        from spopt.region import RegionKMeansHeuristic
        model = RegionKMeansHeuristic(df[cols].values, k, w, seed=seed)
        t0 = time.perf_counter()
        model.solve()
        el = time.perf_counter() - t0
        return model.labels_, el, {"class": "spopt.region.RegionKMeansHeuristic",
                                    "attrs": cols, "seed": seed, "iters": int(model.iters_)}
    if fam == "skater":
        from sklearn.metrics.pairwise import manhattan_distances
        from spopt.region import Skater

        def dissim(a, b=None):
            return manhattan_distances(a, b) + 1e-9

        model = Skater(df, w, cols, n_clusters=k, floor=floor_, islands="increase",
                       spanning_forest_kwds={"dissimilarity": dissim})
        t0 = time.perf_counter()
        model.solve()
        el = time.perf_counter() - t0
        return model.labels_, el, {"class": "spopt.region.Skater", "attrs": cols,
                                    "floor": floor_, "dissimilarity": "manhattan + 1e-9"}
    if fam == "ward":
        from spopt.region import WardSpatial
        model = WardSpatial(df, w, cols, n_clusters=k)
        t0 = time.perf_counter()
        model.solve()
        el = time.perf_counter() - t0
        return model.labels_, el, {"class": "spopt.region.WardSpatial", "attrs": cols}
    if fam == "azp":
        from spopt.region import AZP
        model = AZP(df, w, cols, n_clusters=k, random_state=seed)
        t0 = time.perf_counter()
        model.solve()
        el = time.perf_counter() - t0
        return model.labels_, el, {"class": "spopt.region.AZP", "attrs": cols,
                                    "random_state": seed, "objective": "pairwise (default)"}
    if fam == "random":
        from spopt.region import RandomRegion
        base, extra = divmod(n, k)
        card = [base + (1 if i < extra else 0) for i in range(k)]
        np.random.seed(seed)
        t0 = time.perf_counter()
        model = RandomRegion(list(range(n)), num_regions=k, cardinality=card, contiguity=w,
                             compact=True)
        el = time.perf_counter() - t0
        if not model.feasible:
            raise RuntimeError("RandomRegion found no feasible solution")
        labels = np.full(n, -1)
        for r, members in enumerate(model.regions):
            labels[np.asarray(members, dtype=int)] = r
        return labels, el, {"class": "spopt.region.RandomRegion", "cardinality": sorted(set(card)),
                            "compact": True, "numpy_seed": seed}
    if fam == "kmc":
        from k_means_constrained import KMeansConstrained
        model = KMeansConstrained(n_clusters=k, size_min=floor_, size_max=ceil_,
                                  random_state=seed, n_init=ctx["kmc_n_init"])
        t0 = time.perf_counter()
        model.fit(P)
        el = time.perf_counter() - t0
        return model.labels_, el, {"class": "k_means_constrained.KMeansConstrained",
                                    "attrs": ["x", "y"], "size_min": floor_, "size_max": ceil_,
                                    "random_state": seed, "n_init": ctx["kmc_n_init"]}
    raise ValueError(method)


def _child(method, ctx, conn):
    import resource
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            labels, el, info = peer(method, ctx)
        msgs = sorted({f"{c.category.__name__}: {str(c.message)[:200]}" for c in caught})
        info["warnings"] = msgs[:5]
        info["child_peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        conn.send(("ok", [int(x) for x in labels], el, info))
    except BaseException as e:  # noqa: BLE001
        conn.send(("error", f"{type(e).__name__}: {e}", traceback.format_exc()[-2000:], None))
    finally:
        conn.close()


def run_peer(method, ctx, timeout):
    mpc = mp.get_context("fork")
    parent, child = mpc.Pipe(duplex=False)
    p = mpc.Process(target=_child, args=(method, ctx, child), daemon=True)
    t0 = time.perf_counter()
    p.start()
    child.close()
    if parent.poll(timeout):
        try:
            msg = parent.recv()
        except EOFError:
            msg = ("error", f"child died (exit code {p.exitcode})", "", None)
        p.join(30)
    else:
        p.kill()
        p.join()
        return {"status": "skipped", "reason": f"still running after {timeout:.0f} s (killed)",
                "wall_s": None}
    outer = time.perf_counter() - t0
    if p.is_alive():
        p.kill()
        p.join()
    if msg[0] != "ok":
        if "died" in msg[1]:
            msg = ("error", f"child died (exit code {p.exitcode})", "", None)
        return {"status": "error", "reason": msg[1], "traceback": msg[2], "wall_s": None}
    _, labels, el, info = msg
    return {"status": "ok", "labels": labels, "wall_s": el, "process_wall_s": outer, "info": info}


# --------------------------------------------------------------------------
# report


def fmt_pct(x):
    return "—" if x is None else f"{100 * x:.1f} %"


def table(result):
    k = result["instance"]["k"]
    lines = [
        "| plan | regions | wall s | ours/theirs | customers | prospects | workload | accounts"
        " | fragmented | Σ km² to mean | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    ours_s = result["ours"]["wall_s"]
    for name, r in [("territory plan", result["ours"])] + list(result["peers"].items()):
        if r["status"] != "ok":
            lines.append(f"| {name} | — | — | — | — | — | — | — | — | — | {r['status']}: {r['reason']} |")
            continue
        s = r["score"]
        md = s["max_deviation"]
        ratio = "1" if name == "territory plan" else (
            f"{ours_s / r['wall_s']:.3g}" if r["wall_s"] > 0 else "—")
        frag = f"{s['fragmented_territories']} / {s['regions']}"
        note = []
        if s["regions"] != k:
            note.append(f"{s['regions']} regions, asked {k}")
        if s["unassigned_accounts"]:
            note.append(f"{s['unassigned_accounts']} unassigned")
        lines.append(
            f"| {name} | {s['regions']} | {r['wall_s']:.3g} | {ratio} | {fmt_pct(md['customers'])}"
            f" | {fmt_pct(md['prospects'])} | {fmt_pct(md['workload'])} | {fmt_pct(md['accounts'])}"
            f" | {frag} | {s['inertia_km2']:.4g} | {'; '.join(note)} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--ours-assignment", required=True)
    ap.add_argument("--ours-summary", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ours-wall", type=float, help="wall seconds of the whole `territory plan` "
                    "process (else the summary's elapsed_ms)")
    ap.add_argument("--ours-rss-kib", type=int)
    ap.add_argument("--tolerance", type=float, default=0.05)
    ap.add_argument("--timeout", type=float, default=300.0, help="per peer, seconds")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kmc-n-init", type=int, default=10)
    ap.add_argument("--methods", default="all", help=f"comma list of {','.join(ALL_METHODS)}")
    ap.add_argument("--labels-out", help="CSV with every plan's label per account")
    args = ap.parse_args(argv)

    import numpy as np
    methods = ALL_METHODS if args.methods == "all" else tuple(m.strip() for m in args.methods.split(","))
    bad = [m for m in methods if m not in ALL_METHODS]
    if bad:
        ap.error(f"unknown method(s) {bad}")

    t_all = time.perf_counter()
    ids, lat, lon, status = load_accounts(args.accounts)
    n, k = len(ids), args.k
    P, lat0 = project(lat, lon)
    ours_labels, hours = load_assignment(args.ours_assignment, ids)
    with open(args.ours_summary, encoding="utf-8") as f:
        summary = json.load(f)

    t0 = time.perf_counter()
    edges, coplanar = delaunay_adjacency(P)
    w = make_w(n, edges)
    graph_s = time.perf_counter() - t0
    print(f"accounts {n}, K {k}, Delaunay edges {len(edges)} (coplanar points {coplanar}), "
          f"W islands {len(w.islands)}, built in {graph_s:.2f} s", file=sys.stderr)

    cust = np.array([s == "customer" for s in status], dtype=np.float64)
    M = np.column_stack([cust, 1.0 - cust, np.asarray(hours)])
    ctx = {"P": P, "M": M, "w": w, "k": k, "seed": args.seed, "tol": args.tolerance,
           "kmc_n_init": args.kmc_n_init}

    ours_wall = args.ours_wall if args.ours_wall is not None else summary.get("elapsed_ms", 0) / 1000.0
    ours_score = score(ours_labels, k, status, hours, P, edges)
    cross = {}
    for c in summary.get("criteria", []):
        mine = ours_score["max_deviation"].get(c.get("criterion"))
        if mine is not None and c.get("max_deviation") is not None:
            cross[c["criterion"]] = {"summary": c["max_deviation"], "here": mine}
            if abs(mine - c["max_deviation"]) > 1e-3:
                print(f"warning: {c['criterion']}: summary max_deviation {c['max_deviation']:.4f}"
                      f" vs {mine:.4f} scored here", file=sys.stderr)
    ours = {
        "status": "ok", "wall_s": ours_wall,
        "wall_source": "--ours-wall (whole process)" if args.ours_wall is not None else "summary elapsed_ms",
        "elapsed_ms": summary.get("elapsed_ms"), "peak_rss_kib": args.ours_rss_kib,
        "summary_contiguous": (summary.get("contiguity") or {}).get("contiguous"),
        "summary_inertia_km2": (summary.get("compactness") or {}).get("inertia_km2"),
        "summary_balanced": summary.get("balanced"),
        "summary_vs_here": cross, "score": ours_score,
    }

    peers = {}
    all_labels = {"territory": ours_labels}
    for m in methods:
        print(f"== {m} (timeout {args.timeout:.0f} s)", file=sys.stderr, flush=True)
        r = run_peer(m, ctx, args.timeout)
        if r["status"] == "ok":
            labels = [None if x < 0 else x for x in r.pop("labels")]
            all_labels[m] = labels
            r["score"] = score(labels, k, status, hours, P, edges)
            r["time_ratio_ours_over_theirs"] = ours_wall / r["wall_s"] if r["wall_s"] > 0 else None
            s = r["score"]
            print(f"   {r['wall_s']:.2f} s, {s['regions']} regions, fragmented "
                  f"{s['fragmented_territories']}, max dev " + ", ".join(
                      f"{c} {100 * s['max_deviation'][c]:.1f}%" for c in CRITERIA),
                  file=sys.stderr, flush=True)
        else:
            print(f"   {r['status']}: {r['reason']}", file=sys.stderr, flush=True)
        peers[m] = r

    import importlib.metadata as md
    versions = {}
    for pkg in ("spopt", "libpysal", "scipy", "numpy", "k-means-constrained", "scikit-learn",
                "pandas", "networkx", "ortools"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    floor_, ceil_ = bounds(n, k, args.tolerance)
    result = {
        "instance": {"accounts_csv": args.accounts, "n": n, "k": k, "lat0": lat0,
                     "customers": int(cust.sum()), "prospects": int(n - cust.sum()),
                     "workload_hours": float(np.sum(hours)),
                     "delaunay_edges": int(len(edges)), "coplanar_points": int(coplanar),
                     "size_bounds": [floor_, ceil_], "tolerance": args.tolerance},
        "scoring": "max |v - total/K| / (total/K) over territories; workload = our per-account "
                   "workload_hours for every plan; fragmented = territories that are not one "
                   "connected component of the Delaunay graph; inertia = sum of squared km to "
                   "the territory mean point",
        "ours": ours, "peers": peers,
        "timeout_s": args.timeout,
        "versions": versions,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "total_s": time.perf_counter() - t_all,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    if args.labels_out:
        with open(args.labels_out, "w", newline="", encoding="utf-8") as f:
            wr = csv.writer(f, lineterminator="\n")
            names = list(all_labels)
            wr.writerow(["account"] + names)
            for i, a in enumerate(ids):
                wr.writerow([a] + [all_labels[nm][i] for nm in names])

    print(f"## territory plan vs spopt / k-means-constrained ({n} accounts, K={k})\n")
    print(table(result))
    print()
    print("max relative deviation from total/K per criterion; fragmented = territories not one "
          "Delaunay component; ours/theirs < 1 means territory plan is faster.")
    print(f"ours: {ours['wall_source']} {ours_wall:.2f} s (internal elapsed_ms "
          f"{summary.get('elapsed_ms')}); peers: solve call only, wall clock.")
    for m, r in peers.items():
        if r["status"] == "ok" and r.get("time_ratio_ours_over_theirs") is not None:
            print(f"time ratio ours/{m}: {r['time_ratio_ours_over_theirs']:.3g}")
    skipped = {m: r["reason"] for m, r in peers.items() if r["status"] != "ok"}
    for m, why in skipped.items():
        print(f"not scored: {m}: {why}")
    print("versions: " + ", ".join(f"{p} {v}" for p, v in versions.items() if v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
