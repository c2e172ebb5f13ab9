#!/usr/bin/env python3
"""Side by side on the Solomon VRPTW instances in ../shared/data/solomon/:
`territory solve solomon`, VROOM (PyPI `pyvroom`) and PyVRP (PyPI `pyvrp`),
scored against the distance-only best-known costs (`NAME_distance` in BKS.json).

    bash benches/solomon_peers.sh            # makes the venv, then runs this
    python benches/solomon_peers.py [--time-limit 2] [--seed 1] [--only C101,R101]

Every tool gets the file's fleet (vehicle count and capacity), the time windows
and the service times. The peers need integer data: distances are scaled by
--scale and rounded for the objective; travel *durations* are scaled and rounded
up, so that a schedule that fits with the integer durations also fits with the
true ones. Each tool's routes are then re-scored with the unrounded Euclidean
distance and checked by this script (every customer exactly once, at most the
fleet, capacity, every service starting by its due date, back at the depot by
its due date), so a bad conversion shows up as infeasible rather than as a
good-looking cost.

Times are wall clock measured here: for ours the whole process (start, parse,
solve, print), for the peers model building plus solving in this process.
PyVRP stops at --time-limit (MaxRuntime). VROOM is run at
--vroom-exploration (default 5) with no time limit (not every pyvroom version
has one), so its time is whatever that level takes; it gets --vroom-threads
threads (default 1: ours and PyVRP search on one thread).
"""
import argparse
import json
import math
import pathlib
import statistics
import subprocess
import sys
import time

root = pathlib.Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--binary", default=str(root / "target/release/territory"))
parser.add_argument("--data", default=str(root.parent / "shared/data/solomon"))
parser.add_argument("--time-limit", type=float, default=2.0)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--scale", type=int, default=1000, help="integer scale of distances and times for the peers")
parser.add_argument("--vroom-exploration", type=int, default=5)
parser.add_argument("--vroom-threads", type=int, default=1)
parser.add_argument("--tools", default="ours,vroom,pyvrp")
parser.add_argument("--only", default="", help="comma-separated instance names")
parser.add_argument("--out", default=str(root / "target/bench/solomon_peers.json"))
args = parser.parse_args()
tools = [t for t in args.tools.split(",") if t]
EPS = 1e-6


# ---------------------------------------------------------------- instances

def read_solomon(path):
    lines = path.read_text().splitlines()
    name = lines[0].strip()
    vehicles = capacity = None
    nodes = []
    section = None
    for line in lines[1:]:
        head = line.strip().upper()
        if head.startswith("VEHICLE"):
            section = "vehicle"
            continue
        if head.startswith("CUSTOMER"):
            section = "customer"
            continue
        parts = line.split()
        if not parts or not parts[0].lstrip("-").isdigit():
            continue
        if section == "vehicle" and vehicles is None:
            vehicles, capacity = int(parts[0]), int(parts[1])
        elif section == "customer":
            cid, x, y, demand, ready, due, service = parts[:7]
            nodes.append({"id": int(cid), "x": float(x), "y": float(y), "demand": int(float(demand)),
                          "ready": float(ready), "due": float(due), "service": float(service)})
    assert vehicles and capacity and nodes, f"{path}: could not read VEHICLE/CUSTOMER sections"
    assert nodes[0]["id"] == 0, f"{path}: node 0 is not the depot"
    ids = [n["id"] for n in nodes]
    assert ids == list(range(len(nodes))), f"{path}: ids are not 0..n-1"
    n = len(nodes)
    dist = [[math.hypot(nodes[a]["x"] - nodes[b]["x"], nodes[a]["y"] - nodes[b]["y"]) for b in range(n)]
            for a in range(n)]
    return {"name": name or path.stem, "vehicles": vehicles, "capacity": capacity, "nodes": nodes, "dist": dist}


def check(inst, routes):
    """True distance of `routes` (lists of customer ids, depot 0 left out) and the
    list of what is wrong with them (empty when feasible)."""
    nodes, dist = inst["nodes"], inst["dist"]
    problems = []
    routes = [r for r in routes if r]
    if len(routes) > inst["vehicles"]:
        problems.append(f"{len(routes)} routes > fleet {inst['vehicles']}")
    seen = {}
    for r in routes:
        for c in r:
            seen[c] = seen.get(c, 0) + 1
    customers = set(range(1, len(nodes)))
    missing = customers - set(seen)
    if missing:
        problems.append(f"{len(missing)} customers not served")
    twice = [c for c, k in seen.items() if k > 1]
    if twice:
        problems.append(f"{len(twice)} customers served more than once")
    alien = [c for c in seen if c not in customers]
    if alien:
        problems.append(f"unknown ids {sorted(alien)[:5]}")
        return float("nan"), problems
    total = 0.0
    late = over = 0
    for r in routes:
        t, load, prev = nodes[0]["ready"], 0, 0
        for c in r:
            t = max(t + dist[prev][c], nodes[c]["ready"])
            if t > nodes[c]["due"] + EPS:
                late += 1
            t += nodes[c]["service"]
            load += nodes[c]["demand"]
            total += dist[prev][c]
            prev = c
        t += dist[prev][0]
        total += dist[prev][0]
        if t > nodes[0]["due"] + EPS:
            late += 1
        if load > inst["capacity"]:
            over += 1
    if late:
        problems.append(f"{late} visits after their due date")
    if over:
        problems.append(f"{over} routes over capacity")
    return total, problems


