"""DCGAN quality bar: our DCGAN beside the TensorFlow tutorial's DCGAN, same wall-clock budget, same run.

Models (each trained for ``--minutes`` of wall-clock time on this machine):
- ``ours``: ``aigc_helpers.gan.build_dcgan`` with the settings in ``OURS`` below, chosen by short
  measured runs on this CPU: a *small* DCGAN (G 7x7x64 -> 14x14x32 -> 28x28x1 with batch norm, 4x4
  kernels; D 32 -> 64 stride-2 convolutions, no dropout), non-saturating loss, Adam(4e-4, beta_1=0.5) for
  both networks, batch 16, and samples drawn from an exponential moving average (EMA, 0.999) of the
  generator's weights. On a CPU an image costs about the same in any batch, so a small model with small
  batches takes many more updates per minute; that beat every stabilizer we measured at these budgets
  (hinge loss + spectral normalization was far worse in the first minutes). On top of that it is
  *self-conditioned* (Liu et al., 2020; ``gan.SelfConditionedGAN``): ``OURS["clusters"]`` k-means clusters
  of the training pixels (PCA-50 + MiniBatchKMeans, a few seconds, no class labels) condition a projection
  discriminator, and the generator reads its cluster off its own noise, so it stays an unconditional
  generator of z ~ N(0, I). The k-means time is charged to ``ours``' budget (``build_seconds``).
  The design path (plain, 20 and 50 clusters at 5-minute budgets, one seed each, chosen on their
  validation cFID) is recorded under ``path`` in ``aigc_helpers/assets/gan_results.json``: each step is
  ``--minutes 5 --models ours --seeds 0 --clusters K --path-row NAME``, which writes that run's row (the
  clusters' purity included) there and re-chooses the step with the lowest validation cFID.
  ``--clusters 0`` trains the plain DCGAN.
- ``tutorial``: the TensorFlow "Deep Convolutional Generative Adversarial Network" tutorial as published:
  G = Dense(7*7*256, no bias) + BN + LeakyReLU, Conv2DTranspose 128 5x5 s1, 64 5x5 s2 (each + BN +
  LeakyReLU), 1 5x5 s2 tanh; D = Conv 64 5x5 s2 + LeakyReLU + Dropout 0.3, Conv 128 5x5 s2 + LeakyReLU +
  Dropout 0.3, Flatten, Dense 1; Adam(1e-4) for both; batch 256; noise 100; cross-entropy on logits;
  both networks updated from one forward pass on the same fakes (its ``train_step``); a float32
  ``from_tensor_slices(...).shuffle(60000).batch(256)`` pipeline. (Re-implemented from its description;
  no code copied.)
- ``conditional``: ``aigc_helpers.gan.ConditionalGAN`` with our settings (shipped for notebook 05 and the
  business notebooks).

Evaluation, identical for all: 10,000 samples per model scored by ``aigc_helpers.metrics.evaluate``
against the MNIST test set (cFID in the evaluator's feature space, classifier Inception Score, class
coverage KL, precision/recall, memorization); training images/s from the same run (the machine may be
shared, so compare the *ratio*).

Choices on validation, test once (``benchmarks/selection.py``): every model trains on the first 50,000
training images; the last 10,000 (``--val-n``) are a validation split that no model trains on, and each
run's cFID against them (``val_cfid``) is what settings and the design path are chosen on. The test set is
scored once per trained model, after training. The models named by ``--seeded`` (default ``ours``) train
once per seed of ``--seeds`` (default 0,1,2): their row gives the mean over seeds, the standard deviation
over seeds as ``*_sd`` (the targets are judged on the mean) and each seed's figures under ``runs``.

Writes into ``--out``: ``<model>.keras`` (the first seed's), ``samples_<model>_s<seed>.npy`` (samples,
uint8, (n, 28, 28)),
``results.json``; prints the table. With ``--ship``, also copies our GAN and the conditional GAN (the EMA
weights, without optimizer state) into ``aigc_helpers/assets/`` with ``gan_results.json``.

Usage: python benchmarks/dcgan.py --minutes 15 --out runs/dcgan-bench [--ship]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from aigc_helpers import config, data
from aigc_helpers.images import to_uint8

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/selection.py, run or imported
import selection  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

# Our settings (see the module docstring). Changing them changes the shipped model: re-run with --ship.
OURS = {
    "latent_dim": 100,
    "g_filters": (64, 32),
    "d_filters": (32, 64),
    "batch_size": 16,
    "g_lr": 4e-4,
    "d_lr": 4e-4,
    "beta_1": 0.5,
    "gan": {"ema_decay": 0.999},
    "clusters": 50,  # self-conditioning on k-means clusters; 0 = the plain DCGAN
}


def tutorial_networks(latent_dim: int = 100):
    import keras

    z = keras.Input((latent_dim,))
    h = keras.layers.Dense(7 * 7 * 256, use_bias=False)(z)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.LeakyReLU()(h)
    h = keras.layers.Reshape((7, 7, 256))(h)
    for filters, stride in ((128, 1), (64, 2)):
        h = keras.layers.Conv2DTranspose(
            filters, 5, strides=stride, padding="same", use_bias=False
        )(h)
        h = keras.layers.BatchNormalization()(h)
        h = keras.layers.LeakyReLU()(h)
    image = keras.layers.Conv2DTranspose(
        1, 5, strides=2, padding="same", use_bias=False, activation="tanh"
    )(h)
    generator = keras.Model(z, image, name="tutorial_generator")

    x = keras.Input((28, 28, 1))
    h = x
    for filters in (64, 128):
        h = keras.layers.Conv2D(filters, 5, strides=2, padding="same")(h)
        h = keras.layers.LeakyReLU()(h)
        h = keras.layers.Dropout(0.3)(h)
    logit = keras.layers.Dense(1)(keras.layers.Flatten()(h))
    return generator, keras.Model(x, logit, name="tutorial_discriminator")


def make_tutorial_class():
    import keras
    import tensorflow as tf

    from aigc_helpers import gan as G

    @keras.saving.register_keras_serializable(package="aigc_benchmarks")
    class TutorialGAN(G.GAN):
        """The tutorial's step: one forward pass on the same fakes, then both networks' gradients."""

        def train_step(self, data):
            x, y = self._split(data)
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                fake = self.generator(self._noise(tf.shape(x)[0]), training=True)
                real_logits = self.discriminator(x, training=True)
                fake_logits = self.discriminator(fake, training=True)
                g_loss = G.generator_loss(fake_logits)
                d_loss = G.discriminator_loss(real_logits, fake_logits)
            g_vars = self.generator.trainable_variables
            d_vars = self.discriminator.trainable_variables
            self.g_optimizer.apply_gradients(
                zip(g_tape.gradient(g_loss, g_vars), g_vars, strict=True)
            )
            self.d_optimizer.apply_gradients(
                zip(d_tape.gradient(d_loss, d_vars), d_vars, strict=True)
            )
            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            self.d_real_tracker.update_state(tf.reduce_mean(tf.sigmoid(real_logits)))
            self.d_fake_tracker.update_state(tf.reduce_mean(tf.sigmoid(fake_logits)))
            return {m.name: m.result() for m in self.metrics}

    return TutorialGAN


def purity(clusters: np.ndarray, digits: np.ndarray) -> float:
    """The share of images whose digit is their cluster's most common digit (chance: about 0.11).

    >>> purity(np.array([0, 0, 0, 1, 1]), np.array([3, 3, 5, 7, 7]))
    0.8
    """
    counts = sum(int(np.bincount(digits[clusters == c]).max()) for c in np.unique(clusters))
    return round(counts / len(digits), 3)


def build(name: str, x_train, y_train, seed: int, clusters: int = 0, info: dict | None = None):
    """(model, dataset, batch size) for one of the benchmark's models.

    ``clusters`` > 0 makes ``ours`` a self-conditioned DCGAN on that many k-means clusters of the
    training pixels (no class labels); 0 is the plain DCGAN. The clusters' :func:`purity` against the
    digits (used only to report it) goes into ``info`` when one is given.
    """
    import keras
    import tensorflow as tf

    from aigc_helpers import gan as G

    if name in ("ours", "conditional"):
        nc = 10 if name == "conditional" else None
        labels, weights = (y_train if nc else None), None
        if name == "ours" and clusters:
            labels, weights = G.cluster_labels(x_train, clusters, seed=seed)
            if info is not None:
                info["purity"] = purity(labels, y_train)
        model = G.build_recipe(OURS, num_classes=nc, cluster_weights=weights, seed=seed)
        batch = OURS["batch_size"]
        ds = data.gan_dataset(x_train, labels, batch_size=batch, seed=seed)
        return model, ds, batch
    if name == "tutorial":
        g, d = tutorial_networks(100)
        model = make_tutorial_class()(g, d, seed=seed)
        model.compile(
            d_optimizer=keras.optimizers.Adam(1e-4), g_optimizer=keras.optimizers.Adam(1e-4)
        )
        images = (x_train.reshape(-1, 28, 28, 1).astype("float32") - 127.5) / 127.5
        ds = tf.data.Dataset.from_tensor_slices(images).shuffle(len(images), seed=seed).batch(256)
        return model, ds, 256
    raise ValueError(f"unknown model {name!r}; choose from ours, tutorial, conditional")


def train(
    model, ds, minutes: float, batch_size: int, verbose: int, n_train: int, anneal: float = 0.0
) -> dict:
    import keras

    from aigc_helpers.callbacks import TimeBudget

    class SteadyRate(keras.callbacks.Callback):
        """Times the steps after the first one (which includes tracing the graph)."""

        def on_train_begin(self, logs=None):
            self.first = self.last = None
            self.batches = 0

        def on_train_batch_end(self, batch, logs=None):
            now = time.perf_counter()
            if self.first is None:
                self.first = now
            else:
                self.batches += 1
            self.last = now

    budget, steady = TimeBudget(minutes, anneal=anneal), SteadyRate()
    model.fit(ds, epochs=100_000, verbose=verbose, callbacks=[budget, steady])
    overall = budget.batches * batch_size / budget.seconds
    # A budget that ends after the first step leaves no steady steps to time: the overall rate
    # (tracing included) is then the only honest figure, and it is never zero.
    rate = steady.batches * batch_size / (steady.last - steady.first) if steady.batches else overall
    return {
        "train_seconds": round(budget.seconds, 1),
        "train_images": budget.batches * batch_size,
        "epochs": round(budget.batches * batch_size / n_train, 2),
        "images_per_s": round(overall, 1),
        "images_per_s_steady": round(rate, 1),
    }


def evaluate(samples_u8: np.ndarray) -> dict:
    from aigc_helpers import metrics

    t = time.perf_counter()
    scores = metrics.evaluate(samples_u8, reference="test")
    row = {k: (round(float(v), 4) if isinstance(v, float) else v) for k, v in scores.items()}
    row["eval_seconds"] = round(time.perf_counter() - t, 1)
    return row


def validation_cfid(samples_u8: np.ndarray, val_features: np.ndarray) -> float:
    """cFID of samples against the held-out validation images' features (what choices are made on)."""
    from aigc_helpers import metrics

    return round(float(metrics.frechet_distance(metrics.features(samples_u8), val_features)), 4)


