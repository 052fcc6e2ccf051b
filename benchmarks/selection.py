"""Choose on validation, report test once: the split and the seed summary both benchmarks use.

- :func:`holdout` keeps the last ``n`` training images aside as a **validation** split that no benchmark
  model trains on. Every choice (settings, the design path, when to stop) is made on validation figures.
- The **test** set is scored once per trained model, after training, and chooses nothing.
- :func:`summarize` turns the runs of one model over several seeds into its row: the mean of every figure,
  and its standard deviation over seeds as ``<figure>_sd`` (the course's targets are judged on the mean).
  The standard error over test images of a single run (``iw_nll_sem``) is a different quantity and keeps
  its own name.

Not part of ``aigc_helpers``: imported by ``benchmarks/dcgan.py`` and ``benchmarks/vae.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

VAL_N = 10_000  # the last 10,000 of MNIST's 60,000 training images

SPLIT_NOTE = (
    "settings chosen on a validation split (the last {n:,} training images, never trained on); "
    "the test set scored once per trained model, after training"
)


def holdout(x: np.ndarray, y: np.ndarray, n: int = VAL_N):
    """``(x_fit, y_fit), (x_val, y_val)``: the last ``n`` images held out (``n = 0``: no validation).

    >>> (xf, yf), (xv, yv) = holdout(np.arange(10), np.arange(10), 3)
    >>> xf.tolist(), xv.tolist()
    ([0, 1, 2, 3, 4, 5, 6], [7, 8, 9])
    """
    if not 0 <= n < len(x):
        raise ValueError(
            f"the validation split must keep some training images: n={n} of {len(x)}. "
            f"Fix: pass --val-n between 0 and {len(x) - 1} (default {VAL_N})."
        )
    if n == 0:
        return (x, y), (x[:0], y[:0])
    return (x[:-n], y[:-n]), (x[-n:], y[-n:])


def add_arguments(parser) -> None:
    """The benchmarks' shared options: ``--seeds``, ``--seeded`` and ``--val-n``."""
    parser.add_argument(
        "--seeds", default="0,1,2", help="seeds of the models named by --seeded (default: 0,1,2)"
    )
    parser.add_argument(
        "--seeded",
        default="ours",
        help="models trained once per seed (the headline rows); the others use the first seed",
    )
    parser.add_argument(
        "--val-n",
        type=int,
        default=VAL_N,
        help="training images held out for validation, never trained on (default: the last 10,000)",
    )


def read_arguments(parser, args) -> tuple[list[int], set[str]]:
    """``(seeds, seeded model names)`` from the parsed options; a bad ``--seeds`` is a usage error."""
    try:
        seeds = parse_seeds(args.seeds)
    except ValueError as err:
        parser.error(str(err))
    return seeds, {m.strip() for m in args.seeded.split(",") if m.strip()}


def add_path_arguments(parser, shipped: Path, choose_on: str) -> None:
    """The design-path options: ``--path-row NAME`` and ``--path-file`` (default ``shipped``)."""
    parser.add_argument(
        "--path-row",
        metavar="NAME",
        help="record this run of ours (one seed) as step NAME of the design path in --path-file, "
        f"and re-choose the path's step on {choose_on}",
    )
    parser.add_argument(
        "--path-file",
        type=Path,
        default=shipped,
        help=f"results file whose design path --path-row writes (default: the shipped {shipped.name})",
    )


def check_path_arguments(parser, args, seeds: list[int]) -> None:
    """A usage error unless ``--path-row`` names one run of ``ours`` and ``--path-file`` exists."""
    if not args.path_row:
        return
    if len(seeds) != 1 or args.models.replace(" ", "") != "ours":
        parser.error(
            "--path-row records one run of one model. Fix: add --models ours --seeds 0 (one seed)."
        )
    if not args.path_file.is_file():
        parser.error(
            f"--path-file {args.path_file} does not exist. Fix: point it at a results file."
        )


def parse_seeds(text: str) -> list[int]:
    """``"0,1,2"`` -> ``[0, 1, 2]``; refuses an empty or repeated list.

    >>> parse_seeds("0, 1,2")
    [0, 1, 2]
    """
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        seeds = []
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(
            f"--seeds takes distinct integers separated by commas, e.g. 0,1,2; got {text!r}"
        )
    return seeds