def scaled(v):
    return int(round(v * args.scale))


def scaled_up(v):
    """Scaled and rounded up (a hair of slack for float noise), for durations."""
    return int(math.ceil(v * args.scale - 1e-7))


# ---------------------------------------------------------------- the tools

def run_ours(path, inst):
    began = time.perf_counter()
    out = subprocess.run([args.binary, "solve", "solomon", str(path), "--time-limit", str(args.time_limit),
                          "--seed", str(args.seed), "--json", "--quiet"], capture_output=True, text=True)
    wall = time.perf_counter() - began
    if out.returncode != 0:
        raise RuntimeError(f"exit {out.returncode}: {out.stderr.strip()}")
    r = json.loads(out.stdout)
    return {"routes": r["routes"], "wall_s": wall, "reported_cost": r["cost"], "self_feasible": r["feasible"],
            "elapsed_ms": r["elapsed_ms"]}


def run_vroom(path, inst):
    import vroom
    nodes, n = inst["nodes"], len(inst["nodes"])
    began = time.perf_counter()
    cost = [[scaled(inst["dist"][a][b]) for b in range(n)] for a in range(n)]
    dur = [[scaled_up(inst["dist"][a][b]) for b in range(n)] for a in range(n)]
    problem = vroom.Input()
    problem.set_durations_matrix("car", dur)
    problem.set_costs_matrix("car", cost)
    depot = nodes[0]
    window = vroom.TimeWindow(scaled(depot["ready"]), scaled(depot["due"]))
    problem.add_vehicle([vroom.Vehicle(v + 1, start=0, end=0, capacity=[inst["capacity"]], time_window=window)
                         for v in range(inst["vehicles"])])
    problem.add_job([vroom.Job(c["id"], location=c["id"], delivery=[c["demand"]], default_service=scaled(c["service"]),
                               time_windows=[vroom.TimeWindow(scaled(c["ready"]), scaled(c["due"]))])
                     for c in nodes[1:]])
    # No timeout: not every pyvroom version has one, so the exploration level alone sets the effort.
    solution = problem.solve(exploration_level=args.vroom_exploration, nb_threads=args.vroom_threads)
    wall = time.perf_counter() - began
    frame = solution.routes
    routes = []
    for _, steps in frame.groupby("vehicle_id", sort=True):
        jobs = steps[steps["type"] == "job"]
        routes.append([int(j) for j in jobs["id"]])
    return {"routes": routes, "wall_s": wall, "reported_cost": solution.summary.cost / args.scale,
            "self_feasible": len(solution.unassigned) == 0, "unassigned": len(solution.unassigned)}


def run_pyvrp(path, inst):
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime
    nodes, n = inst["nodes"], len(inst["nodes"])
    began = time.perf_counter()
    model = Model()
    locations = [model.add_location(x=scaled(c["x"]), y=scaled(c["y"])) for c in nodes]
    depot = nodes[0]
    model.add_depot(locations[0], tw_early=scaled(depot["ready"]), tw_late=scaled(depot["due"]))
    client_ids = []
    for c in nodes[1:]:
        model.add_client(locations[c["id"]], delivery=[c["demand"]], service_duration=scaled(c["service"]),
                         tw_early=scaled(c["ready"]), tw_late=scaled(c["due"]))
        client_ids.append(c["id"])
    model.add_vehicle_type(num_available=inst["vehicles"], capacity=[inst["capacity"]],
                           tw_early=scaled(depot["ready"]), tw_late=scaled(depot["due"]))
    for a in range(n):
        for b in range(n):
            if a != b:
                model.add_edge(locations[a], locations[b], distance=scaled(inst["dist"][a][b]),
                               duration=scaled_up(inst["dist"][a][b]))
    result = model.solve(MaxRuntime(args.time_limit), seed=args.seed, display=False)
    wall = time.perf_counter() - began
    routes = []
    for route in result.best.routes():
        routes.append([client_ids[act.idx] for act in route if act.is_client()])
    return {"routes": routes, "wall_s": wall, "reported_cost": result.best.distance() / args.scale,
            "self_feasible": bool(result.is_feasible())}


RUNNERS = {"ours": run_ours, "vroom": run_vroom, "pyvrp": run_pyvrp}