# The evaluator's figures of a run, validation first: the table's columns, the design path's record and
# (with epochs) the figures whose spread over seeds a row reports.
METRICS = ("val_cfid", "cfid", "inception_score", "coverage_kl", "precision", "recall")
TABLE_COLUMNS = ("n_seeds", "images_per_s_steady", "epochs", *METRICS, "memorization_ratio")


def print_table(report: dict, cols: tuple[str, ...]) -> None:
    """The results table (one row per model, ``cols`` as columns), then ratios and targets if any."""
    print(f"\nchoices on validation, test scored once: {report['selection']['rule']}")
    print("\n" + f"{'model':12s}" + "".join(f"{c[:15]:>16s}" for c in cols))
    for name, r in report["models"].items():
        cells = "".join(
            f"{r[c]:16.3f}" if isinstance(r.get(c), (int, float)) else f"{'-':>16s}" for c in cols
        )
        print(f"{name:12s}{cells}")
    for key in ("ratios", "targets_met"):
        if key in report:
            print(json.dumps(report[key]))


SPREAD = (*METRICS, "epochs")


# What a step of the design path records of its run (purity only when it clusters).
PATH_KEYS = (
    "clusters",
    "purity",
    "images_per_s",
    "images_per_s_steady",
    "train_images",
    "epochs",
    "build_seconds",
    *METRICS,
)


