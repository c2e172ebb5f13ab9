#!/usr/bin/env python3
"""Peers for the districting benchmark (benches/districts.py): GerryChain's
ReCom and spopt's AZP on the same real basic units of Leeds and Manchester,
scored exactly as ours is, so their rows sit beside our planner's.

Problem (as in districts.py): k districts, each within ±TOL of the mean
population, contiguous on the units' own adjacency (`LIST_ADJACENT`),
objective = Hess / moment of inertia: Σ population × squared km from each
unit to its district's population-weighted mean centre.

Unit positions and projection are the ones `territory plan` uses for these
files: the polygon's centroid (planar, in lon/lat) when it lies inside the
polygon, else geo's interior point (midpoint of the widest slice along the
bounding box's middle latitude; 2 units of Leeds, 4 of Manchester), then an
equirectangular projection to km around the units' mean latitude and
longitude: x = (lon − lon0)·cos(lat0)·K, y = (lat − lat0)·K with
K = 6371.0088 km · π/180 = 111.195 km per degree (the tool's
EARTH_RADIUS_KM; 111.32 would scale every objective by 1.0022). Checked on
`territory plan` outputs (k = 8, both cities): the objective computed here
from its assignment.csv equals its summary's inertia_km2 to 1e-14.

GerryChain (ReCom):
- seed plan: gerrychain's recursive_tree_part at epsilon = TOL/100 on the
  POPULATION column, each try with bipartition_tree(max_attempts=
  --seed-attempts); a try that raises is retried with the next rng seed, up
  to --seed-tries tries or --seed-seconds, whichever comes first (defaults
  10 tries, 2000 trees, 60 s). No seed, no chain: the row says so. At ±0.5%
  with 8–15 units per district most tries fail at k ≥ 20; a 300 s budget
  finds one after 20–30 tries.
- optimiser: short bursts (Cannon et al. 2020, the scheme of GerryChain's
  SingleMetricOptimizer.short_bursts): bursts of --burst ReCom steps, every
  valid step accepted inside a burst, each burst restarting from the best
  plan seen so far; written out here so that it stops on the wall clock
  (--seconds) and survives a proposal that finds no balanced cut.
  (--accept greedy instead accepts only steps that do not worsen the
  objective.) ReCom: gerrychain.proposals.recom, epsilon = TOL/100, pair
  reselection after 200 spanning trees without a balanced cut; constraints
  within_percent_of_ideal_population(TOL/100) and contiguous. The Hess
  objective is kept incrementally from population tallies (Σp, Σp·x, Σp·y,
  Σp·|x|²) and recomputed from scratch for the report.
- "steps" = accepted ReCom steps; "found no cut" = proposals where every
  district pair failed to split within the tolerance. The chain stops on the
  wall clock, so its figures move a little with machine load.

spopt (AZP): nothing in spopt.region enforces a population band with exactly
k regions (RegionKMeansHeuristic, AZP, Skater, Spenc and Ward take k but no
balance; MaxPHeuristic takes a population floor but chooses the number of
regions itself), so AZP is run with k regions, contiguity on LIST_ADJACENT
and the Hess objective as its objective function, from its own random
start, to its local optimum: its figures are "no tolerance".

Every plan is checked here, independently of the library that made it:
population deviation per district, pieces per district on LIST_ADJACENT,
and the Hess objective with weighted-mean centres.

Usage: python3 benches/districts_peers.py [--cities leeds,manchester]
       [--k 4,8,12,16,20,24,30] [--tol 0.5] [--seconds 10] [--seed 1]
       [--accept bursts|greedy] [--burst 10] [--no-spopt]
Makes (or reuses) the venv target/bench/venv-districts with gerrychain and,
when it installs, spopt, and re-runs itself inside it. One process, one core.
Data: ../shared/data/districts/ (tests/data/districts/ has Leeds for a clone
without it).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "bench", "venv-districts")
VENV_PY = os.path.join(VENV, "bin", "python")
KM_PER_DEGREE = 6371.0088 * math.pi / 180  # the tool's EARTH_RADIUS_KM
SPOPT_FAILED = os.path.join(VENV, ".spopt-install-failed")


# ---------------------------------------------------------------- venv

def has_module(name):
    return subprocess.run([VENV_PY, "-c", f"import {name}"], capture_output=True).returncode == 0


def ensure_venv():
    """Create the venv with the peers, then re-run this script inside it."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(VENV_PY):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    pip = [VENV_PY, "-m", "pip", "install", "-q"]
    if not has_module("gerrychain"):
        subprocess.run(pip + ["gerrychain"], check=True)
    # spopt is optional: one try of a few minutes, remembered when it fails.
    if not has_module("spopt") and not os.path.exists(SPOPT_FAILED):
        try:
            ok = subprocess.run(pip + ["spopt"], timeout=300).returncode == 0
        except subprocess.TimeoutExpired:
            ok = False
        if not ok:
            open(SPOPT_FAILED, "w").close()
            print("note: spopt did not install; its rows are skipped "
                  f"(delete {SPOPT_FAILED} to try again)", file=sys.stderr)
    os.execv(VENV_PY, [VENV_PY, os.path.abspath(__file__)] + sys.argv[1:])


