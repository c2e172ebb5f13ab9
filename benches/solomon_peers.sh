#!/usr/bin/env bash
# Ours vs VROOM (pyvroom) vs PyVRP on the Solomon VRPTW instances, 2 s each.
# Run from the repo root after `cargo build --release -p territory-cli`:
#
#   bash benches/solomon_peers.sh [extra args for benches/solomon_peers.py]
#
# Makes (or reuses) the venv target/bench/venv-routing with pinned wheels, prints
# markdown tables on stdout and writes target/bench/solomon_peers.json.
set -euo pipefail

PYVROOM_VERSION=1.15.2
PYVRP_VERSION=0.14.1
VENV=target/bench/venv-routing
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}

if [[ ! -x target/release/territory ]]; then
    echo "target/release/territory is missing: cargo build --release -p territory-cli" >&2
    exit 1
fi
mkdir -p target/bench
if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" - "$PYVROOM_VERSION" "$PYVRP_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(version("pyvroom") != sys.argv[1] or version("pyvrp") != sys.argv[2])
PY
then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
        "pyvroom==$PYVROOM_VERSION" "pyvrp==$PYVRP_VERSION"
fi
"$VENV/bin/python" benches/solomon_peers.py --out target/bench/solomon_peers.json "$@"
