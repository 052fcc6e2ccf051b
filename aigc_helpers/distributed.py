"""Data-parallel training with ``tf.distribute.MirroredStrategy``, demonstrated on logical CPU devices.

``MirroredStrategy`` keeps one copy ("replica") of every variable on each device, splits each
*global* batch into equal per-replica batches, runs the training step on every replica at once and
adds up the gradients across replicas (an all-reduce) before every replica applies the same update.
On a machine with 4 GPUs, ``MirroredStrategy()`` with no arguments uses all of them; here we split
one CPU into 2 *logical* devices, which exercises exactly the same code path -- a teaching demo, not a
speed-up (both "devices" share the same cores).

Logical devices must be configured **before** TensorFlow initializes its runtime, which any notebook
has already done in its setup cell. So the demo runs in a fresh Python process::

    python -m aigc_helpers distributed-demo --replicas 2 --steps 20   # prints one JSON line

and :func:`run_demo` launches that process and returns its measured figures as a dict.

Taught in: notebooks/09_lab_to_production.ipynb
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from .checks import check_positive_int


def configure_cpu_replicas(n: int) -> list[str]:
    """Split the first CPU into ``n`` logical devices and return their names (``/cpu:0`` ...).

    Must run before TensorFlow creates any tensor or model in this process; afterwards TensorFlow
    refuses, and this raises a RuntimeError that says how to run the code instead.

    Example:
        >>> configure_cpu_replicas(2)  # doctest: +SKIP
        ['/cpu:0', '/cpu:1']

    Taught in: machinery behind distributed.run_demo
    """
    n = check_positive_int("n", n, fix="e.g. 2.")
    from . import config

    config.quiet_tensorflow()
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
        )
    except RuntimeError:
        have = len(tf.config.list_logical_devices("CPU"))
        if have == n:
            return [f"/cpu:{i}" for i in range(n)]
        raise RuntimeError(
            f"TensorFlow is already initialized with {have} logical CPU device(s). Fix: configure "
            "the devices first thing in a fresh process, e.g. `python -m aigc_helpers "
            f"distributed-demo --replicas {n}` (aigc_helpers.distributed.run_demo does this for you)."
        ) from None
    return [f"/cpu:{i}" for i in range(n)]


class _StepTimer:
    """Times every training batch (a Keras callback built lazily, so importing this module is cheap)."""

    def __new__(cls):
        import keras

        class Timer(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.ends = []
                self.start = time.perf_counter()

            def on_train_batch_end(self, batch, logs=None):
                self.ends.append(time.perf_counter())

        return Timer()


def demo(
    replicas: int = 2,
    *,
    steps: int = 20,
    warmup: int = 3,
    global_batch: int = 128,
    latent_dim: int = 64,
    train_images: int = 4096,
    seed: int = 0,
) -> dict:
    """Train the course's DCGAN for ``warmup + steps`` steps inside ``MirroredStrategy`` on
    ``replicas`` logical CPU devices, and report the figures (must run in a fresh process).

    Returns a dict with the replica count, the devices, global and per-replica batch sizes, the
    steady-state throughput (images/s, measured after ``warmup`` steps that include tracing), the
    final ``d_loss``/``g_loss``, and whether every generator variable is mirrored on all replicas.

    Example:
        >>> demo(2, steps=5)  # doctest: +SKIP
        {'replicas': 2, 'per_replica_batch': 64, ...}

    Taught in: machinery behind distributed.run_demo (``python -m aigc_helpers distributed-demo``)
    """
    if global_batch % replicas:
        raise ValueError(
            f"global_batch={global_batch} does not split evenly over {replicas} replicas. "
            "Fix: use a multiple of the replica count."
        )
    devices = configure_cpu_replicas(replicas)
    from . import config, data, gan

    config.set_seed(seed, deterministic=False)
    import tensorflow as tf

    strategy = tf.distribute.MirroredStrategy(devices)
    mnist = data.load_mnist(download=False)
    x, _ = data.take_subset(mnist.x_train, mnist.y_train, train_images, seed=seed)
    ds = data.gan_dataset(x, batch_size=global_batch, seed=seed).repeat()
    with strategy.scope():  # variables created here are mirrored on every replica
        model = gan.build_dcgan(latent_dim, seed=seed)
        model.compile()
    mirrored = all(  # one copy of each generator variable per replica
        isinstance(v.value, tf.distribute.DistributedValues) and len(v.value.values) == replicas
        for v in model.generator.weights
    )
    timer = _StepTimer()
    t0 = time.perf_counter()
    hist = model.fit(ds, epochs=1, steps_per_epoch=warmup + steps, verbose=0, callbacks=[timer])
    wall = time.perf_counter() - t0
    steady = timer.ends[-1] - timer.ends[warmup - 1] if warmup else timer.ends[-1] - timer.start
    return {
        "replicas": int(strategy.num_replicas_in_sync),
        "devices": list(devices),
        "global_batch": global_batch,
        "per_replica_batch": global_batch // replicas,
        "steps": steps,
        "images_per_s": round(steps * global_batch / steady, 1),
        "seconds_per_step": round(steady / steps, 4),
        "total_seconds": round(wall, 2),
        "d_loss": round(float(hist.history["d_loss"][-1]), 4),
        "g_loss": round(float(hist.history["g_loss"][-1]), 4),
        "variables_mirrored": bool(mirrored),
        "cpu_cores": os.cpu_count(),
    }


def run_demo(replicas: int = 2, *, timeout: float = 600, **kwargs) -> dict:
    """Run :func:`demo` in a fresh Python process (so the logical devices can be configured) and
    return its result dict. Keyword arguments are passed on (``steps=``, ``global_batch=`` ...).

    Example:
        >>> run_demo(2, steps=10)["replicas"]  # doctest: +SKIP
        2

    Taught in: notebooks/09_lab_to_production.ipynb
    """
    replicas = check_positive_int("replicas", replicas, fix="e.g. 2.")
    cmd = [sys.executable, "-m", "aigc_helpers", "distributed-demo", "--replicas", str(replicas)]
    for key, value in kwargs.items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if r.returncode != 0 or not lines:
        tail = (r.stderr or r.stdout).strip().splitlines()[-5:]
        raise RuntimeError(
            f"the distributed demo failed (exit {r.returncode}): " + " | ".join(tail)
        )
    return json.loads(lines[-1])


__all__ = ["configure_cpu_replicas", "demo", "run_demo"]