# ------------------------------------------------------------ geometry

def ring_centroid(ring):
    """Planar area centroid of a closed ring (lon, lat)."""
    a = cx = cy = 0.0
    x0, y0 = ring[0]
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        # relative to the first vertex, for precision (as geo does)
        x1, y1, x2, y2 = x1 - x0, y1 - y0, x2 - x0, y2 - y0
        c = x1 * y2 - x2 * y1
        a += c
        cx += (x1 + x2) * c
        cy += (y1 + y2) * c
    return x0 + cx / (3 * a), y0 + cy / (3 * a)


def inside(pt, ring):
    x, y = pt
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def interior_point(ring):
    """geo's InteriorPoint for a polygon: scan the bounding box's middle
    latitude, take the midpoint of the widest slice that lies inside."""
    ys = [p[1] for p in ring]
    y = (min(ys) + max(ys)) / 2
    if y in ys:  # geo nudges the scan line off vertices the same way
        y = (y + min((v for v in ys if v != y), key=lambda v: abs(v - y))) / 2
    xs = sorted(x1 + (y - y1) * (x2 - x1) / (y2 - y1)
                for (x1, y1), (x2, y2) in zip(ring, ring[1:]) if (y1 - y) * (y2 - y) < 0)
    for length, mid in sorted(((b - a, (a + b) / 2) for a, b in zip(xs, xs[1:])), reverse=True):
        if inside((mid, y), ring):
            return mid, y
    return ring[0]


def load_units(path):
    """Units with id, population, neighbours and planar km position."""
    g = json.load(open(path))
    units = []
    for f in g["features"]:
        p = f["properties"]
        geom = f["geometry"]
        if geom["type"] != "Polygon" or len(geom["coordinates"]) != 1:
            # the data has none; holes or multipolygons would need geo's rules
            raise SystemExit(f"unit {p['ID']}: only single-ring Polygons are handled")
        ring = [tuple(c[:2]) for c in geom["coordinates"][0]]
        c = ring_centroid(ring)
        lon, lat = c if inside(c, ring) else interior_point(ring)
        units.append({"id": p["ID"], "pop": p["POPULATION"], "adj": p["LIST_ADJACENT"],
                      "lon": lon, "lat": lat})
    lat0 = sum(u["lat"] for u in units) / len(units)
    lon0 = sum(u["lon"] for u in units) / len(units)
    cos0 = math.cos(math.radians(lat0))
    for u in units:
        u["x"] = (u["lon"] - lon0) * cos0 * KM_PER_DEGREE
        u["y"] = (u["lat"] - lat0) * KM_PER_DEGREE
    return units


# -------------------------------------------------- independent checks

def check(units, labels, k):
    """(max deviation, contiguous, Hess Σ pop × km²) of a plan {id: district}."""
    by_id = {u["id"]: u for u in units}
    parts = {}
    for i, d in labels.items():
        parts.setdefault(d, []).append(i)
    mean = sum(u["pop"] for u in units) / k
    pops = [sum(by_id[i]["pop"] for i in m) for m in parts.values()]
    dev = max(abs(p - mean) / mean for p in pops) if len(parts) == k else 1.0
    whole = len(parts) == k and all(pieces(m, by_id) == 1 for m in parts.values())
    hess = 0.0
    for m, w in zip(parts.values(), pops):
        cx = sum(by_id[i]["pop"] * by_id[i]["x"] for i in m) / w
        cy = sum(by_id[i]["pop"] * by_id[i]["y"] for i in m) / w
        hess += sum(by_id[i]["pop"] * ((by_id[i]["x"] - cx) ** 2 + (by_id[i]["y"] - cy) ** 2)
                    for i in m)
    return dev, whole, hess


def pieces(members, by_id):
    members, seen, count = set(members), set(), 0
    for s in members:
        if s in seen:
            continue
        count += 1
        seen.add(s)
        stack = [s]
        while stack:
            for v in by_id[stack.pop()]["adj"]:
                if v in members and v not in seen:
                    seen.add(v)
                    stack.append(v)
    return count


# ---------------------------------------------------------- GerryChain

