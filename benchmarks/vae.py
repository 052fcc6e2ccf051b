"""VAE quality bar: our VAE beside the TensorFlow tutorial's CVAE, same wall-clock budget, same run.

Models (each trained for ``--minutes`` of wall-clock time on this machine):
- ``ours``: ``aigc_helpers.vae.VAE`` with the settings in ``OURS`` (latent 32, analytic KL, Adam 2e-3 for
  the first 80% of the budget and then lowered to 0 along a half cosine of the time left --
  ``TimeBudget(anneal=0.2)`` --, batch 128, dynamic binarization: a fresh Bernoulli draw every epoch) and a
  *pixel-context* decoder
  (``pixel_context=7``): one causal 7x7 convolution of the image (PixelCNN mask A) adds what the pixels
  above and to the left say to the decoder's 16 feature maps (made per pixel by a 1x1 last layer), so
  p(x|z) = prod_i p(x_i | z, x_<i) is still an exact likelihood but no longer treats pixels as
  independent given z.
- ``factorised``: the same VAE without the pixel context, p(x|z) = prod_i p(x_i|z). Shipped as
  ``vae_mnist.keras`` for the latent-space tools (its decoder gives each pixel's probability in one pass,
  and it exports as a SavedModel).
- ``tutorial``: the TensorFlow "Convolutional Variational Autoencoder" tutorial as published: latent 2,
  encoder Conv(32, s2) -> Conv(64, s2) -> Dense(2 x latent), decoder Dense(7x7x32) -> ConvT(64, s2) ->
  ConvT(32, s2) -> ConvT(1) logits, a one-sample Monte-Carlo KL, Adam 1e-4, batch 32, and images binarized
  once by thresholding at 0.5. (Re-implemented from its description; no code copied.)
- ``conditional``: ``aigc_helpers.vae.ConditionalVAE`` with our settings (shipped for the business notebooks).

Evaluation, identical for all: the full 10,000-image MNIST test set binarized *stochastically* once with a
fixed seed (``data.binarize(x_test, seed=0)``); test -ELBO (one posterior sample, analytic KL) and the
importance-weighted NLL with k samples (default 100), both in nats per image; training images/s.

Choices on validation, test once (``benchmarks/selection.py``): every model trains on the first 50,000
training images; the last 10,000 (``--val-n``) are a validation split that no model trains on, and
``--val-eval-n`` of them are scored (``val_*`` figures) -- settings and the design path are chosen on those.
The test set is scored once per trained model, after training. The models named by ``--seeded`` (default
``ours``) train once per seed of ``--seeds`` (default 0,1,2); their row gives the mean over seeds, the
standard deviation over seeds as ``*_sd`` (the targets are judged on the mean), each seed's figures under
``runs``, and ``iw_nll_sem``, the standard error over test images of one run (the first seed's model is
the one saved).

Design path (``path`` in ``aigc_helpers/assets/vae_results.json``, or ``--path-file``): a step is one run of
``ours`` with one seed and its changed settings, e.g. ``--models ours --seeds 0 --set pixel_channels=32
--set logits_kernel=3 --set learning_rate=1e-3 --set anneal=0 --path-row maps32_conv3_lr1e3``. It records
the step's settings, cost (``mflops`` per image, images/s, epochs) and both splits' figures, then re-chooses
the step with the lowest validation IW-NLL. A run under other conditions than the path's (budget, split, k,
test images) is refused before training.

Writes into ``--out``: ``<model>.keras``, ``samples_<model>.npy`` (10,000 prior samples, float32 Bernoulli
means -- for ``ours``, the probabilities along each pixel-by-pixel draw -- shape (10000, 28, 28)),
``results.json`` (with ``targets_met``: the quality bar checked against the ``ours`` row); prints the table. With ``--merge``, rows of models not trained in this run are kept from
the ``results.json`` already in ``--out`` (each row says when it was measured). With ``--ship``, also copies
the trained factorised VAE and conditional VAE (without optimizer state) into ``aigc_helpers/assets/``.

Usage: python benchmarks/vae.py --minutes 15 --out runs/vae-bench [--k 100] [--ship]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from aigc_helpers import config, data

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/selection.py, run or imported
import selection  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

# Our settings (see the module docstring). Changing them changes the benchmark's ``ours`` row.
OURS = {
    "latent_dim": 32,
    "pixel_context": 7,  # kernel size of the causal convolution (0 = the factorised decoder)
    "pixel_channels": 16,  # feature maps the decoder hands to the pixel head
    "learning_rate": 2e-3,
    "anneal": 0.2,  # last fraction of the budget in which the rate falls to 0 (callbacks.TimeBudget)
    "batch_size": 128,
    "logits_kernel": 1,  # kernel of the decoder's last layer into the pixel head's maps (1 = per pixel)
}

# What a step of the design path records of its one-seed run of ``ours`` (``--path-row``).
PATH_SETTINGS = ("pixel_channels", "logits_kernel", "learning_rate", "anneal")


def parse_settings(items: list[str]) -> dict:
    """``OURS`` with ``--set KEY=VALUE`` overrides (numbers), for the design path's steps.

    >>> parse_settings(["learning_rate=1e-3", "pixel_channels=32"])["pixel_channels"]
    32
    >>> parse_settings(["lr=1e-3"])
    Traceback (most recent call last):
    ...
    ValueError: --set lr=1e-3: unknown setting 'lr'. Fix: use one of latent_dim, pixel_context, pixel_channels, learning_rate, anneal, batch_size, logits_kernel.
    """
    settings = dict(OURS)
    for item in items:
        key, _, text = item.partition("=")
        if key not in OURS:
            raise ValueError(
                f"--set {item}: unknown setting {key!r}. Fix: use one of {', '.join(OURS)}."
            )
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        whole = isinstance(OURS[key], int)
        if value != value or (whole and value != int(value)):
            kind = "a whole number" if whole else "a number"
            raise ValueError(
                f"--set {item}: {text!r} is not {kind}. Fix: e.g. --set {key}={OURS[key]}."
            )
        settings[key] = int(value) if whole else value
    return settings


def path_row(report: dict) -> dict:
    """The design-path row of a one-seed run of ``ours``: its settings in ``PATH_SETTINGS``, then its figures.

    >>> path_row({"k": 3, "ours_settings": {"pixel_channels": 8, "anneal": 0.2},
    ...           "models": {"ours": {"val_iw_nll_k3": 90.0, "runs": [], "seed": 0}}})
    {'pixel_channels': 8, 'anneal': 0.2, 'val_iw_nll_k3': 90.0}
    """
    k, ours = report["k"], report["models"]["ours"]
    figures = (
        "params",
        "mflops",
        "train_images",
        "epochs",
        "images_per_s",
        f"val_iw_nll_k{k}",
        "val_neg_elbo",
        "test_neg_elbo",
        f"test_iw_nll_k{k}",
        "iw_nll_sem",
    )
    settings = {
        key: report["ours_settings"][key] for key in PATH_SETTINGS if key in report["ours_settings"]
    }
    return {**settings, **{key: ours[key] for key in figures if key in ours}}


def tutorial_networks(latent_dim: int = 2):
    import keras

    x = keras.Input((28, 28, 1))
    h = keras.layers.Conv2D(32, 3, strides=2, activation="relu")(x)
    h = keras.layers.Conv2D(64, 3, strides=2, activation="relu")(h)
    h = keras.layers.Flatten()(h)
    # The tutorial's single Dense(2 * latent) split in two halves is the same map as two Dense heads.
    encoder = keras.Model(
        x,
        [keras.layers.Dense(latent_dim)(h), keras.layers.Dense(latent_dim)(h)],
        name="tutorial_encoder",
    )
    z = keras.Input((latent_dim,))
    h = keras.layers.Dense(7 * 7 * 32, activation="relu")(z)
    h = keras.layers.Reshape((7, 7, 32))(h)
    h = keras.layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu")(h)
    h = keras.layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(h)
    logits = keras.layers.Conv2DTranspose(1, 3, strides=1, padding="same")(h)
    return encoder, keras.Model(z, logits, name="tutorial_decoder")


def make_tutorial_class():
    import keras

    from aigc_helpers import vae as V

    @keras.saving.register_keras_serializable(package="aigc_benchmarks")
    class TutorialCVAE(V.VAE):
        """The tutorial's loss: a one-sample Monte-Carlo KL, log q(z|x) - log p(z), instead of the closed form."""

        def _terms(self, x, y, training=False):
            mean, log_var = self._encode(x, y, training)
            z = V.reparameterize(mean, log_var, self._eps(keras.ops.shape(mean)))
            reconstruction = -V.bernoulli_log_likelihood(x, self._decode_logits(z, y, training))
            kl = V.log_normal(z, mean, log_var) - V.log_normal(z)
            return reconstruction, kl

    return TutorialCVAE


