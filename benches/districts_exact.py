#!/usr/bin/env python3
"""Districting against proven optima (issue #11): the Hess model solved
exactly beside `territory plan`, on real units with their own adjacency.

Problem (the classic Hess model with contiguity, as in Validi, Buchanan &
Lykhovyd, OR 2022): k districts, each within ±TOL of the mean population,
contiguous on the given rook adjacency, minimising Σ population × squared km
from each unit to its district's centre *unit* (the member unit that
minimises the sum). Units are points (id, lat, lon, population) given to the
tool with `--adjacency`, `--compactness-weight population`, `--centre unit`;
distances are the tool's equirectangular km around the units' mean
latitude and longitude (as in districts_peers.py).

Exact side: the assignment MIP (x[i][j] = unit i in the district centred at
unit j; Σ_j x_ij = 1, x_ij ≤ x_jj, Σ_j x_jj = k, L·x_jj ≤ Σ_i p_i x_ij ≤
U·x_jj) solved with SCIP (OR-Tools), contiguity by a,b-separator cuts added
in rounds (Validi et al.'s LCUT, without callbacks): a district in pieces
yields, for each piece S and each centre j outside S ∪ N(S),
x_ij ≤ Σ_{c∈N(S)} x_cj for every i in S. Pairs with p_i·d_ij² above our own
plan's objective are left out (they cannot be in any better plan), so the
optimum found is the optimum of the full model. The status column says
whether optimality was proven within --exact-seconds.

Units (all public):
- leeds, manchester: ../shared/data/districts (ONS population, OGL), full
  and as connected sub-areas of N units grown breadth-first from a unit;
- nc (100 North Carolina counties, 1974 births as the measure), ga (159
  Georgia counties, 1990 population), stl (78 St Louis-region counties,
  1988–93 population-years): libpysal's bundled examples (BSD-3), read from
  its wheel (downloaded once into target/bench/); rook adjacency from the
  counties' shared polygon edges.

Usage: python3 benches/districts_exact.py [--cases nc:4,ga:6,leeds-80a:3]
       [--tol 0.5] [--exact-seconds 300] [--binary target/release/territory]
       [--before OTHER_BINARY] [--cache target/bench/exact_optima.json]
A case is `units:k`, units being leeds, manchester, nc, ga, stl, or a
sub-area such as leeds-60a (60 units grown from the first seed unit; b, c…
grow from others). Proven optima (and proven infeasibility) are kept in the
cache file, so a second run only runs the tool(s). Makes
target/bench/venv-ortools (ortools from PyPI) on first use.
"""
import argparse
import csv
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import deque

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "bench", "venv-ortools")
VENV_PY = os.path.join(VENV, "bin", "python")
WHEELS = os.path.join(ROOT, "target", "bench", "wheels")
KM_PER_DEGREE = 6371.0088 * math.pi / 180  # the tool's EARTH_RADIUS_KM
DEFAULT_CASES = ("stl:3,stl:4,stl:6,nc:2,nc:3,nc:4,nc:6,ga:3,ga:5,ga:7,"
                 "leeds-60a:2,leeds-60a:3,leeds-60a:4,manchester-60a:3,manchester-60a:4,"
                 "leeds-100a:4,manchester-100a:5,leeds:2,manchester:2")


def ensure_venv():
    try:
        import ortools  # noqa: F401
        return
    except ImportError:
        pass
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        raise SystemExit("ortools is missing from " + VENV)
    if not os.path.exists(VENV_PY):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([VENV_PY, "-m", "pip", "install", "-q", "ortools"], check=True)
    os.execv(VENV_PY, [VENV_PY, os.path.abspath(__file__)] + sys.argv[1:])


# ------------------------------------------------------------------ units

def project(units):
    """The tool's km: equirectangular around the mean latitude and longitude."""
    lat0 = sum(u["lat"] for u in units) / len(units)
    lon0 = sum(u["lon"] for u in units) / len(units)
    cos0 = math.cos(math.radians(lat0))
    for u in units:
        u["x"] = (u["lon"] - lon0) * cos0 * KM_PER_DEGREE
        u["y"] = (u["lat"] - lat0) * KM_PER_DEGREE
    return units


def city_units(name):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from districts_peers import load_units  # the tool's polygon positions
    path = os.path.join(ROOT, "..", "shared", "data", "districts", f"{name}.geojson")
    if not os.path.exists(path):
        path = os.path.join(ROOT, "tests", "data", "districts", f"{name}.geojson")
    return [{"id": u["id"], "pop": u["pop"], "adj": list(u["adj"]), "lat": u["lat"], "lon": u["lon"]}
            for u in load_units(path)]