def run_gerrychain(units, k, args):
    """Seed with recursive_tree_part, then optimise with ReCom short bursts."""
    import random
    import warnings
    from functools import partial

    import networkx as nx
    from gerrychain import Graph, Partition
    from gerrychain.constraints import Validator, contiguous, within_percent_of_ideal_population
    from gerrychain.partition import recursive_tree_part
    from gerrychain.proposals import recom
    from gerrychain.proposals.tree_proposals import MetagraphError
    from gerrychain.tree import PopulationBalanceError, bipartition_tree
    from gerrychain.updaters import Tally

    warnings.simplefilter("ignore")  # "failed to find a balanced cut" chatter
    eps = args.tol / 100
    nxg = nx.Graph()
    for u in units:
        p = u["pop"]
        nxg.add_node(u["id"], POPULATION=p, px=p * u["x"], py=p * u["y"],
                     pq=p * (u["x"] ** 2 + u["y"] ** 2))
    for u in units:
        nxg.add_edges_from((u["id"], v) for v in u["adj"])
    graph = Graph.from_networkx(nxg)
    ideal = sum(u["pop"] for u in units) / k

    t0 = time.time()
    seed_plan, tries, errors = None, 0, []
    while tries < args.seed_tries and time.time() - t0 < args.seed_seconds:
        try:
            seed_plan = recursive_tree_part(
                graph, list(range(k)), ideal, "POPULATION", eps,
                bipartition_tree_fn=partial(bipartition_tree, max_attempts=args.seed_attempts),
                rng=args.seed + tries)
        except (RuntimeError, PopulationBalanceError) as e:  # no balanced cut found
            errors.append(type(e).__name__)
        tries += 1
        if seed_plan is not None:
            break
    seed_time = time.time() - t0
    if seed_plan is None:
        return None, {"time": seed_time,
                      "notes": f"no seed plan within ±{args.tol}% after {tries} tries "
                               f"({seed_time:.0f} s; {', '.join(sorted(set(errors)))})"}

    # Hess of one district from its tallies: Σp|x|² − |Σp·x|² / Σp.
    def hess(part):
        w, px, py, pq = part["population"], part["px"], part["py"], part["pq"]
        return sum(pq[d] - (px[d] ** 2 + py[d] ** 2) / w[d] for d in w)

    updaters = {"population": Tally("POPULATION", alias="population"),
                "px": Tally("px", alias="px", dtype_fn=float),
                "py": Tally("py", alias="py", dtype_fn=float),
                "pq": Tally("pq", alias="pq", dtype_fn=float)}
    start = Partition(graph, seed_plan, updaters)
    valid = Validator([within_percent_of_ideal_population(start, eps), contiguous])
    rng = random.Random(args.seed)
    propose = partial(recom, pop_col="POPULATION", pop_target=ideal, epsilon=eps,
                      bipartition_tree_fn=partial(bipartition_tree, max_attempts=200,
                                                  allow_pair_reselection=True),
                      rng=rng)

    best, best_score = start, hess(start)
    cur, cur_score = start, best_score
    steps = proposals = failed = 0
    t1 = time.time()
    while time.time() - t1 < args.seconds:
        if args.accept == "bursts" and steps % args.burst == 0:
            cur, cur_score = best, best_score  # each burst restarts from the best plan
        proposals += 1
        try:
            nxt = propose(cur)
        except (MetagraphError, RuntimeError):  # no pair could be split within the band
            failed += 1
            continue
        if not valid(nxt):  # recom keeps both halves in band, so rarely
            continue
        score = hess(nxt)
        if args.accept == "greedy" and score > cur_score:
            continue
        cur, cur_score = nxt, score
        steps += 1
        if score <= best_score:
            best, best_score = nxt, score
    chain_time = time.time() - t1

    to_id = graph.original_nx_node_id_for_internal_node_id
    labels = {to_id(n): d for n, d in best.assignment.items()}
    seed_labels = {to_id(n): d for n, d in start.assignment.items()}
    return labels, {"time": seed_time + chain_time, "seed_time": seed_time, "tries": tries,
                    "chain_time": chain_time, "steps": steps, "proposals": proposals,
                    "failed": failed, "seed_labels": seed_labels}


# --------------------------------------------------------------- spopt