def build(name: str, x_train, y_train, seed: int, args, settings: dict = OURS):
    """``(model, dataset, batch size, minutes, anneal, conditional)`` for one of the benchmark's models
    (``ours``, ``factorised`` and ``conditional`` with ``settings``)."""
    import keras

    from aigc_helpers import vae as V

    minutes, anneal, conditional = args.minutes, settings["anneal"], False
    if name in ("ours", "factorised"):
        context = settings["pixel_context"] if name == "ours" else 0
        decoder = None
        if context and settings["logits_kernel"] != 1:  # a design-path step: another last layer
            decoder = V.build_decoder(
                settings["latent_dim"],
                out_channels=settings["pixel_channels"],
                logits_kernel=settings["logits_kernel"],
            )
        model = V.VAE(
            latent_dim=settings["latent_dim"],
            pixel_context=context,
            pixel_channels=settings["pixel_channels"],
            decoder=decoder,
            seed=seed,
        )
        batch = settings["batch_size"]
        model.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]))
        ds = data.vae_dataset(x_train, batch_size=batch, seed=seed)
    elif name == "conditional":
        model = V.ConditionalVAE(latent_dim=settings["latent_dim"], num_classes=10, seed=seed)
        batch = settings["batch_size"]
        model.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]))
        ds = data.vae_dataset(x_train, y_train, batch_size=batch, seed=seed)
        minutes, conditional = args.cond_minutes or args.minutes, True
    elif name == "tutorial":
        import tensorflow as tf

        enc, dec = tutorial_networks(2)
        model = make_tutorial_class()(latent_dim=2, encoder=enc, decoder=dec, seed=seed)
        batch = 32
        model.compile(optimizer=keras.optimizers.Adam(1e-4))
        anneal = 0.0  # the tutorial trains at a constant rate
        static = (x_train[..., None] / 255.0 > 0.5).astype("float32")
        ds = tf.data.Dataset.from_tensor_slices(static).shuffle(len(static), seed=seed).batch(batch)
    else:
        raise ValueError(
            f"unknown model {name!r}; choose from ours, factorised, tutorial, conditional"
        )
    return model, ds, batch, minutes, anneal, conditional


