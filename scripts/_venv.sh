# Shared by scripts/serve and scripts/test: create .venv and install the project when pyproject.toml changed.
# Usage: . scripts/_venv.sh EXTRAS   (EXTRAS is "" or "[test]")
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
stamp=".venv/.installed${extras:+-test}-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "installing assist${extras} into .venv (first run: a few minutes) ..." >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  # torch is pinned in pyproject.toml to the local CPU wheel; never let pip resolve a CUDA build.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"
  touch "$stamp"
fi