def summarize(runs: list[dict], spread: tuple[str, ...], digits: int = 4) -> dict:
    """One row from the runs of one model: numeric figures averaged; for the figures named in ``spread``,
    their standard deviation over seeds beside them as ``<figure>_sd``.

    Non-numeric entries are kept from the first run. With one run there is no ``_sd``.

    >>> summarize([{"cfid": 3.0, "params": 7, "seed": 0}, {"cfid": 5.0, "params": 7, "seed": 1}], ("cfid",))
    {'cfid': 4.0, 'cfid_sd': 1.4142, 'params': 7, 'n_seeds': 2}
    """
    row: dict = {}
    for key, first in runs[0].items():
        if key == "seed":
            continue
        if isinstance(first, bool) or not isinstance(first, (int, float)):
            row[key] = first
            continue
        values = np.array([r[key] for r in runs], dtype=np.float64)
        mean = float(values.mean())
        row[key] = int(round(mean)) if isinstance(first, int) else round(mean, digits)
        if len(runs) > 1 and key in spread:
            row[f"{key}_sd"] = round(float(values.std(ddof=1)), digits)
    row["n_seeds"] = len(runs)
    return row


def ship_results(results: Path, shipped: Path) -> None:
    """Copy a run's ``results.json`` over the shipped results file, keeping the shipped file's recorded
    design ``path`` (which a benchmark run does not re-measure)."""
    report = json.loads(Path(results).read_text(encoding="utf-8"))
    if Path(shipped).is_file():
        path = json.loads(Path(shipped).read_text(encoding="utf-8")).get("path")
        if path is not None:
            report.setdefault("path", path)
    Path(shipped).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def path_conflict(shipped: Path, run: dict) -> str | None:
    """Why a run under the conditions ``run`` cannot be a step of the design path recorded in ``shipped``
    (a condition the path was measured under differs), or ``None``. Benchmarks ask before training."""
    path = json.loads(Path(shipped).read_text(encoding="utf-8")).get("path", {})
    for key, value in run.items():
        if key in path and path[key] != value:
            return (
                f"the design path in {Path(shipped).name} was measured with {key}={path[key]!r}, this run "
                f"with {value!r}, so its row would not be comparable. Fix: run with {key}={path[key]!r}, "
                "or re-measure every step of the path."
            )
    return None


def refuse_path_conflict(parser, args, run: dict) -> None:
    """A usage error, before any training, when ``--path-row`` asks for a step under other conditions
    than the path in ``--path-file`` was measured under (see ``path_conflict``)."""
    problem = path_conflict(args.path_file, run) if args.path_row else None
    if problem:
        parser.error(problem)


def merge_path_row(
    shipped: Path, name: str, row: dict, *, run: dict, choose_on: str, measured: str
) -> dict:
    """Record one design-path run as ``path.rows[name]`` of the shipped results file and re-choose.

    ``run`` holds the conditions every step of a path must share (e.g. ``minutes``, ``train_n``,
    ``validation_n``); a run under other conditions is refused, since its row would not be comparable.
    ``path.chosen`` becomes the row with the lowest ``choose_on`` (a validation figure). ``row`` gets
    ``measured`` (date and environment). Returns the new ``path``; the rest of the file is unchanged.
    """
    if choose_on not in row:
        raise ValueError(
            f"the path row {name!r} has no {choose_on!r}: the path is chosen on validation. "
            "Fix: run with a validation split (--val-n > 0)."
        )
    problem = path_conflict(shipped, run)
    if problem:
        raise ValueError(problem)
    report = json.loads(Path(shipped).read_text(encoding="utf-8"))
    path = report.setdefault("path", {})
    for key, value in run.items():
        path.setdefault(key, value)
    rows = path.setdefault("rows", {})
    rows[name] = {**row, "measured": measured}
    scored = {n: r[choose_on] for n, r in rows.items() if choose_on in r}
    path["chosen"] = min(scored, key=scored.get)
    Path(shipped).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return path