def libpysal_zip():
    os.makedirs(WHEELS, exist_ok=True)
    found = [f for f in os.listdir(WHEELS) if f.startswith("libpysal-4.14.1")]
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "libpysal==4.14.1", "-d", WHEELS], check=True)
        found = [f for f in os.listdir(WHEELS) if f.startswith("libpysal-4.14.1")]
    return zipfile.ZipFile(os.path.join(WHEELS, found[0]))


def read_dbf(b):
    n = struct.unpack("<I", b[4:8])[0]
    head, size = struct.unpack("<HH", b[8:12])
    fields = [(b[i:i + 11].split(b"\0")[0].decode("latin1"), b[i + 16])
              for i in range(32, head - 1, 32)]
    rows = []
    for r in range(n):
        off, row = head + r * size + 1, {}
        for name, width in fields:
            row[name] = b[off:off + width].decode("latin1").strip()
            off += width
        rows.append(row)
    return rows


def read_shp_rings(b):
    """Rings of each polygon record (shape type 5) of a .shp file."""
    shapes, off = [], 100
    while off < len(b):
        length = struct.unpack(">i", b[off + 4:off + 8])[0] * 2
        rec = b[off + 8:off + 8 + length]
        off += 8 + length
        parts, points = struct.unpack("<ii", rec[36:44])
        starts = list(struct.unpack(f"<{parts}i", rec[44:44 + 4 * parts])) + [points]
        base = 44 + 4 * parts
        pts = [struct.unpack("<2d", rec[base + 16 * i:base + 16 * i + 16]) for i in range(points)]
        shapes.append([pts[starts[p]:starts[p + 1]] for p in range(parts)])
    return shapes


def rook(shapes):
    """Neighbours sharing at least one polygon edge."""
    owner = {}
    adj = [set() for _ in shapes]
    for s, rings in enumerate(shapes):
        for ring in rings:
            for a, b in zip(ring, ring[1:]):
                key = (min(a, b), max(a, b))
                if key in owner and owner[key] != s:
                    adj[s].add(owner[key])
                    adj[owner[key]].add(s)
                owner[key] = s
    return adj


def ring_centroid(ring):
    a = cx = cy = 0.0
    x0, y0 = ring[0]
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        x1, y1, x2, y2 = x1 - x0, y1 - y0, x2 - x0, y2 - y0
        c = x1 * y2 - x2 * y1
        a += c
        cx += (x1 + x2) * c
        cy += (y1 + y2) * c
    return (x0 + cx / (3 * a), y0 + cy / (3 * a)) if a else ring[0]


def county_units(name):
    z = libpysal_zip()
    spec = {"nc": ("sids2/sids2", "BIR74"), "ga": ("georgia/G_utm", "TotPop90"),
            "stl": ("stl/stl_hom", "PO8893")}[name]
    rows = read_dbf(z.read(f"libpysal/examples/{spec[0]}.dbf"))
    shapes = read_shp_rings(z.read(f"libpysal/examples/{spec[0]}.shp"))
    adj = rook(shapes)
    units = []
    for i, (row, rings) in enumerate(zip(rows, shapes)):
        if name == "ga":  # UTM shapes; the table holds each county's lat/lon
            lat, lon = float(row["Latitude"]), float(row["Longitud"])
        else:
            big = max(rings, key=len)
            lon, lat = ring_centroid(big)
        units.append({"id": i + 1, "pop": float(row[spec[1]]), "lat": lat, "lon": lon,
                      "adj": sorted(j + 1 for j in adj[i])})
    return units


def sub_area(units, size, start):
    """`size` units grown breadth-first from the `start`-th unit (by id)."""
    by_id = {u["id"]: u for u in units}
    first = sorted(by_id)[start * 37 % len(by_id)]
    order, seen, queue = [], {first}, deque([first])
    while queue and len(order) < size:
        u = queue.popleft()
        order.append(u)
        for v in sorted(by_id[u]["adj"]):
            if v not in seen:
                seen.add(v)
                queue.append(v)
    keep = set(order)
    return [dict(by_id[u], adj=[v for v in by_id[u]["adj"] if v in keep]) for u in order]


def load_case(name):
    base, _, sub = name.partition("-")
    units = city_units(base) if base in ("leeds", "manchester") else county_units(base)
    if sub:
        units = sub_area(units, int(sub[:-1]), ord(sub[-1]) - ord("a"))
    return project(units)


# --------------------------------------------------------------- scoring