def run_azp(units, k, args):
    """spopt's AZP with k regions and the Hess objective; no population band."""
    import random

    import numpy as np
    from libpysal.weights import W
    from spopt.region.azp import AZPOrig
    from spopt.region.objective_function import ObjectiveFunction

    class Hess(ObjectiveFunction):
        """Σ p·|x − weighted mean|² per region; attr columns are x, y, p."""

        def __init__(self):
            super().__init__(None)

        @staticmethod
        def inertia(a):
            w = a[:, 2].sum()
            if w == 0:
                return 0.0
            c = (a[:, :2] * a[:, 2:3]).sum(axis=0) / w
            return float((a[:, 2] * ((a[:, :2] - c) ** 2).sum(axis=1)).sum())

        def __call__(self, labels, attr):
            return sum(self.inertia(attr[labels == r]) for r in set(labels))

        def update(self, moving_area, recipient_region, labels, attr):
            donor = labels == labels[moving_area]
            recip = labels == recipient_region
            donor_after, recip_after = donor.copy(), recip.copy()
            donor_after[moving_area] = False
            recip_after[moving_area] = True
            return (self.inertia(attr[donor_after]) + self.inertia(attr[recip_after])
                    - self.inertia(attr[donor]) - self.inertia(attr[recip]))

    ids = [u["id"] for u in units]
    pos = {i: n for n, i in enumerate(ids)}
    w = W({pos[u["id"]]: [pos[v] for v in u["adj"]] for u in units}, silence_warnings=True)
    attr = np.array([[u["x"], u["y"], u["pop"]] for u in units], dtype=float)
    random.seed(args.seed)  # AZP's initial regions and move order use `random`
    np.random.seed(args.seed)
    t0 = time.time()
    model = AZPOrig(random_state=args.seed)
    model.fit_from_w(w, attr, k, objective_func=Hess())
    wall = time.time() - t0
    labels = {ids[n]: int(r) for n, r in enumerate(model.labels_)}
    return labels, {"time": wall, "notes": "no tolerance: AZP takes k but no population "
                                           "band; own random start, to local optimum"}


# ---------------------------------------------------------------- main

def data_dir():
    shared = os.path.join(ROOT, "..", "shared", "data", "districts")
    return shared if os.path.isdir(shared) else os.path.join(ROOT, "tests", "data", "districts")


def row(city, k, peer, dev, whole, hess, wall, notes, tol):
    miss = "" if dev <= tol / 100 + 1e-12 else " (miss)"
    print(f"| {city} | {k} | {peer} | {dev * 100:.2f}%{miss} | {'yes' if whole else 'NO'} | "
          f"{hess:.4g} | {wall:.1f} s | {notes} |", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cities", default="leeds,manchester")
    ap.add_argument("--k", default="4,8,12,16,20,24,30")
    ap.add_argument("--tol", type=float, default=0.5, help="population tolerance, percent")
    ap.add_argument("--seconds", type=float, default=10, help="ReCom budget per case")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--accept", choices=["bursts", "greedy"], default="bursts")
    ap.add_argument("--burst", type=int, default=10, help="steps per short burst")
    ap.add_argument("--seed-tries", type=int, default=10)
    ap.add_argument("--seed-attempts", type=int, default=2000,
                    help="spanning trees per cut in recursive_tree_part")
    ap.add_argument("--seed-seconds", type=float, default=60)
    ap.add_argument("--no-spopt", action="store_true")
    args = ap.parse_args()
    ensure_venv()
    try:
        import spopt  # noqa: F401
        have_spopt = not args.no_spopt
    except ImportError:
        have_spopt = False
        if not args.no_spopt:
            print("note: spopt is not installed; AZP rows skipped", file=sys.stderr)

    print("| city | k | peer | max deviation | contiguous | Σ pop × km² | time | notes |")
    print("|---|---:|---|---:|:---:|---:|---:|---|")
    for city in args.cities.split(","):
        geo = os.path.join(data_dir(), f"{city}.geojson")
        if not os.path.exists(geo):
            print(f"skipped {city}: no {geo}", file=sys.stderr)
            continue
        units = load_units(geo)
        for k in [int(x) for x in args.k.split(",")]:
            labels, info = run_gerrychain(units, k, args)
            if labels is None:
                print(f"| {city} | {k} | GerryChain ReCom | – | – | – | {info['time']:.1f} s | "
                      f"{info['notes']} |", flush=True)
            else:
                dev, whole, hess = check(units, labels, k)
                seed_hess = check(units, info["seed_labels"], k)[2]
                notes = (f"seed: try {info['tries']}, {info['seed_time']:.1f} s, Σ {seed_hess:.4g}; "
                         f"{args.accept}: {info['steps']} steps of {info['proposals']} proposals "
                         f"({info['failed']} found no cut) in {info['chain_time']:.0f} s")
                row(city, k, "GerryChain ReCom", dev, whole, hess, info["time"], notes, args.tol)
            if have_spopt:
                labels, info = run_azp(units, k, args)
                dev, whole, hess = check(units, labels, k)
                row(city, k, "spopt AZP", dev, whole, hess, info["time"], info["notes"], args.tol)


if __name__ == "__main__":
    main()
