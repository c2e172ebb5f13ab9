#!/usr/bin/env python3
"""A field-visit instance made from a public periodic VRP (Cordeau format):
the customers become accounts around Helsinki, the vehicles reps of one
office based at the depot, and the week gets opening windows, a lunch break
and booked visits.

    python3 benches/pvrp_field.py ../shared/data/pvrp/p08.txt --out DIR [--km-per-unit 0.3]

Writes DIR/accounts.csv, reps.csv, assignment.csv (angular sectors around the
depot, as even in visits as whole sectors allow) and appointments.csv, for

    territory routes --accounts DIR/accounts.csv --reps DIR/reps.csv \
        --assignment DIR/assignment.csv --appointments DIR/appointments.csv \
        --start 2027-01-04 --weeks 1 --lunch 11:30-13:30/30 --share-office --out R

Only for instances of 5 days (a working week): a customer's frequency f
becomes 4 f visits per 4 weeks. Service: 20 minutes. Windows, by node number:
a third open 10:00-11:30 and 14:00-17:00 (a shop closed at midday), a third
08:00-12:00 (mornings only), a third all day. Every tenth once-a-week
customer is booked: Tuesday or Thursday at 10:00 or 14:00 for 45 minutes.
Pure function of the file and the options; standard library only.
"""
import argparse
import math
import pathlib


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("instance")
    ap.add_argument("--out", required=True)
    ap.add_argument("--km-per-unit", type=float, default=0.3)
    a = ap.parse_args()
    tokens = [line.split() for line in open(a.instance) if line.strip()]
    _, m, n, t = map(int, tokens[0][:4])
    if t != 5:
        raise SystemExit(f"{a.instance}: {t} days; only 5-day instances make a working week")
    nodes = []
    for row in tokens[1 + t: 1 + t + n + 1]:
        i, x, y = int(row[0]), float(row[1]), float(row[2])
        f = int(row[5])
        nodes.append((i, x, y, f))
    lat0, lon0 = 60.17, 24.94
    per_lat = 111.2
    per_lon = 111.32 * math.cos(math.radians(lat0))

    def where(x, y):
        return lat0 + y * a.km_per_unit / per_lat, lon0 + x * a.km_per_unit / per_lon

    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    depot = nodes[0]
    customers = nodes[1:]
    with open(out / "accounts.csv", "w") as f:
        f.write("id,lat,lon,status,visits,service_min,windows\n")
        for i, x, y, freq in customers:
            lat, lon = where(x, y)
            windows = ["10:00-11:30;14:00-17:00", "08:00-12:00", ""][i % 3]
            f.write(f"c{i},{lat:.6f},{lon:.6f},customer,{4 * freq},20,{windows}\n")
    dlat, dlon = where(depot[1], depot[2])
    with open(out / "reps.csv", "w") as f:
        f.write("id,lat,lon,days,start,end,office\n")
        for r in range(m):
            f.write(f"v{r + 1},{dlat:.6f},{dlon:.6f},\"mon,tue,wed,thu,fri\",08:00,17:00,depot\n")
    # Sectors by angle around the depot, cut where the visits reach an even share.
    order = sorted(customers, key=lambda c: (math.atan2(c[2] - depot[2], c[1] - depot[1]), c[0]))
    total = sum(c[3] for c in order)
    with open(out / "assignment.csv", "w") as f:
        f.write("account,territory\n")
        done = 0
        for c in order:
            rep = min(m - 1, int(done * m / total))
            f.write(f"c{c[0]},v{rep + 1}\n")
            done += c[3]
    with open(out / "appointments.csv", "w") as f:
        f.write("account,date,time,duration_min\n")
        weekly = [c for c in customers if c[3] == 1]
        for k, c in enumerate(weekly[::10]):
            date = ["2027-01-05", "2027-01-07"][k % 2]
            time = ["10:00", "14:00"][(k // 2) % 2]
            f.write(f"c{c[0]},{date},{time},45\n")


main()