def train(
    model, ds, minutes: float, batch_size: int, verbose: int, anneal: float, n_train: int
) -> dict:
    from aigc_helpers.callbacks import TimeBudget

    budget = TimeBudget(minutes, anneal=anneal)
    model.fit(ds, epochs=100_000, verbose=verbose, callbacks=[budget])
    return {
        "train_seconds": round(budget.seconds, 1),
        "train_images": budget.batches * batch_size,
        "epochs": round(budget.batches * batch_size / n_train, 2),
        "images_per_s": round(budget.batches * batch_size / budget.seconds, 1),
    }


def evaluate(model, x_bin, labels, k: int, split: str = "test") -> dict:
    """-ELBO and IW-NLL (k samples) in nats per image on ``x_bin``, keys prefixed by ``split``.

    ``iw_nll_sem`` (``val_iw_nll_sem`` for validation) is the standard error over *images* of one run,
    not a spread over seeds.
    """
    t = time.perf_counter()
    neg_elbo = -model.elbo(x_bin, labels, seed=1)
    nll = model.iw_nll(x_bin, k=k, labels=labels, seed=2)
    sem = "iw_nll_sem" if split == "test" else f"{split}_iw_nll_sem"
    return {
        f"{split}_neg_elbo": round(float(neg_elbo.mean()), 2),
        f"{split}_iw_nll_k{k}": round(float(nll.mean()), 2),
        sem: round(float(nll.std(ddof=1) / np.sqrt(len(nll))), 2),
        f"{split}_eval_seconds": round(time.perf_counter() - t, 1),
    }


# The course's quality bar for ``ours``: IW-NLL <= 85 nats after <= 15 minutes of training, scored with
# k >= 100 on the full test set.
BAR_NATS, BAR_MINUTES, BAR_K, BAR_TEST_N = 85.0, 15.0, 100, 10000


