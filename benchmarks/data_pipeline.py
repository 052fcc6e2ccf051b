"""Input-pipeline throughput: the course's tf.data pipelines beside the TensorFlow tutorials' ones.

Reference pipelines (re-implemented from the published tutorials, not copied):
- DCGAN tutorial: images converted to float32 in NumPy up front, then
  `from_tensor_slices(...).shuffle(60000).batch(256)` -- no prefetch.
- CVAE tutorial: a *static* binarization in NumPy (one draw, reused every epoch), then the same
  shuffle/batch pattern.

Ours: `aigc_helpers.data.gan_dataset` (uint8 kept in memory, scaling per batch, prefetch) and
`aigc_helpers.data.vae_dataset` (a fresh Bernoulli draw per epoch -- more work than the tutorial's static
draw, so parity here is the goal, not a win).

Both are timed in the same run, over whole epochs, alternately after one warm-up epoch each; the table
reports the best epoch's images/s and the ratio ours/reference. Usage: python benchmarks/data_pipeline.py [--epochs 3] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from aigc_helpers import config, data


def epoch_rate(ds, n_images: int) -> float:
    """Images per second over one full epoch."""
    start = time.perf_counter()
    for _ in ds:
        pass
    return n_images / (time.perf_counter() - start)


def best_rates(ours, ref, n_images: int, epochs: int) -> tuple[float, float]:
    """Best epoch of each, timed alternately so both see the same machine load."""
    for ds in (ours, ref):  # warm-up: builds each pipeline once
        epoch_rate(ds, n_images)
    r_ours, r_ref = [], []
    for _ in range(epochs):
        r_ours.append(epoch_rate(ours, n_images))
        r_ref.append(epoch_rate(ref, n_images))
    return max(r_ours), max(r_ref)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per pipeline")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--out", type=Path, default=None, help="folder for results.json")
    args = parser.parse_args(argv)

    config.quiet_tensorflow()
    import tensorflow as tf

    config.set_seed(0)
    (x, _), _ = data.load_mnist()
    n, b = len(x), args.batch_size

    def ref_gan():
        imgs = (x.reshape(-1, 28, 28, 1).astype("float32") - 127.5) / 127.5
        return tf.data.Dataset.from_tensor_slices(imgs).shuffle(n).batch(b)

    def ref_vae():
        imgs = (x.reshape(-1, 28, 28, 1) / 255.0 > 0.5).astype(
            "float32"
        )  # tutorial: fixed threshold
        return tf.data.Dataset.from_tensor_slices(imgs).shuffle(n).batch(b)

    rows = []
    for task, ours, ref in [
        (
            "GAN batches [-1,1]",
            lambda: data.gan_dataset(x, batch_size=b, seed=0, drop_remainder=False),
            ref_gan,
        ),
        ("VAE binary batches", lambda: data.vae_dataset(x, batch_size=b, seed=0), ref_vae),
    ]:
        r_ours, r_ref = best_rates(ours(), ref(), n, args.epochs)
        rows.append(
            {
                "pipeline": task,
                "ours_images_per_s": round(r_ours),
                "tutorial_images_per_s": round(r_ref),
                "ratio": round(r_ours / r_ref, 2),
            }
        )

    print(config.env_report())
    print(f"{'pipeline':22s} {'ours img/s':>12s} {'tutorial img/s':>15s} {'ratio':>7s}")
    for r in rows:
        print(
            f"{r['pipeline']:22s} {r['ours_images_per_s']:12,d} {r['tutorial_images_per_s']:15,d} {r['ratio']:7.2f}"
        )
    print("note: the VAE reference binarizes once (static); ours draws afresh each epoch.")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(rows, indent=1) + "\n")
    return {"rows": rows}


if __name__ == "__main__":
    main()
