"""Re-run the course notebooks in place and record their run times (repository tooling).

Committed notebooks carry the outputs of a real run under the ``cpu`` profile, so a reader on GitHub
sees results; ``make notebooks`` re-creates them::

    python tools/notebooks.py run --profile cpu                      # every notebook, the index last
    python tools/notebooks.py run --profile ci notebooks/03_gan_toy.ipynb --no-write

Each run's wall-clock seconds go into ``notebooks/timings.json`` (``{notebook: {profile: seconds}}``),
with the peak resident memory of the notebook's kernel under ``"peak_mb": {profile: MB}`` (read from
the kernel's high-water mark ``VmHWM`` on Linux after every cell), which the index notebook shows through
``aigc_helpers.course.course_table``. ``--memory-only`` records the memory but not the time (for a run on
a shared machine, whose times would be inflated). Saved outputs are tidied
(:func:`tidy_outputs`) so diffs between runs stay small.

Not shipped with ``aigc_helpers``: learners never need it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from aigc_helpers.config import get_profile, is_native_noise
from aigc_helpers.course import PEAK_KEY, TIMINGS_NAME, load_timings

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
TIMINGS_FILE = NOTEBOOK_DIR / TIMINGS_NAME
COMMITTED_PROFILE = "cpu"  # the profile whose outputs are committed


class Run(NamedTuple):
    """One notebook run: wall-clock seconds, and the kernel's peak resident memory in MB (10**6 bytes;
    ``None`` where the operating system does not report it)."""

    seconds: float
    peak_mb: float | None


def kernel_peak_mb(pid: int | None) -> float | None:
    """The peak resident memory (``VmHWM``) of process ``pid`` in MB, or None when unknown (not Linux)."""
    if pid is None:
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6  # kB -> MB
    return None


def run_notebook(
    path: Path, profile: str, *, write: bool = True, timeout: int | None = None
) -> Run:
    """Execute one notebook top to bottom under ``profile``; optionally save its outputs in place.

    Returns its :class:`Run`: the wall-clock seconds and the kernel's peak memory (its high-water mark,
    read after every cell, so no peak is missed). A failing cell raises nbclient's
    ``CellExecutionError`` naming the cell; the file is then left as it was.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    old = os.environ.get("AIGC_PROFILE")
    os.environ["AIGC_PROFILE"] = profile  # the kernel inherits this process's environment
    try:
        peak: list[float] = []

        def read_peak(**_) -> None:
            provisioner = getattr(client.km, "provisioner", None)
            mb = kernel_peak_mb(getattr(provisioner, "pid", None))
            if mb is not None:
                peak.append(mb)

        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
            on_cell_executed=read_peak,
        )
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    finally:
        if old is None:
            os.environ.pop("AIGC_PROFILE", None)
        else:
            os.environ["AIGC_PROFILE"] = old
    if write:
        tidy_outputs(nb)
        nbformat.write(nb, path)
    return Run(seconds, max(peak) if peak else None)


def tidy_outputs(nb) -> int:
    """Merge adjacent same-stream outputs of each cell and drop known harmless C++ log lines.

    Keras progress lines arrive as many small ``stream`` outputs; merged, a saved notebook shows one
    block per cell as a learner's run would, and diffs between runs stay small. Lines that
    ``aigc_helpers.config.is_native_noise`` recognises are removed from stderr (empty streams are
    dropped). Returns the number of outputs removed.
    """
    removed = 0
    for cell in nb.get("cells", []):
        outputs = cell.get("outputs")
        if not outputs:
            continue
        tidy: list = []
        for out in outputs:
            if out.get("output_type") == "stream":
                text = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
                if out.get("name") == "stderr":
                    text = "".join(
                        ln for ln in text.splitlines(keepends=True) if not is_native_noise(ln)
                    )
                if not text:
                    removed += 1
                    continue
                prev = tidy[-1] if tidy else None
                if (
                    prev is not None
                    and prev.get("output_type") == "stream"
                    and prev.get("name") == out.get("name")
                ):
                    prev["text"] = prev["text"] + text
                    removed += 1
                    continue
                out["text"] = text
            tidy.append(out)
        cell["outputs"] = tidy
    return removed


