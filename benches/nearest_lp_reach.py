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
import csv, math, sys

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix
from scipy.spatial import cKDTree
from scipy.sparse import coo_matrix
from scipy.spatial import cKDTree
D=sys.argv[1]; ks=[int(x) for x in sys.argv[2].split(',')]
acc=list(csv.DictReader(open(D+'/accounts.csv'))); reps=list(csv.DictReader(open(D+'/reps.csv')))
wl={r['account']:float(r['workload_hours']) for r in csv.DictReader(open(sys.argv[3]+'/assignment.csv'))}
lat0=np.mean([float(a['lat']) for a in acc])
def xy(r): return (float(r['lon'])*111.32*math.cos(math.radians(lat0)), float(r['lat'])*110.57)
P=np.array([xy(a) for a in acc]); B=np.array([xy(r) for r in reps])
n,K=len(P),len(B)
U=np.zeros((n,3)); 
for i,a in enumerate(acc):
    U[i,0]=a['status']=='customer'; U[i,1]=a['status']=='prospect'; U[i,2]=wl[a['id']]
tot=U.sum(0); lo=tot/K*0.95; hi=tot/K*1.05
tree=cKDTree(B)
for k in ks:
    d,j=tree.query(P,k=k)
    nv=n*k; 
    rows=[];cols=[];vals=[]
    # equality: each account sums to 1
    Aeq=coo_matrix((np.ones(nv),(np.repeat(np.arange(n),k),np.arange(nv))),shape=(n,nv+6*K))
    # band rows: for territory t, crit c: sum u x - over <= hi ; -(sum u x) - under <= -lo
    r=[];c=[];v=[]
    jj=j.ravel(); ii=np.repeat(np.arange(n),k)
    for cc in range(3):
        uv=U[ii,cc]; m=uv!=0
        r+=list(jj[m]*3+cc); c+=list(np.arange(nv)[m]); v+=list(uv[m])
    r=np.array(r);c=np.array(c);v=np.array(v)
    Aub=coo_matrix((np.concatenate([v,-v,-np.ones(3*K),-np.ones(3*K)]),(np.concatenate([r,r+3*K,np.arange(3*K),3*K+np.arange(3*K)]),np.concatenate([c,c,nv+np.arange(3*K),nv+3*K+np.arange(3*K)]))),shape=(6*K,nv+6*K))
    bub=np.concatenate([np.tile(hi,K),-np.tile(lo,K)])
    cost=np.concatenate([np.zeros(nv),np.ones(6*K)/np.tile(np.concatenate([tot/n,tot/n]),K)])
    res=linprog(cost,A_ub=Aub.tocsr(),b_ub=bub,A_eq=Aeq.tocsr(),b_eq=np.ones(n),bounds=(0,None),method='highs')
    print(k, res.status, 'slack(normalised units)=',res.fun)