def d2(a, b):
    return (a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2


def pieces(members, by_id):
    members, seen, out = set(members), set(), []
    for s in sorted(members):
        if s in seen:
            continue
        comp, stack = [s], [s]
        seen.add(s)
        while stack:
            for v in by_id[stack.pop()]["adj"]:
                if v in members and v not in seen:
                    seen.add(v)
                    stack.append(v)
                    comp.append(v)
        out.append(comp)
    return out


def score(units, labels, k):
    """(max deviation, contiguous, Hess objective with the best centre units)."""
    by_id = {u["id"]: u for u in units}
    parts = {}
    for i, d in labels.items():
        parts.setdefault(d, []).append(i)
    mean = sum(u["pop"] for u in units) / k
    dev = max(abs(sum(by_id[i]["pop"] for i in m) - mean) / mean for m in parts.values())
    whole = len(parts) == k and all(len(pieces(m, by_id)) == 1 for m in parts.values())
    hess = sum(min(sum(by_id[i]["pop"] * d2(by_id[i], by_id[j]) for i in m) for j in m)
               for m in parts.values())
    return dev, whole, hess


# ----------------------------------------------------------------- exact

def exact(units, k, tol, upper, seconds):
    """Proven optimum of the Hess model with contiguity, or the best found."""
    from ortools.linear_solver import pywraplp
    by_id = {u["id"]: u for u in units}
    ids = [u["id"] for u in units]
    total = sum(u["pop"] for u in units)
    lo, hi = (1 - tol) * total / k, (1 + tol) * total / k
    cost = {(i, j): by_id[i]["pop"] * d2(by_id[i], by_id[j]) for i in ids for j in ids}
    allowed = [(i, j) for (i, j), c in cost.items()
               if (i == j or c <= upper * (1 + 1e-9)) and by_id[j]["pop"] <= hi]
    s = pywraplp.Solver.CreateSolver("SCIP")
    x = {(i, j): s.BoolVar(f"x{i}_{j}") for i, j in allowed}
    of_unit, of_centre = {}, {}
    for (i, j), v in x.items():
        of_unit.setdefault(i, []).append(v)
        of_centre.setdefault(j, []).append((i, v))
    for i in ids:
        s.Add(sum(of_unit.get(i, [])) == 1)
    centres = [j for j in ids if (j, j) in x]
    s.Add(sum(x[j, j] for j in centres) == k)
    for j in centres:
        load = sum(by_id[i]["pop"] * v for i, v in of_centre[j])
        s.Add(load <= hi * x[j, j])
        s.Add(load >= lo * x[j, j])
        for i, v in of_centre[j]:
            if i != j:
                s.Add(v <= x[j, j])
    s.Minimize(sum(cost[key] * v for key, v in x.items()))
    start, rounds, cuts = time.time(), 0, 0
    while True:
        left = seconds - (time.time() - start)
        if left <= 0:
            return None, "time", rounds, cuts
        s.SetTimeLimit(int(left * 1000))
        status = s.Solve()
        rounds += 1
        if status == pywraplp.Solver.INFEASIBLE:
            return None, "infeasible", rounds, cuts
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None, "time", rounds, cuts
        labels = {i: j for (i, j), v in x.items() if v.solution_value() > 0.5}
        added = 0
        for j in set(labels.values()):
            members = [i for i, c in labels.items() if c == j]
            for comp in pieces(members, by_id):
                if j in comp:
                    continue
                inside = set(comp)
                border = {v for u in comp for v in by_id[u]["adj"] if v not in inside}
                for jj in centres:
                    if jj in inside or jj in border:
                        continue
                    rhs = [x[c, jj] for c in border if (c, jj) in x]
                    for i in comp:
                        if (i, jj) in x:
                            s.Add(x[i, jj] <= sum(rhs))
                            added += 1
        cuts += added
        if added == 0:
            proven = status == pywraplp.Solver.OPTIMAL
            return labels, "optimal" if proven else "time", rounds, cuts


# ------------------------------------------------------------------ main

def run_tool(binary, units, k, tol, work, name):
    pts = os.path.join(work, f"{name}.csv")
    adj = os.path.join(work, f"{name}_adj.csv")
    with open(pts, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lat", "lon", "population"])
        for u in units:
            w.writerow([u["id"], repr(u["lat"]), repr(u["lon"]), repr(u["pop"])])
    with open(adj, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b"])
        w.writerows(sorted({(min(u["id"], v), max(u["id"], v)) for u in units for v in u["adj"]}))
    out = os.path.join(work, f"{name}-{k}")
    t0 = time.time()
    run = subprocess.run([binary, "plan", "--accounts", pts, "--territories", str(k),
                          "--balance", f"population:{tol * 100}%", "--compactness-weight",
                          "population", "--adjacency", adj, "--centre", "unit", "--out", out,
                          "-q"], capture_output=True, text=True)
    wall = time.time() - t0
    if run.returncode != 0:
        return None, wall, run.stderr.strip()[:100]
    labels = {int(r["account"]): r["territory"]
              for r in csv.DictReader(open(os.path.join(out, "assignment.csv")))}
    return labels, wall, ""


def optimum(cache, units, name, k, tol, upper, seconds):
    """The exact side for a case, from the cache when proven before."""
    key = f"{name}:{k}:{tol}"
    if key in cache and cache[key]["status"] in ("optimal", "infeasible"):
        return cache[key]
    t0 = time.time()
    best, status, rounds, cuts = exact(units, k, tol, upper, seconds)
    entry = {"status": status, "rounds": rounds, "cuts": cuts, "seconds": time.time() - t0,
             "hess": score(units, best, k)[2] if best is not None else None}
    if best is None and status == "infeasible" and upper < math.inf:
        # the model held every plan at least as good as ours, and none exists
        raise SystemExit(f"{key}: the exact model lost the tool's own plan")
    cache[key] = entry
    return entry


def ours(binary, units, name, k, tol, work):
    labels, wall, err = run_tool(binary, units, k, tol, work, name)
    if labels is None:
        return {"error": err, "seconds": wall}
    dev, whole, hess = score(units, labels, k)
    return {"dev": dev, "contiguous": whole, "hess": hess, "seconds": wall,
            "valid": dev <= tol + 1e-12 and whole}


def cell(r):
    if "error" in r:
        return f"exit: {r['error']}"
    miss = "" if r["valid"] or not r["contiguous"] else " (miss)"
    return (f"{r['dev'] * 100:.2f}%{miss} / {'yes' if r['contiguous'] else 'NO'} / "
            f"{r['hess']:.4g} / {r['seconds']:.2f}")


def ratio(r, ex):
    if "error" in r or not r["valid"] or ex["hess"] is None or ex["status"] != "optimal":
        return None
    return r["hess"] / ex["hess"]


def main():
    ensure_venv()
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default=DEFAULT_CASES)
    ap.add_argument("--tol", type=float, default=0.5)
    ap.add_argument("--exact-seconds", type=float, default=300)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "territory"))
    ap.add_argument("--before", help="a second binary, run beside --binary")
    ap.add_argument("--cache", default=os.path.join(ROOT, "target", "bench", "exact_optima.json"),
                    help="proven optima kept between runs")
    args = ap.parse_args()
    tol = args.tol / 100
    work = tempfile.mkdtemp(prefix="districts-exact-")
    cache = json.load(open(args.cache)) if os.path.exists(args.cache) else {}
    binaries = ([("before", args.before)] if args.before else []) + [("ours", args.binary)]
    head = " | ".join(f"{b}: max dev / contiguous / Hess / s" for b, _ in binaries)
    ratios_head = " | ".join(f"{b} / optimum" for b, _ in binaries)
    print(f"| case | units | k | {head} | exact: Hess / status / s | {ratios_head} |")
    print("|---|---:|---:|" + "---|" * len(binaries) + "---|" + "---:|" * len(binaries))
    ratios = {b: [] for b, _ in binaries}
    for case in args.cases.split(","):
        name, k = case.rsplit(":", 1)
        k = int(k)
        units = load_case(name)
        runs = [(b, ours(path, units, name, k, tol, work)) for b, path in binaries]
        upper = min((r["hess"] for _, r in runs if r.get("valid")), default=math.inf)
        ex = optimum(cache, units, name, k, tol, upper, args.exact_seconds)
        json.dump(cache, open(args.cache, "w"), indent=1)
        ex_cell = (f"{ex['hess']:.4g}" if ex["hess"] is not None else "–") + \
            f" / {ex['status']} / {ex['seconds']:.1f}"
        cells, rs = [], []
        for b, r in runs:
            cells.append(cell(r))
            q = ratio(r, ex)
            rs.append(f"{q:.3f}" if q else "")
            if q:
                ratios[b].append(q)
        print(f"| {name} | {len(units)} | {k} | {' | '.join(cells)} | {ex_cell} | {' | '.join(rs)} |",
              flush=True)
    for b, qs in ratios.items():
        if qs:
            gm = math.exp(sum(math.log(q) for q in qs) / len(qs))
            print(f"\n{b}: geometric mean over proven optima {gm:.4f} ({len(qs)} valid plans; "
                  f"worst {max(qs):.3f})")


if __name__ == "__main__":
    main()