def path_row(report: dict) -> dict:
    """The design-path row of a one-seed run of ``ours``: its figures in ``PATH_KEYS`` and its clusters.

    >>> path_row({"ours_settings": {"clusters": 0}, "models": {"ours": {"cfid": 9.0, "env": "x"}}})
    {'clusters': 0, 'cfid': 9.0}
    """
    ours = {"clusters": report["ours_settings"]["clusters"], **report["models"]["ours"]}
    return {key: ours[key] for key in PATH_KEYS if key in ours}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=15.0, help="training budget per model")
    parser.add_argument(
        "--cond-minutes",
        type=float,
        default=None,
        help="budget of the conditional GAN (default: --minutes)",
    )
    parser.add_argument("--n", type=int, default=10000, help="samples per model for the evaluation")
    parser.add_argument("--out", type=Path, default=REPO / "runs" / "dcgan-bench")
    parser.add_argument("--models", default="ours,tutorial,conditional")
    parser.add_argument(
        "--ship", action="store_true", help="copy ours + conditional into aigc_helpers/assets/"
    )
    parser.add_argument(
        "--clusters",
        type=int,
        default=OURS["clusters"],
        help="train ours as a self-conditioned DCGAN on this many k-means clusters (0 = plain; "
        "default: OURS['clusters'])",
    )
    selection.add_arguments(parser)
    parser.add_argument("--verbose", type=int, default=2)
    parser.add_argument(
        "--eval-only", action="store_true", help="re-score the samples saved in --out"
    )
    selection.add_path_arguments(
        parser, REPO / "aigc_helpers" / "assets" / "gan_results.json", "validation cFID"
    )
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.n < 2:
        parser.error("--minutes must be > 0 and --n >= 2")
    if args.clusters < 0 or args.clusters == 1:
        parser.error("--clusters must be 0 (the plain DCGAN) or at least 2")
    seeds, seeded = selection.read_arguments(parser, args)
    selection.check_path_arguments(parser, args, seeds)

    config.quiet_tensorflow()
    from aigc_helpers import gan as G
    from aigc_helpers import metrics

    out = args.out
    x_all, y_all = data.load_mnist().train
    try:
        (x_train, y_train), (x_val, _) = selection.holdout(x_all, y_all, args.val_n)
    except ValueError as err:
        parser.error(str(err))
    # the conditions every step of the design path shares, checked before anything is trained
    path_run = {"minutes": args.minutes, "train_n": len(x_train), "validation_n": len(x_val)}
    selection.refuse_path_conflict(parser, args, path_run)
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "env": config.env_report(),
        "minutes": args.minutes,
        "n_samples": args.n,
        "selection": {
            "rule": selection.SPLIT_NOTE.format(n=len(x_val)),
            "validation_n": len(x_val),
            "seeds": seeds,
            "seeded_models": sorted(seeded),
        },
        "ours_settings": {k: list(v) if isinstance(v, tuple) else v for k, v in OURS.items()},
        "models": {},
    }
    print(report["env"])
    if args.eval_only:  # re-score the samples of an earlier run (e.g. after the evaluator changed)
        report = json.loads((out / "results.json").read_text())

    for name in [] if args.eval_only else [m.strip() for m in args.models.split(",") if m.strip()]:
        runs = []
        for seed in seeds if name in seeded else seeds[:1]:
            config.set_seed(seed)
            t_build = time.perf_counter()
            info: dict = {}
            model, ds, batch = build(name, x_train, y_train, seed, args.clusters, info)
            t_build = time.perf_counter() - t_build  # k-means time counts against the budget
            if name == "ours":
                report["ours_settings"]["clusters"] = args.clusters
            minutes = (args.cond_minutes or args.minutes) if name == "conditional" else args.minutes
            if minutes - t_build / 60 <= 0:
                parser.error(
                    f"the {minutes} min budget of {name} is used up by building it ({t_build:.1f} s, "
                    "k-means included). Fix: give a longer --minutes (or --cond-minutes)."
                )
            print(f"\n== {name}, seed {seed}: training for {minutes} min", flush=True)
            run = {
                "seed": seed,
                "params_generator": int(model.generator.count_params()),
                "params_discriminator": int(model.discriminator.count_params()),
                "batch_size": batch,
                "minutes": minutes,
                **train(model, ds, minutes - t_build / 60, batch, args.verbose, len(x_train)),
                "build_seconds": round(t_build, 1),
                **info,
            }
            if not runs:  # the first seed's model is the one saved (and shipped)
                model.save(out / f"{name}.keras")
            np.save(
                out / f"samples_{name}_s{seed}.npy",
                to_uint8(model.generate(args.n, seed=seed + 1)),
            )
            runs.append(run)
            print(json.dumps(run), flush=True)
        report["models"][name] = {"runs": runs}
        (out / "results.json").write_text(json.dumps(report, indent=1) + "\n")

    # Evaluation after all training, so that no model's budget includes another's scoring. Validation
    # figures (cFID against the held-out images) are what choices are made on; the test set is scored
    # once per trained model and chooses nothing.
    t = time.perf_counter()
    floor = metrics.cfid_floor()
    report["cfid_floor_train_vs_test"] = round(float(floor), 4)
    print(f"\ncFID floor (MNIST train vs test): {floor:.3f} ({time.perf_counter() - t:.0f} s)")
    val_features = metrics.features(x_val) if len(x_val) else None
    for name, entry in report["models"].items():
        runs = entry["runs"]
        for run in runs:
            samples = np.load(out / f"samples_{name}_s{run['seed']}.npy")
            print(f"== {name}, seed {run['seed']}: evaluating {len(samples)} samples", flush=True)
            if val_features is not None:
                run["val_cfid"] = validation_cfid(samples, val_features)
            run.update(evaluate(samples))
            print(json.dumps(run), flush=True)
        report["models"][name] = {**selection.summarize(runs, SPREAD), "runs": runs}
        (out / "results.json").write_text(json.dumps(report, indent=1) + "\n")

    rows = report["models"]
    if "ours" in rows and "tutorial" in rows:
        o, t_ = rows["ours"], rows["tutorial"]
        report["ratios"] = {
            "throughput_ours_over_tutorial": round(
                o["images_per_s_steady"] / t_["images_per_s_steady"], 2
            ),
            "cfid_ours_over_tutorial": round(o["cfid"] / t_["cfid"], 4),
        }
        # The course's quality bars for our model, checked (not claimed), on the mean over seeds.
        report["targets_met"] = {
            "cfid <= 10": o["cfid"] <= 10,
            "coverage_kl < 0.05": o["coverage_kl"] < 0.05,
            "inception_score >= 9": o["inception_score"] >= 9.0,
            "cfid <= tutorial / 10": o["cfid"] <= t_["cfid"] / 10,
            "throughput >= 2x tutorial": o["images_per_s_steady"] >= 2 * t_["images_per_s_steady"],
        }
        (out / "results.json").write_text(json.dumps(report, indent=1) + "\n")

    print_table(report, TABLE_COLUMNS)

    if args.path_row:
        path = selection.merge_path_row(
            args.path_file,
            args.path_row,
            path_row(report),
            run=path_run,
            choose_on="val_cfid",
            measured=f"{time.strftime('%Y-%m-%d')}: {report['env']}",
        )
        print(f"design path: recorded {args.path_row!r}; chosen on validation: {path['chosen']!r}")

    if args.ship:
        assets = REPO / "aigc_helpers" / "assets"
        for name, target in (("ours", G.PRETRAINED["gan"]), ("conditional", G.PRETRAINED["cgan"])):
            if (out / f"{name}.keras").is_file():
                G.load_gan(out / f"{name}.keras").sampling_copy().save(assets / target)
                print(f"shipped {target}: {(assets / target).stat().st_size / 1e6:.2f} MB")
        selection.ship_results(out / "results.json", assets / "gan_results.json")
    return report


if __name__ == "__main__":
    main()
