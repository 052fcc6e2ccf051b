"""Keras callbacks for watching, saving and budgeting training runs. One concept per module:

- :mod:`.budget` -- :class:`TimeBudget` stops ``fit`` after a wall-clock budget (checked after every
  batch), so two models can be compared at the *same* training time and a lesson never overruns its
  slot; ``anneal=0.2`` also lowers the learning rate over the last fifth of the time, reaching 0 when
  the budget ends.
- :mod:`.snapshots` -- :class:`SampleSnapshots` draws a grid of samples from one *fixed* noise batch
  after every epoch, so the frames show the same "imaginary digits" growing up; :func:`make_gif` turns
  them into an animation. Any model with the course's ``generate`` is sampled by :func:`make_sampler`.
- :mod:`.resume` -- :func:`backup_and_restore` (Keras' ``BackupAndRestore``) saves weights, optimizer
  state and the epoch after every epoch; a new ``fit`` with the same folder picks up where an
  interrupted one stopped. :class:`Interrupt` simulates the power cut for teaching.
- :mod:`.monitor` -- :class:`TrainingMonitor` watches a GAN while it trains and warns
  (:class:`ModeCollapseWarning`, :class:`InstabilityWarning`) when samples collapse onto few digits or
  the discriminator loss goes to 0 or NaN, naming remedies to try; every warning is also kept in
  ``monitor.events``.

Samples are read by the one pixel-range rule of :mod:`aigc_helpers.images`: uint8 0..255 or floats in
[0, 1] (what every course generator returns); a ``sample_fn`` with other outputs states their
``value_range``.

Example:
    >>> snaps = SampleSnapshots(n=16, seed=0)  # doctest: +SKIP
    >>> monitor = TrainingMonitor()  # doctest: +SKIP
    >>> gan.fit(ds, epochs=10, callbacks=[snaps, monitor, backup_and_restore("runs/ckpt")])  # doctest: +SKIP
    >>> snaps.save_gif("runs/training.gif")  # doctest: +SKIP

Taught in: notebooks/02_core_concepts.ipynb, notebooks/05_dcgan_mnist.ipynb, notebooks/08_vae_mnist.ipynb
"""

from __future__ import annotations

from .budget import TimeBudget
from .monitor import (
    COLLAPSE_REMEDIES,
    D_WINS_REMEDIES,
    NAN_REMEDIES,
    InstabilityWarning,
    ModeCollapseWarning,
    TrainingMonitor,
    TrainingWarning,
)
from .resume import Interrupt, TrainingInterrupted, backup_and_restore, checkpoint_epoch
from .snapshots import SampleSnapshots, make_gif, make_sampler

__all__ = [
    "COLLAPSE_REMEDIES",
    "D_WINS_REMEDIES",
    "NAN_REMEDIES",
    "InstabilityWarning",
    "Interrupt",
    "ModeCollapseWarning",
    "SampleSnapshots",
    "TimeBudget",
    "TrainingInterrupted",
    "TrainingMonitor",
    "TrainingWarning",
    "backup_and_restore",
    "checkpoint_epoch",
    "make_gif",
    "make_sampler",
]
