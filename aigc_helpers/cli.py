"""Command line: ``python -m aigc_helpers <command>`` (also installed as ``aigc``).

Commands:
    env              print the one-line environment report (versions, device, profile)
    check-data       find MNIST, verify it by content, and say where it came from
    references       print the course's reference list as Markdown (``--write`` saves it as
                     ``docs/references.md``, ``--check`` fails when that file is out of date)
    distributed-demo train the DCGAN a few steps on N logical CPU replicas; prints one JSON line
                     (``distributed-demo --replicas 2 --steps 20``; what ``distributed.run_demo`` runs)
    generate         sample images from a saved generator into a PNG grid
                     (``generate --model PATH --n 64 --out grid.png [--label 3] [--steps 20]``;
                     ``--model diffusion`` is the shipped latent flow model, ``--steps`` its sampler steps)
    train-evaluator  train the MNIST evaluator behind aigc_helpers.metrics and write its report
                     (``train-evaluator [--epochs 5] [--seed 0] [--out PATH]``; default: the shipped asset)

Re-running notebooks and rewriting badges are repository chores: ``make notebooks`` and ``make badges``.

Taught in: notebooks/09_lab_to_production.ipynb (``generate``),
notebooks/15_faq_and_references.ipynb (``check-data``).
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


#: How ``check-data`` messages say "try again" and how the download was switched off: the command's own
#: words (a learner at a shell typed ``--offline``, not the Python argument ``download=False``).
CHECK_DATA_AGAIN = "run `python -m aigc_helpers check-data` again"
CHECK_DATA_OFFLINE = "--offline"


def _cmd_check_data(args: argparse.Namespace) -> int:
    from . import data

    try:
        m = data._load_mnist(
            download=not args.offline, again=CHECK_DATA_AGAIN, offline=CHECK_DATA_OFFLINE
        )
    except data.MnistError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"MNIST OK: {data.shown_path(m.path)} ({len(m.x_train)} train + {len(m.x_test)} test images, "
        f"content sha256 {data.MNIST_SHA256[:12]}...)"
    )
    return 0


def _cmd_references(args: argparse.Namespace) -> int:
    from . import references

    text = references.render_document()
    doc = Path(args.doc)
    if args.write:
        doc.parent.mkdir(parents=True, exist_ok=True)
        doc.write_text(text, encoding="utf-8")
        print(f"wrote {doc} ({len(references.REFERENCES)} references)")
        return 0
    if args.check:
        if doc.is_file() and doc.read_text(encoding="utf-8") == text:
            return 0
        print(
            f"{doc} is missing or out of date. Fix: python -m aigc_helpers references --write",
            file=sys.stderr,
        )
        return 1
    sys.stdout.write(text)
    return 0


#: ``distributed-demo`` flags: the keyword arguments of ``distributed.demo`` (defaults read from it).
_DEMO_FLAGS = {
    "replicas": "logical CPU devices",
    "steps": "timed training steps",
    "warmup": "untimed first steps (they include tracing)",
    "global_batch": "images per step, split over the replicas",
    "latent_dim": "generator input size",
    "train_images": "MNIST training images used",
    "seed": "random seed",
}


def _cmd_distributed_demo(args: argparse.Namespace) -> int:
    import json

    from . import distributed

    try:
        result = distributed.demo(**{name: getattr(args, name) for name in _DEMO_FLAGS})
    except (ValueError, RuntimeError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    print(json.dumps(result))
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

    from . import deploy, images

    source = args.model if Path(args.model).exists() else f"pretrained:{args.model}"
    try:  # arguments first: they fail fast, before TensorFlow is imported
        n = deploy.check_count(_int_arg(args.n, "--n", "--n 64"))
        label = None
        if args.label is not None:
            label = deploy.check_label(_int_arg(args.label, "--label", "--label 3"))
        seed = _int_arg(args.seed, "--seed", "--seed 0")
        if seed < 0:
            raise ValueError(f"--seed must be >= 0, got {seed}. Fix: e.g. --seed 0.")
        ncols = None if args.ncols is None else _int_arg(args.ncols, "--ncols", "--ncols 8")
        steps = None
        if args.steps is not None:
            steps = _int_arg(args.steps, "--steps", "--steps 20")
            if not 1 <= steps <= 1000:
                raise ValueError(f"--steps must be 1-1000, got {steps}. Fix: e.g. --steps 20.")
            if deploy.peek_kind(args.model) not in ("diffusion", None):
                raise ValueError(
                    f"--steps sets a diffusion sampler's steps, and {args.model} is a "
                    f"{deploy.peek_kind(args.model).upper()}. Fix: drop --steps, or use --model diffusion."
                )
        images.grid_shape(n, ncols)
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
            if steps is None:
                samples = gen.generate(n, labels=label, seed=seed)
            elif deploy.kind_of(gen) == "diffusion":
                samples = gen.sample(n, labels=label, steps=steps, seed=seed)
            else:
                raise ValueError(
                    f"--steps sets a diffusion sampler's steps; {args.model} holds a "
                    f"{deploy.kind_of(gen).upper()}. Fix: drop --steps."
                )
            deploy.save_grid_png(samples, out, ncols=ncols, force=args.force)
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
    rows, cols = images.grid_shape(n, ncols)
    what = ""
    if gen.conditional:
        what = f"label {label}" if label is not None else f"labels 0-{gen.num_classes - 1} cycling"
    print(
        f"wrote {out}: {n} images from {deploy.kind_of(gen)} ({source}) as a {rows} x {cols} grid, "
        + (f"{what}, " if what else "")
        + f"seed {seed}"
        + (f", {steps} sampler steps" if steps is not None else "")
    )
    return 0


def _cmd_train_evaluator(args: argparse.Namespace) -> int:
    """Train the MNIST evaluator (``metrics.train_and_report``) and print its report."""
    from .checks import check_int

    # arguments first: they fail fast, before TensorFlow is imported
    check_int("--epochs", args.epochs, minimum=1, fix="e.g. --epochs 5.")
    check_int("--batch-size", args.batch_size, minimum=1, fix="e.g. --batch-size 128.")
    check_int("--seed", args.seed, minimum=0, fix="e.g. --seed 0.")
    check_int("--verbose", args.verbose, minimum=0, maximum=2, fix="0, 1 or 2 (Keras' verbose).")
    from .metrics import evaluator

    out = evaluator.ASSET if args.out is None else args.out
    result = evaluator.train_and_report(
        out, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, verbose=args.verbose
    )
    for key, value in result.items():
        print(f"{key}: {value}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m aigc_helpers``: one subcommand per course command.

    Example:
        >>> build_parser().parse_args(["references", "--check"]).check
        True

    Taught in: machinery behind ``python -m aigc_helpers`` (see :func:`main`)
    """
    import inspect

    from . import distributed  # cheap: TensorFlow is imported only when the demo runs

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

    p = sub.add_parser("references", help="print, write or check the course's reference list")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="write the list to --doc")
    group.add_argument(
        "--check", action="store_true", help="exit 1 when --doc is missing or out of date"
    )
    p.add_argument(
        "--doc",
        default="docs/references.md",
        metavar="FILE",
        help="the Markdown file (default: docs/references.md under the current directory)",
    )
    p.set_defaults(func=_cmd_references)

    demo_help = "train the DCGAN a few steps on N logical CPU replicas (prints one JSON line)"
    p = sub.add_parser("distributed-demo", help=demo_help, description=f"{demo_help}.")
    demo_defaults = inspect.signature(distributed.demo).parameters  # one place for the defaults
    for name, what in _DEMO_FLAGS.items():
        default = demo_defaults[name].default
        flag = "--" + name.replace("_", "-")
        p.add_argument(flag, type=int, default=default, help=f"{what} (default {default})")
    p.set_defaults(func=_cmd_distributed_demo)

    p = sub.add_parser(
        "generate",
        help="sample images from a saved generator into a PNG grid",
        description="Sample n images from a course generator (VAE, conditional VAE, GAN, conditional "
        "GAN, diffusion; a .keras file, an exported SavedModel folder, or a shipped name) into one "
        "PNG grid.",
    )
    p.add_argument(
        "--model",
        required=True,
        metavar="PATH",
        help="a .keras file, a SavedModel folder, or a shipped model: vae, cvae, gan, cgan, diffusion",
    )
    p.add_argument("--n", default="64", metavar="N", help="number of images, 1-10000 (default 64)")
    p.add_argument("--out", required=True, metavar="FILE.png", help="PNG file to write")
    p.add_argument(
        "--label",
        default=None,
        metavar="0-9",
        help="digit class for conditional models (default: cycle 0-9)",
    )
    p.add_argument(
        "--steps",
        default=None,
        metavar="N",
        help="sampler steps of a diffusion model (default: the model's own, 20)",
    )
    p.add_argument("--seed", default="0", help="random seed; same seed, same images (default 0)")
    p.add_argument("--ncols", default=None, help="grid columns (default: near-square)")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    p.set_defaults(func=_cmd_generate)

    p = sub.add_parser(
        "train-evaluator",
        help="train the MNIST evaluator behind aigc_helpers.metrics and write its report",
        description="Train the course's MNIST evaluator (seeded; a few minutes on a 2-core CPU), save "
        "it, and write <name>_results.json beside it (for the shipped asset also the cFID floors).",
    )
    p.add_argument("--epochs", type=int, default=5, help="training epochs, >= 1 (default 5)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--batch-size", type=int, default=128, help="images per step (default 128)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE.keras",
        help="where to save the model (default: the shipped aigc_helpers/assets/mnist_evaluator.keras)",
    )
    p.add_argument("--verbose", type=int, default=2, help="Keras progress output 0-2 (default 2)")
    p.set_defaults(func=_cmd_train_evaluator)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m aigc_helpers`` and ``aigc``; returns the process exit code.

    Example:
        >>> main(["env", "--profile", "huge"])  # doctest: +SKIP
        2

    Taught in: machinery behind ``python -m aigc_helpers`` (notebooks run it in a subprocess)
    """
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ValueError as exc:  # e.g. an unknown profile name
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
