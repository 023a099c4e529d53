#!/usr/bin/env bash
# Creates bench/.venv and installs the pinned reference tools (SimPy, Ciw) from
# bench/requirements.txt. Idempotent: a stamp holding the hash of requirements.txt
# lets a second run return at once without asking PyPI anything.
# Needs python3 (3.11 on these machines) with the venv module.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "bench/.venv is up to date ($("$venv/bin/python" --version))" >&2
    exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating bench/.venv with $("$python" --version)" >&2
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
"$venv/bin/python" -c 'import simpy, ciw; print("simpy", simpy.__version__, "ciw", ciw.__version__)' >&2
echo "$want" > "$stamp"
