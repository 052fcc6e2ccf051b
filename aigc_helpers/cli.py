"""Command line: ``python -m aigc_helpers <command>`` (also installed as ``aigc``).

Commands:
    env              print the one-line environment report (versions, device, profile)
    check-data       find MNIST, verify it by content, and say where it came from
    badges [--check] rewrite (or only check) every Colab/Binder badge from pyproject.toml
    run-notebooks    execute notebooks in place under a profile and record their run times
    generate         sample images from a saved generator into a PNG grid
                     (``generate --model PATH --n 64 --out grid.png [--label 3]``)

Taught in: notebooks/00_index.ipynb (how to run and re-host the course),
notebooks/09_lab_to_production.ipynb (``generate``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_env(args: argparse.Namespace) -> int:
    from . import config

    config.quiet_tensorflow()
    print(config.env_report(config.profile(args.profile)))
    return 0


def _cmd_check_data(args: argparse.Namespace) -> int:
    from . import data

    try:
        m = data.load_mnist(download=not args.offline)
    except data.MnistError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"MNIST OK: {m.path} ({len(m.x_train)} train + {len(m.x_test)} test images, "
        f"content sha256 {data.MNIST_SHA256[:12]}...)"
    )
    return 0


def _cmd_badges(args: argparse.Namespace) -> int:
    from . import course

    stale = course.sync_badges(check=args.check)
    if args.check:
        for s in stale:
            print(f"out of date: {s}", file=sys.stderr)
        if stale:
            print("Fix: run `python -m aigc_helpers badges`.", file=sys.stderr)
        return 1 if stale else 0
    for s in stale:
        print(f"rewrote: {s}")
    host = course.hosting()
    print(f"badges point at {host.repository}@{host.branch} ({len(stale)} file(s) changed)")
    return 0


def _cmd_run_notebooks(args: argparse.Namespace) -> int:
    from . import course

    paths = [Path(p) for p in args.notebooks] or None
    for p in paths or []:
        if not p.is_file() or p.suffix != ".ipynb":
            print(f"error: {p} is not a notebook file.", file=sys.stderr)
            return 2
    course.run_notebooks(paths, args.profile, write=not args.no_write)
    return 0


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _int_arg(value: str, flag: str, example: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            f"{flag} must be an integer, got {value!r}. Fix: e.g. {example}."
        ) from None


def _cmd_generate(args: argparse.Namespace) -> int:
    """Sample from a saved generator into a PNG grid; every failure is one line on stderr."""
    import warnings

    from . import deploy

    try:  # arguments first: they fail fast, before TensorFlow is imported
        n = deploy.check_count(_int_arg(args.n, "--n", "--n 64"))
        label = None
        if args.label is not None:
            label = deploy.check_label(_int_arg(args.label, "--label", "--label 3"))
        seed = _int_arg(args.seed, "--seed", "--seed 0")
        if seed < 0:
            raise ValueError(f"--seed must be >= 0, got {seed}. Fix: e.g. --seed 0.")
        ncols = None if args.ncols is None else _int_arg(args.ncols, "--ncols", "--ncols 8")
        deploy.grid_shape(n, ncols)
        out = deploy.check_output(args.out, force=args.force)
        if label is not None and deploy.peek_kind(args.model) in ("vae", "gan"):
            raise ValueError(
                f"{args.model} is an unconditional {deploy.peek_kind(args.model).upper()}, so it "
                "takes no label. Fix: drop --label, or use a conditional model (cvae, cgan)."
            )
    except (ValueError, OSError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # keep stderr for the one-line error, if any
            gen = deploy.load_generator(args.model)
            images = gen.generate(n, label=label, seed=seed)
            deploy.save_grid_png(images, out, ncols=ncols, force=args.force)
    # a missing file, a model of the wrong kind, a label for an unconditional model (from a folder)
    except (ValueError, OSError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # e.g. a TensorFlow error inside a damaged model: still one line
        print(
            f"error: generating failed ({type(exc).__name__}: {_one_line(exc)[:200]}). "
            "Fix: re-save or re-export the model with this version of aigc_helpers.",
            file=sys.stderr,
        )
        return 1
    rows, cols = deploy.grid_shape(n, ncols)
    what = ""
    if gen.conditional:
        what = f"label {label}" if label is not None else f"labels 0-{gen.num_classes - 1} cycling"
    print(
        f"wrote {out}: {n} images from {gen.kind} ({gen.source}) as a {rows} x {cols} grid, "
        + (f"{what}, " if what else "")
        + f"seed {seed}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aigc_helpers", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("env", help="print the environment report")
    p.add_argument(
        "--profile", default=None, help="ci, cpu, binder or gpu (default: AIGC_PROFILE/auto)"
    )
    p.set_defaults(func=_cmd_env)

    p = sub.add_parser("check-data", help="find and verify MNIST")
    p.add_argument("--offline", action="store_true", help="never try to download")
    p.set_defaults(func=_cmd_check_data)

    p = sub.add_parser("badges", help="rewrite Colab/Binder badges from pyproject.toml")
    p.add_argument("--check", action="store_true", help="only report what is out of date (exit 1)")
    p.set_defaults(func=_cmd_badges)

    p = sub.add_parser("run-notebooks", help="execute notebooks in place and record run times")
    p.add_argument("notebooks", nargs="*", help="notebook files (default: all in notebooks/)")
    p.add_argument("--profile", default="cpu", help="profile to run under (default: cpu)")
    p.add_argument(
        "--no-write", action="store_true", help="run and time, but keep the files unchanged"
    )
    p.set_defaults(func=_cmd_run_notebooks)

    p = sub.add_parser(
        "generate",
        help="sample images from a saved generator into a PNG grid",
        description="Sample n images from a course generator (VAE, conditional VAE, GAN, conditional "
        "GAN; a .keras file, an exported SavedModel folder, or a shipped name) into one PNG grid.",
    )
    p.add_argument(
        "--model",
        required=True,
        metavar="PATH",
        help="a .keras file, a SavedModel folder, or a shipped model: vae, cvae, gan, cgan",
    )
    p.add_argument("--n", default="64", metavar="N", help="number of images, 1-10000 (default 64)")
    p.add_argument("--out", required=True, metavar="FILE.png", help="PNG file to write")
    p.add_argument(
        "--label",
        default=None,
        metavar="0-9",
        help="digit class for conditional models (default: cycle 0-9)",
    )
    p.add_argument("--seed", default="0", help="random seed; same seed, same images (default 0)")
    p.add_argument("--ncols", default=None, help="grid columns (default: near-square)")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    p.set_defaults(func=_cmd_generate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ValueError as exc:  # e.g. an unknown profile name
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
