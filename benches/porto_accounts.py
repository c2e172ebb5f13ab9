#!/usr/bin/env python3
"""Accounts and reps from the business POIs of an OpenStreetMap extract.

    python benches/porto_accounts.py --pbf ../shared/data/osm/porto.osm.pbf --out DIR [--reps K]

Needs pyosmium (`pip install osmium`); benches/porto_end_to_end.sh installs it
into target/bench-venv. Writes DIR/accounts.csv and DIR/reps.csv and prints
counts to stderr.

POIs: named nodes, and named ways (at the mean of their node locations), with
any of the tags
  shop, office, craft, healthcare             (any value but `no` / `vacant`)
  amenity  in BUSINESS_AMENITIES below
  tourism  hotel or guest_house
Relations are ignored. Ids are `osm-n<id>` / `osm-w<id>`; rows are sorted by
(type, numeric id).

Synthetic attributes are a pure function of the id: each draw is a uniform
number taken from SHA-256("<draw>:<id>"), so there is no randomness from the
clock or the run:
  status       ~40 % `customer`, else `prospect`
  revenue      customers: lognormal, median 20000 (sigma 1.0), whole euros;
               prospects: 0
  visits       per 4 weeks; customers 1 / 2 / 4 with probability .6 / .3 / .1;
               prospects 1
  service_min  30, or 45 for ~20 % of accounts
  windows      from `opening_hours` when it is `Mo-Fr HH:MM-HH:MM` (several
               ranges joined by commas are kept too, as `a-b;c-d`), else one
               of 09:00-18:00 / 10:00-12:30;14:00-19:00 / 08:00-17:00
  days         empty (every working day of the rep)

Reps: K = max(4, round(workload / 80 h)) where an account's workload per
4 weeks is visits × (service_min + 10) / 60 hours. Bases come from Lloyd's
k-means on the account coordinates (equirectangular projection), initialised
with every (n/K)-th account in id order, each centre then snapped to the
nearest account not taken by another base. Every rep works mon-fri
08:30-17:30, capacity 1.0, office PORTO.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import os
import re
import statistics
import sys
import time

import osmium

BUSINESS_AMENITIES = {
    "restaurant", "cafe", "bar", "pub", "fast_food", "ice_cream", "biergarten",
    "food_court", "nightclub", "bank", "bureau_de_change", "pharmacy", "clinic",
    "dentist", "doctors", "veterinary", "fuel", "car_rental", "car_wash",
    "marketplace", "cinema", "theatre",
}
ANY_VALUE_KEYS = ("shop", "office", "craft", "healthcare")
TOURISM = {"hotel", "guest_house"}
DEFAULT_WINDOWS = ["09:00-18:00", "10:00-12:30;14:00-19:00", "08:00-17:00"]
HOURS_PER_REP = 80.0
OPENING_RE = re.compile(
    r"^\s*Mo-Fr\s+(\d{2}:\d{2}-\d{2}:\d{2}(?:\s*,\s*\d{2}:\d{2}-\d{2}:\d{2})*)\s*$"
)


def is_business(tags) -> bool:
    if "name" not in tags:
        return False
    for key in ANY_VALUE_KEYS:
        value = tags.get(key)
        if value is not None and value not in ("no", "vacant"):
            return True
    if tags.get("amenity") in BUSINESS_AMENITIES:
        return True
    return tags.get("tourism") in TOURISM


class PoiHandler(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self.pois: dict[tuple[str, int], dict] = {}
        self.ways_without_locations = 0

    def _keep(self, kind: str, osm_id: int, tags, lat: float, lon: float) -> None:
        self.pois[(kind, osm_id)] = {
            "name": tags.get("name"),
            "lat": lat,
            "lon": lon,
            "opening_hours": tags.get("opening_hours", ""),
        }

    def node(self, n) -> None:
        if is_business(n.tags) and n.location.valid():
            self._keep("n", n.id, n.tags, n.location.lat, n.location.lon)

    def way(self, w) -> None:
        if not is_business(w.tags):
            return
        points = []
        for nd in w.nodes:
            if nd.location.valid():
                points.append((nd.location.lat, nd.location.lon))
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()  # closed way: count the shared first/last node once
        if not points:
            self.ways_without_locations += 1
            return
        lat = sum(p[0] for p in points) / len(points)
        lon = sum(p[1] for p in points) / len(points)
        self._keep("w", w.id, w.tags, lat, lon)


def uniform(draw: str, account_id: str) -> float:
    """A number in [0, 1) from SHA-256 of the draw name and the id."""
    digest = hashlib.sha256(f"{draw}:{account_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def windows_from(opening_hours: str, account_id: str) -> str:
    m = OPENING_RE.match(opening_hours or "")
    if m:
        parts = [p.strip() for p in m.group(1).split(",")]
        prev_end = -1
        ok = True
        for part in parts:
            a, b = part.split("-")
            sa, sb = clock(a), clock(b)
            if sa is None or sb is None or sb <= sa or sa < prev_end:
                ok = False
                break
            prev_end = sb
        if ok:
            return ";".join(parts)
    return DEFAULT_WINDOWS[int(uniform("windows", account_id) * len(DEFAULT_WINDOWS))]


def clock(text: str) -> int | None:
    h, m = int(text[:2]), int(text[3:])
    if m >= 60 or h > 24 or (h == 24 and m > 0):
        return None
    return h * 60 + m


def attributes(account_id: str, opening_hours: str) -> dict:
    customer = uniform("status", account_id) < 0.4
    if customer:
        # Inverse normal CDF of a uniform strictly inside (0, 1).
        u = min(max(uniform("revenue", account_id), 1e-12), 1 - 1e-12)
        revenue = round(20000 * math.exp(statistics.NormalDist().inv_cdf(u)))
        v = uniform("visits", account_id)
        visits = 1 if v < 0.6 else (2 if v < 0.9 else 4)
    else:
        revenue, visits = 0, 1
    service_min = 45 if uniform("service", account_id) < 0.2 else 30
    return {
        "status": "customer" if customer else "prospect",
        "revenue": revenue,
        "visits": visits,
        "service_min": service_min,
        "windows": windows_from(opening_hours, account_id),
        "days": "",
    }


def kmeans(points: list[tuple[float, float]], k: int, max_iter: int = 100) -> list[int]:
    """Lloyd's k-means on (lat, lon) under an equirectangular projection.

    Fixed initialisation (points in the given order, every (n/k)-th one);
    returns, per centre, the index of the nearest point, distinct per centre.
    """
    n = len(points)
    lat0 = math.radians(sum(p[0] for p in points) / n)
    xs = [p[1] * math.cos(lat0) for p in points]
    ys = [p[0] for p in points]
    centres = [(xs[(i * n) // k], ys[(i * n) // k]) for i in range(k)]
    label = [-1] * n
    for _ in range(max_iter):
        changed = False
        for j in range(n):
            x, y = xs[j], ys[j]
            best, best_d = 0, float("inf")
            for c, (cx, cy) in enumerate(centres):
                d = (x - cx) ** 2 + (y - cy) ** 2
                if d < best_d:
                    best, best_d = c, d
            if label[j] != best:
                label[j] = best
                changed = True
        if not changed:
            break
        sx, sy, cnt = [0.0] * k, [0.0] * k, [0] * k
        for j in range(n):
            c = label[j]
            sx[c] += xs[j]
            sy[c] += ys[j]
            cnt[c] += 1
        # An emptied cluster keeps its previous centre.
        centres = [(sx[c] / cnt[c], sy[c] / cnt[c]) if cnt[c] else centres[c] for c in range(k)]
    taken: set[int] = set()
    snapped = []
    for cx, cy in centres:
        order = sorted(range(n), key=lambda j: ((xs[j] - cx) ** 2 + (ys[j] - cy) ** 2, j))
        j = next(j for j in order if j not in taken)
        taken.add(j)
        snapped.append(j)
    return snapped


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pbf", required=True, help="OpenStreetMap extract (.osm.pbf)")
    ap.add_argument("--out", required=True, help="output folder (accounts.csv, reps.csv)")
    ap.add_argument("--reps", type=int, default=0,
                    help="number of reps (default: workload / 80 h, at least 4)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    handler = PoiHandler()
    handler.apply_file(args.pbf, locations=True)
    keys = sorted(handler.pois)  # (type, numeric id): deduplicated by construction
    if not keys:
        print(f"porto_accounts: no business POIs in {args.pbf}", file=sys.stderr)
        return 1
    t_read = time.perf_counter() - t0

    os.makedirs(args.out, exist_ok=True)
    accounts = []
    for kind, osm_id in keys:
        poi = handler.pois[(kind, osm_id)]
        account_id = f"osm-{kind}{osm_id}"
        row = {"id": account_id, "name": poi["name"],
               "lat": f"{poi['lat']:.7f}", "lon": f"{poi['lon']:.7f}"}
        row.update(attributes(account_id, poi["opening_hours"]))
        accounts.append(row)
    acc_cols = ["id", "name", "lat", "lon", "status", "revenue", "visits", "service_min",
                "windows", "days"]
    with open(os.path.join(args.out, "accounts.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=acc_cols, lineterminator="\n")
        w.writeheader()
        w.writerows(accounts)

    workload_h = sum(a["visits"] * (a["service_min"] + 10) / 60 for a in accounts)
    k = args.reps or max(4, round(workload_h / HOURS_PER_REP))
    k = min(k, len(accounts))
    t1 = time.perf_counter()
    points = [(float(a["lat"]), float(a["lon"])) for a in accounts]
    bases = kmeans(points, k)
    t_kmeans = time.perf_counter() - t1
    with open(os.path.join(args.out, "reps.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "lat", "lon", "capacity", "days", "start", "end", "office"])
        for i, j in enumerate(bases, 1):
            a = accounts[j]
            w.writerow([f"rep-{i:02d}", f"Rep {i:02d}", a["lat"], a["lon"], "1.0",
                        "mon,tue,wed,thu,fri", "08:30", "17:30", "PORTO"])

    n_nodes = sum(1 for kind, _ in keys if kind == "n")
    customers = sum(1 for a in accounts if a["status"] == "customer")
    from_tag = sum(1 for kind, osm_id in keys
                   if OPENING_RE.match(handler.pois[(kind, osm_id)]["opening_hours"] or ""))
    visits = sum(a["visits"] for a in accounts)
    print(f"porto_accounts: {len(accounts)} business POIs ({n_nodes} nodes, "
          f"{len(accounts) - n_nodes} ways, {handler.ways_without_locations} ways without "
          f"locations skipped); {customers} customers, {len(accounts) - customers} prospects; "
          f"{visits} visits / 4 weeks; windows from opening_hours: {from_tag}; "
          f"workload {workload_h:.0f} h / 4 weeks -> {k} reps "
          f"(read {t_read:.2f} s, k-means {t_kmeans:.2f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
