"""Helpers for the open course *AI-Generated Content with GANs and VAEs*.

The notebooks teach; this package holds the reusable machinery so that a notebook cell reads like a
lesson. One concept, one module:

- :mod:`aigc_helpers.config`       -- run profiles (``AIGC_PROFILE``), seeding, quiet logs, environment report
- :mod:`aigc_helpers.checks`       -- argument checks shared by every module (one wording of each error)
- :mod:`aigc_helpers.data`         -- offline-first MNIST loading with content verification, ``tf.data`` pipelines
- :mod:`aigc_helpers.images`       -- image batches: the one pixel-range rule, tanh range, grid tiling
- :mod:`aigc_helpers.generation`   -- the one generation interface every generator answers
- :mod:`aigc_helpers.assets`       -- the shipped models and their measured results files
- :mod:`aigc_helpers.data_scaling` -- one small generative model fitted to more and more data
- :mod:`aigc_helpers.toy`          -- seeded 2-D toy data and mode coverage on it
- :mod:`aigc_helpers.gan`          -- GAN losses, networks, the GAN model and its conditional variants
- :mod:`aigc_helpers.vae`          -- VAEs for binary images: ELBO, IW-NLL, pixel-context decoder, compression
- :mod:`aigc_helpers.diffusion`    -- diffusion and flow matching: schedules, exact fields, U-Net, samplers, guidance (lessons to come)
- :mod:`aigc_helpers.callbacks`    -- snapshots, GIFs, resumable checkpoints, health monitor, time budgets
- :mod:`aigc_helpers.metrics`      -- the MNIST evaluator and the scores on its features (cFID, IS, ...)
- :mod:`aigc_helpers.latent`       -- latent-space paths, stroke measurements, directions, the explorer
- :mod:`aigc_helpers.compare`      -- GANs and VAEs side by side, from measured numbers
- :mod:`aigc_helpers.deploy`       -- opening saved generators, PNG grids, SavedModel export
- :mod:`aigc_helpers.distributed`  -- data-parallel training with ``MirroredStrategy``
- :mod:`aigc_helpers.compute`      -- training cost: FLOPs layer by layer, energy with stated assumptions
- :mod:`aigc_helpers.timeline`, :mod:`aigc_helpers.references` -- milestones and the checked reference list
- :mod:`aigc_helpers.plotting`     -- image grids and other figures
- :mod:`aigc_helpers.business`     -- the labelled business mock-ups (marketing, newsroom, healthcare)
- :mod:`aigc_helpers.course`       -- the course map and its run-time table
- :mod:`aigc_helpers.cli`          -- ``python -m aigc_helpers <command>``

Importing the package is cheap: TensorFlow is imported only by the functions that need it.
"""

from __future__ import annotations

import os

# Keep TensorFlow's C++ start-up chatter out of notebooks and test logs (errors still show).
# Must happen before TensorFlow is first imported; a value the user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"

__all__ = ["__version__"]