def targets_met(report: dict) -> dict[str, bool]:
    """The quality bar checked against the measured ``ours`` row of ``report`` (empty without one)."""
    row = report["models"].get("ours")
    if row is None:
        return {}
    k = report["k"]
    return {
        f"IW-NLL <= {BAR_NATS:g} nats": row[f"test_iw_nll_k{k}"] <= BAR_NATS,
        # TimeBudget stops after the batch in flight when the clock runs out: allow one second for it
        f"trained <= {BAR_MINUTES:g} min": row["train_seconds"] <= BAR_MINUTES * 60 + 1,
        f"k >= {BAR_K}": k >= BAR_K,
        f"all {BAR_TEST_N} test images": report["test_n"] >= BAR_TEST_N,
    }


def save_without_optimizer(model, path: Path) -> None:
    """A copy of ``model`` with the same weights but no optimizer state (smaller file for shipping)."""
    clone = type(model).from_config(model.get_config())
    clone.set_weights(model.get_weights())
    clone.save(path)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=15.0, help="training budget per model")
    parser.add_argument(
        "--cond-minutes",
        type=float,
        default=None,
        help="budget of the conditional VAE (default: --minutes)",
    )
    parser.add_argument(
        "--k",
        type=int,
        default=100,
        help="importance samples for the IW-NLL (>= 100 for reporting)",
    )
    parser.add_argument(
        "--test-n", type=int, default=10000, help="test images to evaluate (10000 = all)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "runs" / "vae-bench")
    parser.add_argument("--models", default="ours,factorised,tutorial,conditional")
    parser.add_argument(
        "--ship",
        action="store_true",
        help="copy factorised + conditional into aigc_helpers/assets/",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep rows of models not re-run from --out/results.json",
    )
    selection.add_arguments(parser)
    parser.add_argument(
        "--val-eval-n",
        type=int,
        default=2000,
        help="validation images scored per model (choices are made on these figures)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one of ours's settings (OURS) for this run, e.g. --set learning_rate=1e-3; "
        "repeatable (a design-path step)",
    )
    selection.add_path_arguments(
        parser, REPO / "aigc_helpers" / "assets" / "vae_results.json", "validation IW-NLL"
    )
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)
    if args.k < 1 or args.minutes <= 0:
        parser.error("--k must be >= 1 and --minutes > 0")
    seeds, seeded = selection.read_arguments(parser, args)
    try:
        settings = parse_settings(args.set)
    except ValueError as err:
        parser.error(str(err))
    selection.check_path_arguments(parser, args, seeds)

    config.quiet_tensorflow()

    from aigc_helpers import vae as V

    out = args.out
    (x_all, y_all), (x_test, y_test) = data.load_mnist()
    try:
        (x_train, y_train), (x_val, y_val) = selection.holdout(x_all, y_all, args.val_n)
    except ValueError as err:
        parser.error(str(err))
    x_eval = data.binarize(x_test[: args.test_n], seed=0)
    y_eval = y_test[: args.test_n]
    x_val_eval = data.binarize(x_val[: args.val_eval_n], seed=0)
    y_val_eval = y_val[: args.val_eval_n]
    path_run = {  # the conditions every step of the design path shares
        "minutes": args.minutes,
        "train_n": len(x_train),
        "validation_n": len(x_val),
        "validation_scored": len(x_val_eval),
        "k": args.k,
        "test_n": len(x_eval),
    }
    selection.refuse_path_conflict(parser, args, path_run)
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "env": config.env_report(),
        "measured": time.strftime("%Y-%m-%d"),
        "minutes": args.minutes,
        "k": args.k,
        "test_n": len(x_eval),
        "selection": {
            "rule": selection.SPLIT_NOTE.format(n=len(x_val)),
            "validation_n": len(x_val),
            "validation_scored": len(x_val_eval),
            "seeds": seeds,
            "seeded_models": sorted(seeded),
        },
        "ours_settings": settings,
        "models": {},
    }
    print(report["env"])
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    if args.merge and (out / "results.json").is_file():
        earlier = json.loads((out / "results.json").read_text())
        if (earlier["k"], earlier["test_n"]) != (args.k, len(x_eval)):
            parser.error(
                f"--merge: {out / 'results.json'} was scored with k={earlier['k']} on {earlier['test_n']} test "
                f"images, this run with k={args.k} on {len(x_eval)}, so its rows would not be comparable. Fix: "
                f"run with --k {earlier['k']} --test-n {earlier['test_n']}, or choose another --out."
            )
        for name, row in earlier["models"].items():
            if name not in names:
                row.setdefault(
                    "measured", f"{earlier.get('measured', 'an earlier run')}: {earlier['env']}"
                )
                report["models"][name] = row

    for name in names:
        runs = []
        for seed in seeds if name in seeded else seeds[:1]:
            config.set_seed(seed)
            model, ds, batch, minutes, anneal, conditional = build(
                name, x_train, y_train, seed, args, settings
            )
            print(f"\n== {name}, seed {seed}: training for {minutes} min", flush=True)
            run = {"seed": seed, "params": int(model.count_params()), "batch_size": batch}
            run["anneal"] = anneal
            if name == "ours" and args.path_row:  # what the step costs per image
                from aigc_helpers import compute

                parts = [model.encoder, model.decoder, model.pixel_head]
                run["mflops"] = round(
                    sum(compute.count_flops(p) for p in parts if p is not None) / 1e6, 1
                )
            run.update(train(model, ds, minutes, batch, args.verbose, anneal, len(x_train)))
            if len(x_val_eval):
                print(f"== {name}: validation, {len(x_val_eval)} images (k={args.k})", flush=True)
                labels = y_val_eval if conditional else None
                run.update(evaluate(model, x_val_eval, labels, args.k, split="val"))
            print(f"== {name}: test, {len(x_eval)} images (k={args.k})", flush=True)
            run.update(evaluate(model, x_eval, y_eval if conditional else None, args.k))
            if not runs:  # the first seed's model is the one saved (and shipped)
                model.save(out / f"{name}.keras")
                sample_labels = np.arange(10000) % 10 if conditional else None
                np.save(
                    out / f"samples_{name}.npy",
                    model.generate(10000, labels=sample_labels, seed=seed).astype(np.float32),
                )
            runs.append(run)
            print(json.dumps(run), flush=True)
        k = args.k
        spread = (
            f"test_iw_nll_k{k}",
            "test_neg_elbo",
            f"val_iw_nll_k{k}",
            "val_neg_elbo",
            "epochs",
        )
        row = selection.summarize(runs, spread)
        row["runs"] = runs
        report["models"][name] = row
        report["targets_met"] = targets_met(report)
        (out / "results.json").write_text(json.dumps(report, indent=1) + "\n")

    k = args.k
    print(f"\nchoices on validation, test scored once: {report['selection']['rule']}")
    print(
        f"{'model':12s} {'seeds':>5s} {'epochs':>7s} {'img/s':>8s} {f'val IW-NLL k={k}':>16s} "
        f"{'test -ELBO':>11s} {f'test IW-NLL k={k}':>24s}"
    )
    for name, r in report["models"].items():
        val = r.get(f"val_iw_nll_k{k}")
        test = f"{r[f'test_iw_nll_k{k}']:.2f}"
        if f"test_iw_nll_k{k}_sd" in r:
            test += f" ± {r[f'test_iw_nll_k{k}_sd']:.2f} (sd)"
        print(
            f"{name:12s} {r.get('n_seeds', 1):5d} {r['epochs']:7.2f} {r['images_per_s']:8.0f} "
            f"{'-' if val is None else f'{val:.2f}':>16s} {r['test_neg_elbo']:11.2f} {test:>24s}"
        )
    if report.get("targets_met"):
        print(f"quality bar for ours: {json.dumps(report['targets_met'])}")

    if args.path_row:
        path = selection.merge_path_row(
            args.path_file,
            args.path_row,
            path_row(report),
            run=path_run,
            choose_on=f"val_iw_nll_k{args.k}",
            measured=f"{time.strftime('%Y-%m-%d')}: {report['env']}",
        )
        print(f"design path: recorded {args.path_row!r}; chosen on validation: {path['chosen']!r}")

    if args.ship:
        assets = REPO / "aigc_helpers" / "assets"
        for name, target in (
            ("factorised", "vae_mnist.keras"),
            ("conditional", "cvae_mnist.keras"),
        ):
            if name in names and (out / f"{name}.keras").is_file():
                save_without_optimizer(V.load_vae(out / f"{name}.keras"), assets / target)
                print(f"shipped {target}: {(assets / target).stat().st_size / 1e6:.2f} MB")
        selection.ship_results(out / "results.json", assets / "vae_results.json")
    return report


if __name__ == "__main__":
    main()