def versions():
    found = {}
    from importlib import metadata
    for dist, tool in (("pyvroom", "vroom"), ("pyvrp", "pyvrp")):
        if tool in tools:
            try:
                found[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                found[dist] = None
    found["python"] = sys.version.split()[0]
    return found


# ---------------------------------------------------------------- run

data = pathlib.Path(args.data)
bks = json.loads((data / "BKS.json").read_text())
only = {s.strip().upper() for s in args.only.split(",") if s.strip()}
paths = [p for p in sorted(data.glob("*.txt")) if not only or p.stem.upper() in only]
if not paths:
    sys.exit(f"no instances in {data}")
rows = []
began_all = time.perf_counter()
for path in paths:
    inst = read_solomon(path)
    ref = bks[f"{path.stem}_distance"]["best_known_cost"]
    row = {"instance": path.stem, "bks": ref, "fleet": inst["vehicles"], "capacity": inst["capacity"], "tools": {}}
    for tool in tools:
        try:
            res = RUNNERS[tool](path, inst)
        except Exception as e:  # noqa: BLE001 - a failing tool is a result, not a stop
            row["tools"][tool] = {"error": f"{type(e).__name__}: {e}", "feasible": False}
            print(f"{path.stem} {tool}: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        cost, problems = check(inst, res["routes"])
        res.update({"cost": cost, "gap": (cost - ref) / ref, "n_routes": sum(1 for r in res["routes"] if r),
                    "feasible": not problems, "problems": problems})
        row["tools"][tool] = res
        print(f"{path.stem} {tool}: {cost:.2f} ({100 * res['gap']:+.2f}%) {res['n_routes']}/{inst['vehicles']} routes "
              f"{res['wall_s']:.2f}s {'ok' if not problems else '; '.join(problems)}", file=sys.stderr)
    rows.append(row)
total_s = time.perf_counter() - began_all


def cell(r):
    if "error" in r:
        return "error | | | |"
    return (f"{r['cost']:.2f} | {100 * r['gap']:+.2f}% | {r['n_routes']} | {r['wall_s']:.2f} | "
            f"{'yes' if r['feasible'] else 'NO'}")


print(f"## Solomon VRPTW, {args.time_limit:g} s: {', '.join(tools)}\n")
print("| instance | BKS (distance) | fleet | " + " | ".join(
    f"{t} cost | {t} gap | {t} routes | {t} s | {t} feasible" for t in tools) + " |")
print("|---|---:|---:|" + "---:|---:|---:|---:|:---:|" * len(tools))
for row in rows:
    print(f"| {row['instance']} | {row['bks']:.2f} | {row['fleet']} | "
          + " | ".join(cell(row["tools"][t]) for t in tools) + " |")

summary = {}
print("\n| tool | class | instances | feasible | mean gap | mean gap (feasible only) | mean s | max s |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for tool in tools:
    summary[tool] = {}
    for cls in ("C1", "R1", "all"):
        sel = [row["tools"][tool] for row in rows
               if (cls == "all" or row["instance"].upper().startswith(cls)) and "error" not in row["tools"][tool]]
        if not sel:
            continue
        feas = [r for r in sel if r["feasible"]]
        s = {"instances": len(sel), "feasible": len(feas),
             "mean_gap": statistics.fmean(r["gap"] for r in sel),
             "mean_gap_feasible": statistics.fmean(r["gap"] for r in feas) if feas else None,
             "mean_s": statistics.fmean(r["wall_s"] for r in sel), "max_s": max(r["wall_s"] for r in sel)}
        summary[tool][cls] = s
        fg = f"{100 * s['mean_gap_feasible']:.2f}%" if feas else "-"
        print(f"| {tool} | {cls} | {s['instances']} | {s['feasible']} | {100 * s['mean_gap']:.2f}% | {fg} | "
              f"{s['mean_s']:.2f} | {s['max_s']:.2f} |")
if "ours" in tools and "all" in summary.get("ours", {}):
    print()
    for tool in tools:
        if tool != "ours" and "all" in summary.get(tool, {}):
            ratio = summary["ours"]["all"]["mean_s"] / summary[tool]["all"]["mean_s"]
            summary[tool]["time_ratio_ours_over_theirs"] = ratio
            print(f"- ours mean time / {tool} mean time: {ratio:.2f}")
print(f"\nversions: {json.dumps(versions())}; vroom exploration {args.vroom_exploration}, "
      f"{args.vroom_threads} thread(s), no time limit; scale {args.scale}; seed {args.seed}; "
      f"total run {total_s:.0f} s")

out = pathlib.Path(args.out)
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text(json.dumps({"time_limit_s": args.time_limit, "seed": args.seed, "scale": args.scale,
                           "vroom_exploration": args.vroom_exploration, "vroom_threads": args.vroom_threads,
                           "versions": versions(), "total_s": total_s, "summary": summary, "instances": rows},
                          indent=2))
print(f"wrote {out}", file=sys.stderr)
