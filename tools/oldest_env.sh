#!/usr/bin/env bash
# Build .venv-oldest: Python 3.12 (what Colab runs) with the LOWEST versions that pyproject.toml
# declares for every direct dependency (uv's --resolution lowest-direct), so that `make test-oldest`
# proves the declared floors, not just the pinned set of requirements.txt.
# Usage: tools/oldest_env.sh [VENV]    (default .venv-oldest; PYTHON312=/path/to/python3.12 to choose)
set -euo pipefail
venv="${1:-.venv-oldest}"

find_python312() {
  local c
  for c in "${PYTHON312:-}" python3.12; do
    [ -n "$c" ] && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null && { echo "$c"; return; }
  done
  # pyenv installs a shim that needs a version chosen
  if command -v pyenv >/dev/null; then
    local v
    v=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.|$)' | tail -1 || true)
    if [ -n "$v" ]; then echo "env PYENV_VERSION=$v python3.12"; return; fi
  fi
  return 1
}

if [ ! -x "$venv/bin/python" ]; then
  py=$(find_python312) || {
    echo "error: Python 3.12 not found (the oldest-versions environment runs Colab's Python)." >&2
    echo "Fix: install Python 3.12 (e.g. 'pyenv install 3.12') or set PYTHON312=/path/to/python3.12." >&2
    exit 1
  }
  echo "creating $venv with $($py --version 2>&1) ..."
  $py -m venv "$venv"
fi
"$venv/bin/python" -m pip install --disable-pip-version-check -q uv
echo "installing the lowest declared versions (uv pip install --resolution lowest-direct) ..."
"$venv/bin/uv" pip install -q --python "$venv/bin/python" --resolution lowest-direct --no-build -e '.[dev]'
"$venv/bin/python" - <<'PY'
from importlib.metadata import version
print("oldest set:", ", ".join(f"{n} {version(n)}" for n in ("tensorflow", "keras", "numpy", "pandas", "matplotlib", "scikit-learn", "ipywidgets", "imageio")))
PY
