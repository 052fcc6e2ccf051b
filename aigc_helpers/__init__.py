"""Helpers for the open course *AI-Generated Content with GANs and VAEs*.

The notebooks teach; this package holds the reusable machinery so that a notebook cell reads like a
lesson. One concept, one module:

- :mod:`aigc_helpers.config`   -- run profiles (``AIGC_PROFILE``), seeding, quiet logs, environment report
- :mod:`aigc_helpers.data`     -- offline-first MNIST loading with content verification, ``tf.data`` pipelines
- :mod:`aigc_helpers.plotting` -- image grids and other figures
- :mod:`aigc_helpers.course`   -- the course map, hosting (Colab/Binder badges) and notebook runs

Importing the package is cheap: TensorFlow is imported only by the functions that need it.
"""

from __future__ import annotations

import os

# Keep TensorFlow's C++ start-up chatter out of notebooks and test logs (errors still show).
# Must happen before TensorFlow is first imported; a value the user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"

__all__ = ["__version__"]
