"""Command line: ``python -m aigc_helpers <command>`` (also installed as ``aigc``).

Commands:
    env              print the one-line environment report (versions, device, profile)
    check-data       find MNIST, verify it by content, and say where it came from
    badges [--check] rewrite (or only check) every Colab/Binder badge from pyproject.toml
    run-notebooks    execute notebooks in place under a profile and record their run times

Taught in: notebooks/00_index.ipynb (how to run and re-host the course).
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
