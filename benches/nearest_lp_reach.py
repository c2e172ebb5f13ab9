#!/usr/bin/env python3
"""Is the balancing LP over each account's nearest k bases within reach at
all? Solves the LP relaxation (feasibility only: minimise band slack in
mean-account units) with HiGHS through scipy, for fixed rep bases.

    target/bench/venv/bin/pip install scipy numpy
    target/bench/venv/bin/python benches/nearest_lp_reach.py INSTANCE_DIR 10,20 PLAN_DIR

INSTANCE_DIR holds accounts.csv and reps.csv (benches/country_accounts.py);
PLAN_DIR is a `territory plan` output on it, whose assignment.csv gives each
account's workload hours. Criteria: customers, prospects, workload at 5%.
A slack above 0 means no fractional plan exists on those candidates.
"""
import csv
import math
import sys

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix
from scipy.spatial import cKDTree

inst, ks, plan = sys.argv[1], [int(x) for x in sys.argv[2].split(",")], sys.argv[3]
accounts = list(csv.DictReader(open(f"{inst}/accounts.csv")))
reps = list(csv.DictReader(open(f"{inst}/reps.csv")))
hours = {r["account"]: float(r["workload_hours"]) for r in csv.DictReader(open(f"{plan}/assignment.csv"))}
lat0 = np.mean([float(a["lat"]) for a in accounts])


def xy(r):
    return (float(r["lon"]) * 111.32 * math.cos(math.radians(lat0)), float(r["lat"]) * 110.57)


P = np.array([xy(a) for a in accounts])
B = np.array([xy(r) for r in reps])
n, K = len(P), len(B)
U = np.zeros((n, 3))
for i, a in enumerate(accounts):
    U[i] = (a["status"] == "customer", a["status"] == "prospect", hours[a["id"]])
total = U.sum(0)
lo, hi = total / K * 0.95, total / K * 1.05
tree = cKDTree(B)
for k in ks:
    _, near = tree.query(P, k=k)
    nv = n * k
    # Each account fully assigned among its k nearest bases.
    a_eq = coo_matrix((np.ones(nv), (np.repeat(np.arange(n), k), np.arange(nv))), shape=(n, nv + 6 * K))
    # Band rows per (base, criterion): load - over <= hi and -load - under <= -lo.
    terr, acc = near.ravel(), np.repeat(np.arange(n), k)
    rows, cols, vals = [], [], []
    for c in range(3):
        v = U[acc, c]
        m = v != 0
        rows.append(terr[m] * 3 + c)
        cols.append(np.arange(nv)[m])
        vals.append(v[m])
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    slack = np.arange(3 * K)
    a_ub = coo_matrix(
        (
            np.concatenate([v, -v, -np.ones(3 * K), -np.ones(3 * K)]),
            (np.concatenate([r, r + 3 * K, slack, 3 * K + slack]), np.concatenate([c, c, nv + slack, nv + 3 * K + slack])),
        ),
        shape=(6 * K, nv + 6 * K),
    )
    b_ub = np.concatenate([np.tile(hi, K), -np.tile(lo, K)])
    # Slack counted in mean-account units of each criterion.
    cost = np.concatenate([np.zeros(nv), 1.0 / np.tile(np.concatenate([total / n, total / n]), K)])
    res = linprog(cost, A_ub=a_ub.tocsr(), b_ub=b_ub, A_eq=a_eq.tocsr(), b_eq=np.ones(n), bounds=(0, None), method="highs")
    print(f"nearest {k}: status {res.status}, band slack {res.fun:.1f} mean-account units", flush=True)
