#!/usr/bin/env python3
"""Deterministic synthetic accounts for benchmarking `territory plan`.

    python3 benches/synthetic_accounts.py --n 100000 --seed 7 --out FILE.csv

Writes a CSV with the columns

    id,name,lat,lon,status,revenue,visits,service_min

Points are spread the way a country's businesses are: about 90 % fall in
Gaussian clusters around 30 real towns of southern Finland (cluster weights
follow a Zipf law over the towns' population rank, spreads grow with the
town's weight), the rest is a uniform rural background. Everything lies in
the box lat 60-63.5, lon 21-30 and inside a crude land mask (the Gulf of
Finland, the Gulf of Bothnia and the area east of the Russian border are cut
away; lakes are not).

Attributes:
  status       ~40 % `customer`, else `prospect`
  revenue      customers: lognormal, median 20000 (sigma 1.0), whole euros;
               prospects: 0
  visits       visits per 4 weeks; customers 1 / 2 / 4 for revenue
               < 20000 / < 60000 / >= 60000; prospects 1
  service_min  30 or 45 (45 more likely for the top revenue tier)

Standard library only; the output is a pure function of (--n, --seed):
everything is drawn from one random.Random(seed), one account at a time, so
rows come out in no spatial order.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import math
import random
import sys
import time

LAT_MIN, LAT_MAX = 60.0, 63.5
LON_MIN, LON_MAX = 21.0, 30.0
KM_PER_DEG_LAT = 111.195  # 6371.0088 km * pi / 180

# Towns in population-rank order: (name, lat, lon).
TOWNS = [
    ("Helsinki", 60.170, 24.940),
    ("Espoo", 60.205, 24.655),
    ("Tampere", 61.498, 23.761),
    ("Vantaa", 60.294, 25.041),
    ("Turku", 60.452, 22.267),
    ("Jyväskylä", 62.242, 25.747),
    ("Lahti", 60.983, 25.656),
    ("Kuopio", 62.893, 27.679),
    ("Pori", 61.485, 21.797),
    ("Kouvola", 60.868, 26.704),
    ("Joensuu", 62.601, 29.763),
    ("Lappeenranta", 61.059, 28.188),
    ("Hämeenlinna", 60.997, 24.464),
    ("Vaasa", 63.096, 21.616),
    ("Seinäjoki", 62.787, 22.840),
    ("Kotka", 60.467, 26.946),
    ("Mikkeli", 61.688, 27.272),
    ("Porvoo", 60.393, 25.664),
    ("Salo", 60.384, 23.127),
    ("Hyvinkää", 60.631, 24.861),
    ("Lohja", 60.249, 24.066),
    ("Järvenpää", 60.474, 25.090),
    ("Rauma", 61.128, 21.511),
    ("Kerava", 60.403, 25.105),
    ("Savonlinna", 61.869, 28.879),
    ("Nokia", 61.478, 23.508),
    ("Kangasala", 61.464, 24.065),
    ("Riihimäki", 60.739, 24.773),
    ("Imatra", 61.171, 28.752),
    ("Raisio", 60.486, 22.169),
]

ZIPF_S = 1.0  # weight of the town of rank r is 1 / r**ZIPF_S
RURAL_SHARE = 0.10
CUSTOMER_SHARE = 0.40
REVENUE_MEDIAN = 20000.0
REVENUE_SIGMA = 1.0
TIER_2, TIER_4 = 20000.0, 60000.0  # revenue thresholds for 2 and 4 visits

# Crude land mask, (lon, lat) vertices counter-clockwise; the box's north and
# east edges close it.
LAND = [
    (22.30, 63.50), (21.40, 63.25), (21.25, 62.90), (21.20, 62.40),
    (21.35, 61.90), (21.45, 61.50), (21.35, 61.00), (21.15, 60.70),
    (21.30, 60.35), (21.90, 60.10), (22.60, 60.00), (24.00, 60.00),
    (25.00, 60.10), (25.50, 60.20), (26.50, 60.33), (27.50, 60.45),
    (27.80, 60.55), (28.55, 60.95), (29.30, 61.35), (29.80, 61.75),
    (30.00, 61.95), (30.00, 63.50),
]

WORDS = [
    "Kone", "Rakennus", "Kauppa", "Huolto", "Sähkö", "Puu", "Metalli",
    "Kuljetus", "Elintarvike", "Auto", "Maalaus", "Putki", "LVI",
    "Tekniikka", "Palvelu", "Konepaja", "Kiinteistö", "Maatalous", "Muovi",
    "Paino", "Lasi", "Teräs", "Kivi", "Sähköasennus", "Kylmä",
]
SUFFIXES = ["Oy", "Oy", "Oy", "Ky", "Ab", "Tmi", "Oyj"]


def on_land(lon: float, lat: float) -> bool:
    """Ray casting against LAND, within the box."""
    if not (LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX):
        return False
    inside = False
    n = len(LAND)
    j = n - 1
    for i in range(n):
        xi, yi = LAND[i]
        xj, yj = LAND[j]
        if (yi > lat) != (yj > lat):
            x = xi + (lat - yi) * (xj - xi) / (yj - yi)
            if lon < x:
                inside = not inside
        j = i
    return inside


def make_clusters(rng: random.Random):
    """(name, lat, lon, sigma_lat_deg, sigma_lon_deg, weight) per town."""
    weights = [1.0 / (r + 1) ** ZIPF_S for r in range(len(TOWNS))]
    wmax = weights[0]
    clusters = []
    for (name, lat, lon), w in zip(TOWNS, weights):
        # 3..15 km, larger for bigger towns, jittered; mildly anisotropic.
        sigma_km = (3.0 + 12.0 * math.sqrt(w / wmax)) * rng.uniform(0.75, 1.25)
        aspect = rng.uniform(0.7, 1.4)
        s_lat = sigma_km * aspect / KM_PER_DEG_LAT
        s_lon = sigma_km / aspect / (KM_PER_DEG_LAT * math.cos(math.radians(lat)))
        clusters.append((name, lat, lon, s_lat, s_lon, w))
    return clusters


def generate(n: int, seed: int):
    """Yields rows (id, name, lat, lon, status, revenue, visits, service_min)."""
    rng = random.Random(seed)
    clusters = make_clusters(rng)
    cum = []
    acc = 0.0
    for c in clusters:
        acc += c[5]
        cum.append(acc)
    total = acc
    # Nearest town (for rural names), by a cheap planar distance.
    coslat = math.cos(math.radians((LAT_MIN + LAT_MAX) / 2))

    def nearest_town(lat: float, lon: float) -> str:
        best, best_d = TOWNS[0][0], float("inf")
        for name, tlat, tlon in TOWNS:
            d = (lat - tlat) ** 2 + ((lon - tlon) * coslat) ** 2
            if d < best_d:
                best, best_d = name, d
        return best

    mu = math.log(REVENUE_MEDIAN)
    for i in range(1, n + 1):
        if rng.random() < RURAL_SHARE:
            while True:
                lat = rng.uniform(LAT_MIN, LAT_MAX)
                lon = rng.uniform(LON_MIN, LON_MAX)
                if on_land(lon, lat):
                    break
            town = nearest_town(lat, lon)
        else:
            c = clusters[bisect.bisect_right(cum, rng.random() * total)]
            town, clat, clon, s_lat, s_lon, _ = c
            while True:  # resample points that fall in the sea or abroad
                lat = rng.gauss(clat, s_lat)
                lon = rng.gauss(clon, s_lon)
                if on_land(lon, lat):
                    break
        if rng.random() < CUSTOMER_SHARE:
            status = "customer"
            revenue = round(rng.lognormvariate(mu, REVENUE_SIGMA))
            visits = 4 if revenue >= TIER_4 else 2 if revenue >= TIER_2 else 1
            p45 = 0.7 if visits == 4 else 0.4
        else:
            status = "prospect"
            revenue = 0
            visits = 1
            p45 = 0.3
        service_min = 45 if rng.random() < p45 else 30
        name = f"{town} {rng.choice(WORDS)} {rng.choice(SUFFIXES)}"
        yield (f"a{i:06d}", name, f"{lat:.6f}", f"{lon:.6f}", status,
               revenue, visits, service_min)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100000, help="number of accounts")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True, help="output CSV ('-' for stdout)")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("--n must be positive")
    t0 = time.perf_counter()
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="", encoding="utf-8")
    try:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["id", "name", "lat", "lon", "status", "revenue", "visits", "service_min"])
        w.writerows(generate(args.n, args.seed))
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"wrote {args.n} accounts to {args.out} in {time.perf_counter() - t0:.2f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
