"""Every notebook is collected by nbval, follows the course's header convention, and carries the
outputs of a clean top-to-bottom run under the `cpu` profile."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]


def src(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def nbval_args() -> list[str]:
    """The nbval flags `make test` uses, read from the Makefile (one source of truth)."""
    line = next(ln for ln in (REPO / "Makefile").read_text().splitlines() if ln.startswith("NBVAL"))
    return shlex.split(line.split(":=", 1)[1])


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ is empty"


def test_nbval_collects_every_notebook():
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *nbval_args(), "notebooks/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    collected: dict[str, int] = {}
    for line in r.stdout.splitlines():
        m = re.match(r"notebooks/([^:]+\.ipynb)::", line)
        if m:
            collected[m.group(1)] = collected.get(m.group(1), 0) + 1
    for nb in NOTEBOOKS:
        code_cells = sum(c["cell_type"] == "code" for c in json.loads(nb.read_text())["cells"])
        assert collected.get(nb.name, 0) == code_cells, (
            f"nbval collected {collected.get(nb.name, 0)} of {code_cells} cells of {nb.name}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_header_order(path):
    cells = json.loads(path.read_text())["cells"]
    title, badges, setup = cells[0], cells[1], cells[2]
    assert title["cell_type"] == "markdown" and src(title).startswith("# "), "first cell: the title"
    assert re.search(r"(learning goals|by the end|you will)", src(title), re.I), (
        "title cell: learning goals"
    )
    assert badges["cell_type"] == "markdown" and "colab-badge.svg" in src(badges), (
        "second cell: badges"
    )
    s = src(setup)
    assert setup["cell_type"] == "code" and s.startswith("# NBVAL_IGNORE_OUTPUT"), (
        "third cell: setup"
    )
    assert '"google.colab" in sys.modules' in s and "config.setup(" in s


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_has_checked_cells_and_exercises(path):
    cells = json.loads(path.read_text())["cells"]
    assert any(src(c).startswith("# NBVAL_CHECK_OUTPUT") for c in cells if c["cell_type"] == "code")
    md = "\n".join(src(c) for c in cells if c["cell_type"] == "markdown")
    assert re.search(r"^#+ .*Exercises", md, re.M), "an Exercises section"
    assert "<details>" in md and "Solution" in md, "solutions in a collapsed block"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_outputs_are_a_clean_cpu_run(path):
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name} was not run top to bottom (execution counts {counts}). Fix: make notebooks"
    )
    for c in cells:
        for out in c.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name}: a cell ends in an error"
    setup_text = "".join("".join(o.get("text", "")) for o in cells[0].get("outputs", []))
    assert "profile: cpu" in setup_text, (
        f"{path.name}: committed outputs must come from the cpu profile"
    )