def record_timing(
    timings_file: Path,
    notebook: str,
    profile: str,
    seconds: float | None,
    peak_mb: float | None = None,
) -> None:
    """Write one run's time and peak memory into ``timings_file`` (re-read first: runs may overlap);
    a ``None`` leaves the recorded value as it was."""
    try:
        timings = load_timings(timings_file)
    except FileNotFoundError:
        timings = {}
    entry = timings.setdefault(notebook, {})
    if seconds is not None:
        entry[profile] = round(seconds, 1)
    if peak_mb is not None:
        entry.setdefault(PEAK_KEY, {})[profile] = round(peak_mb, 1)
    timings_file.write_text(json.dumps(timings, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def run_notebooks(
    paths: Iterable[Path] | None = None,
    profile: str = "cpu",
    *,
    write: bool = True,
    timings_file: Path = TIMINGS_FILE,
    memory_only: bool = False,
) -> dict[str, Run]:
    """Run notebooks under ``profile`` (the index last, so it shows fresh timings) and record their
    times and peak memory (only the memory when ``memory_only``)."""
    get_profile(profile)  # fail early on a bad name
    paths = sorted(Path(p) for p in (paths or NOTEBOOK_DIR.glob("*.ipynb")))
    # stable: notebooks that show run times last, the index the very last
    paths.sort(key=lambda p: (shows_timings(p), p.name.startswith("00_")))
    done: dict[str, Run] = {}
    for p in paths:
        print(f"[{profile}] running {p.name} ...", flush=True, file=sys.stderr)
        run = run_notebook(p, profile, write=write)
        done[p.name] = run
        record_timing(
            Path(timings_file), p.name, profile, None if memory_only else run.seconds, run.peak_mb
        )
        memory = "" if run.peak_mb is None else f", peak memory {run.peak_mb:,.0f} MB"
        print(f"[{profile}] {p.name}: {run.seconds:.1f} s{memory}", flush=True, file=sys.stderr)
    if write and done and profile == COMMITTED_PROFILE:
        # A notebook showing run times ran before the times of this run (its own included) were
        # recorded: run it once more, without timing it, so its table matches timings.json.
        folder = paths[0].parent
        for p in sorted(folder.glob("*.ipynb"), key=lambda p: p.name.startswith("00_")):
            if shows_timings(p):
                print(
                    f"[{profile}] re-rendering {p.name} with the new run times ...", file=sys.stderr
                )
                run_notebook(p, profile, write=True)
        write_headers(folder, Path(timings_file))
    return done


HEADER_START = "*Before you start:*"


def with_header(source: str, header: str) -> str:
    """A first cell's text with ``header`` as the line after its title (replacing an older one)."""
    lines = source.split("\n")
    body = [ln for ln in lines[1:] if not ln.startswith(HEADER_START)]
    while body and not body[0].strip():
        body.pop(0)
    return "\n".join([lines[0], "", header, "", *body])


def write_headers(folder: Path = NOTEBOOK_DIR, timings_file: Path = TIMINGS_FILE) -> list[str]:
    """Put each notebook's header (prerequisites and measured run time, from ``course.COURSE_MAP`` and
    ``timings.json``) under its title; returns the notebooks changed."""
    from aigc_helpers.course import COURSE_MAP

    try:
        timings = load_timings(timings_file)
    except FileNotFoundError:
        timings = {}
    changed = []
    for lesson in COURSE_MAP:
        path = Path(folder) / lesson.filename
        if not path.is_file():
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        cell = nb["cells"][0]
        old = "".join(cell["source"])
        new = with_header(old, lesson.header(timings))
        if new != old:
            cell["source"] = new.splitlines(keepends=True)
            path.write_text(
                json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
            changed.append(path.name)
    return changed


def shows_timings(path: Path) -> bool:
    """Whether a notebook displays the measured run times (a code cell calls ``course_table``)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return any(
        c["cell_type"] == "code" and "course_table(" in "".join(c["source"]) for c in nb["cells"]
    )


def main(argv: list[str] | None = None) -> int:
    """``python tools/notebooks.py run [NOTEBOOK ...] [--profile cpu] [--no-write]``; the exit code."""
    parser = argparse.ArgumentParser(
        prog="python tools/notebooks.py",
        description="Re-run the course notebooks in place and record their run times.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "run", help="execute notebooks in place under a profile, recording run times"
    )
    p.add_argument("notebooks", nargs="*", help="notebook files (default: all in notebooks/)")
    p.add_argument("--profile", default="cpu", help="profile to run under (default: cpu)")
    p.add_argument(
        "--no-write", action="store_true", help="run and time, but keep the files unchanged"
    )
    p.add_argument(
        "--memory-only",
        action="store_true",
        help="record peak memory but not run times (on a shared machine, whose times are inflated)",
    )
    sub.add_parser(
        "headers",
        help="write each notebook's header (prerequisites, measured run time) from the course map",
    )
    p.add_argument(
        "--timings",
        type=Path,
        default=TIMINGS_FILE,
        help="where to record run times (default: notebooks/timings.json)",
    )
    args = parser.parse_args(argv)
    if args.command == "headers":
        changed = write_headers()
        print(f"headers rewritten: {', '.join(changed) or 'none'}")
        return 0
    paths = [Path(n) for n in args.notebooks] or None
    for path in paths or []:
        if not path.is_file() or path.suffix != ".ipynb":
            print(f"error: {path} is not a notebook file.", file=sys.stderr)
            return 2
    try:
        run_notebooks(
            paths,
            args.profile,
            write=not args.no_write,
            timings_file=args.timings,
            memory_only=args.memory_only,
        )
    except ValueError as exc:  # e.g. an unknown profile name
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
