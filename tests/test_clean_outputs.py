"""Committed notebooks show no machine paths: nothing in their saved outputs (printed text, rich
displays, error tracebacks) or markdown cells names the machine they were run on (``/work/...``,
``/tmp/ipykernel_1234/...``, ``C:\\Users\\...``, a ``site-packages`` folder) or this repository's CI
layout (``../shared``). A learner's course folder is somewhere else, so such a path is noise at best and
a wrong instruction at worst. Code cells' sources are not scanned: code is what the learner runs."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

FIX = (
    "Fix: print paths relative to the course folder, e.g. with aigc_helpers.data.shown_path, "
    "then re-run the notebook so its saved outputs change."
)

#: What a learner must not read: (name, pattern). Case-insensitive.
MACHINE_PATHS: tuple[tuple[str, str], ...] = (
    ("a path under /work", r"/work/"),
    ("a path under /root", r"/root/"),
    ("a path under /tmp", r"/tmp/"),
    ("a path under /home", r"/home/"),
    ("a path under /Users (macOS)", r"/Users/"),
    ("a macOS temporary folder", r"/var/folders|/private/var/"),
    ("a Windows user folder", r"\b[A-Z]:(?:\\\\?|/)Users\b"),
    ("an IPython kernel's temporary file", r"ipykernel_\d+"),
    ("an installed package's folder", r"\b(?:site|dist)-packages\b"),
    ("this repository's CI layout", r"\.\./shared"),
)
_PATTERN = re.compile(
    "|".join(f"(?P<p{i}>{rx})" for i, (_, rx) in enumerate(MACHINE_PATHS)), re.IGNORECASE
)
#: Web addresses may hold /home/ or /tmp/ legitimately; they are blanked before the scan.
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s\"'<>)\]]+", re.IGNORECASE)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # colours in saved tracebacks
#: Output formats a learner reads as text.
TEXT_MIMES = ("text/plain", "text/html", "text/markdown")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def texts_of(cell: dict) -> list[tuple[str, str]]:
    """The learner-readable texts of one cell, as (where, text): its markdown source, or its outputs."""
    found: list[tuple[str, str]] = []
    if cell.get("cell_type") == "markdown":
        found.append(("markdown", _text(cell.get("source", ""))))
    for n, out in enumerate(cell.get("outputs", []) or []):
        kind = out.get("output_type")
        if kind == "stream":
            found.append((f"output {n} ({out.get('name', 'stream')})", _text(out.get("text", ""))))
        elif kind in ("execute_result", "display_data"):
            for mime in TEXT_MIMES:
                if mime in out.get("data", {}):
                    found.append((f"output {n} ({mime})", _text(out["data"][mime])))
        elif kind == "error":
            body = "\n".join(
                [f"{out.get('ename', '')}: {out.get('evalue', '')}"] + out.get("traceback", [])
            )
            found.append((f"output {n} (error traceback)", _ANSI.sub("", body)))
    return found


def scan(nb: dict) -> list[dict]:
    """Every machine path in a notebook's outputs and markdown: cell index, where, what, snippet."""
    hits = []
    for index, cell in enumerate(nb.get("cells", [])):
        for where, text in texts_of(cell):
            clean = _URL.sub(lambda m: " " * len(m.group()), text)  # same length: offsets still fit
            for m in _PATTERN.finditer(clean):
                what = MACHINE_PATHS[int(m.lastgroup[1:])][0]
                start, end = max(0, m.start() - 40), min(len(text), m.end() + 40)
                snippet = " ".join(text[start:end].split())
                hits.append({"cell": index, "where": where, "what": what, "snippet": snippet})
    return hits


def report(name: str, hits: list[dict]) -> str:
    lines = [f"{name}: {len(hits)} machine path(s) a learner would read (cells counted from 0):"]
    lines += [f"  cell {h['cell']}, {h['where']}: {h['what']}: ...{h['snippet']}..." for h in hits]
    return "\n".join(lines + [FIX])


def test_there_are_notebooks_to_scan():
    assert len(NOTEBOOKS) >= 10, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_notebook_shows_no_machine_paths(path):
    hits = scan(json.loads(path.read_text(encoding="utf-8")))
    assert not hits, report(f"notebooks/{path.name}", hits)


# --------------------------------------------------------------------------- the scanner itself


@pytest.fixture
def notebook() -> dict:
    """A copy of a committed notebook, with one code cell (with outputs) and one markdown cell."""
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    nb = copy.deepcopy(nb)
    nb["cells"] += [
        {"cell_type": "markdown", "metadata": {}, "source": ["Clean text.\n"]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "source": ["print(data.shown_path(path))\n"],
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["data/mnist.npz\n"]}],
        },
    ]
    return nb


PLANTED = [
    ("stream", "/work/main/data/mnist.npz", "a path under /work"),
    ("stream", "~/x /tmp/ipykernel_4242/31337.py:3: UserWarning", "a path under /tmp"),
    ("text/plain", "PosixPath('/root/.keras/datasets/mnist.npz')", "a path under /root"),
    ("text/html", "<td>/home/ann/course/data/mnist.npz</td>", "a path under /home"),
    ("text/markdown", "saved to `/Users/ann/runs/x.png`", "a path under /Users (macOS)"),
    ("stream", "/var/folders/xy/T/tmp1.png", "a macOS temporary folder"),
    ("stream", r"C:\Users\ann\course\data", "a Windows user folder"),
    ("stream", "File ipykernel_77/123.py, line 4", "an IPython kernel's temporary file"),
    (
        "stream",
        "lib/python3.11/site-packages/keras/src/x.py:12: warn",
        "an installed package's folder",
    ),
    ("error", "FileNotFoundError: ../shared/data/mnist.npz", "this repository's CI layout"),
    (
        "markdown",
        "Copy it with `cp ../shared/data/mnist.npz data/`.",
        "this repository's CI layout",
    ),
]


def plant(nb: dict, kind: str, text: str) -> int:
    """Put ``text`` into the notebook copy as an output of ``kind`` (or a markdown source); its cell index."""
    if kind == "markdown":
        index = len(nb["cells"]) - 2
        nb["cells"][index]["source"].append(text)
        return index
    index = len(nb["cells"]) - 1
    if kind == "stream":
        out = {"output_type": "stream", "name": "stderr", "text": [text + "\n"]}
    elif kind == "error":
        out = {
            "output_type": "error",
            "ename": "FileNotFoundError",
            "evalue": "no file",
            "traceback": ["\x1b[0;31m---------\x1b[0m", f"\x1b[0;31m{text}\x1b[0m"],
        }
    else:
        out = {"output_type": "display_data", "metadata": {}, "data": {kind: [text]}}
    nb["cells"][index]["outputs"].append(out)
    return index


def test_clean_copy_has_no_hits(notebook):
    assert scan(notebook) == []


@pytest.mark.parametrize(
    ("kind", "text", "what"), PLANTED, ids=[p[2] + "-" + p[0] for p in PLANTED]
)
def test_scanner_reports_a_planted_path(notebook, kind, text, what):
    index = plant(notebook, kind, text)
    hits = scan(notebook)
    assert hits, f"{text!r} planted as {kind} was not found"
    assert {h["what"] for h in hits} >= {what}
    assert all(h["cell"] == index for h in hits)
    message = report("notebooks/planted.ipynb", hits)
    assert f"notebooks/planted.ipynb: {len(hits)} machine path(s)" in message
    assert f"cell {index}, " in message
    hit = next(h for h in hits if h["what"] == what)
    assert hit["snippet"] in message  # the offending text, quoted
    assert re.search(dict(MACHINE_PATHS)[what], hit["snippet"], re.IGNORECASE)
    assert "aigc_helpers.data.shown_path" in message and "relative to the course folder" in message


def test_scanner_reports_where_in_the_cell(notebook):
    index = plant(notebook, "error", "/tmp/ipykernel_1234/1.py in <module>")
    (hit, *_) = scan(notebook)
    assert hit["cell"] == index and hit["where"].endswith("(error traceback)")
    assert "/tmp/ipykernel_1234/1.py in <module>" in hit["snippet"]  # colour codes removed
    assert "\x1b" not in hit["snippet"]


@pytest.mark.parametrize(
    "text",
    [
        "data/mnist.npz",
        "~/.keras/datasets/mnist.npz",
        "runs/dcgan/grid.png",
        "see https://example.org/home/tmp/site-packages/ for more",
        "[docs](https://colab.research.google.com/github/x/y/blob/main/notebooks/work/01.ipynb)",
        "ipykernel (the Jupyter kernel) restarts the notebook",
        "a shared GPU; shared memory",
    ],
)
def test_scanner_leaves_learner_paths_and_web_addresses_alone(notebook, text):
    plant(notebook, "stream", text)
    plant(notebook, "markdown", text)
    assert scan(notebook) == []


def test_code_sources_are_not_scanned(notebook):
    notebook["cells"][-1]["source"].append("# tempfile puts it in /tmp/ by default\n")
    assert scan(notebook) == []
