"""Measuring generated MNIST digits: a small evaluator network and the scores built on its features.

Image generators are judged by comparing *sets* of images, not single ones. The usual scores (FID, Inception
Score) rest on an ImageNet Inception network, which knows nothing about handwritten digits; for MNIST the
course ships its own small classifier, trained by the project's own command::

    python -m aigc_helpers train-evaluator     # a few minutes on a 2-core CPU, seeded

Its 128-unit penultimate layer is the feature space, its softmax the class probabilities. One concept per
module:

- :mod:`.evaluator` -- the network: :func:`build_evaluator`, :func:`train_evaluator`,
  :func:`load_evaluator`, :func:`features`, :func:`predict_proba`, and the input rule
  :func:`as_unit_images`;
- :mod:`.scores` -- :func:`cfid` (Fréchet distance to real digits; :func:`cfid_floor` is the value for real
  training digits), :func:`inception_score`, :func:`class_coverage_kl` (KL of the predicted-class histogram
  from uniform: 0 = all digits equally often, log 10 = 2.30 = mode collapse) and
  :func:`precision_recall` (k-NN, Kynkäänniemi et al., 2019);
- :mod:`.neighbours` -- chunked nearest-neighbour and k-NN distances (plain NumPy);
- :mod:`.memorization` -- :func:`memorization`: distance of each sample to its nearest *training* image
  against the same distance for *test* images (a ratio well below 1 means copies);
- :mod:`.detector` -- a real-or-generated classifier (:func:`train_detector`);
- :mod:`.evaluation` -- :func:`evaluate`: all scores in one dict.

Images may be float in [0, 1] or uint8 0..255, shape (n, 28, 28) or (n, 28, 28, 1); network outputs in
[-1, 1] first go through ``images.from_tanh``.

Example:
    >>> from aigc_helpers import metrics  # doctest: +SKIP
    >>> scores = metrics.evaluate(model.generate(10_000, seed=0))  # doctest: +SKIP
    >>> scores["cfid"], metrics.cfid_floor()  # doctest: +SKIP

Taught in: notebooks/05_dcgan_mnist.ipynb, notebooks/14_challenges_and_outlook.ipynb
"""

from __future__ import annotations

from .detector import build_detector, detector_accuracy, train_detector
from .evaluation import evaluate
from .evaluator import _STATE as _STATE  # the sub-package's one cache (clear it to reload)
from .evaluator import (
    ASSET,
    FEATURE_DIM,
    FEATURE_LAYER,
    MIN_SAMPLES,
    NUM_CLASSES,
    Reference,
    as_unit_images,
    build_evaluator,
    features,
    load_evaluator,
    predict_proba,
    train_and_report,
    train_evaluator,
)
from .memorization import memorization, nearest_train
from .neighbours import knn_radii, nearest_neighbours
from .scores import (
    cfid,
    cfid_floor,
    class_coverage_kl,
    class_histogram,
    coverage_kl_from_probs,
    frechet_distance,
    frechet_from_stats,
    inception_score,
    inception_score_from_probs,
    precision_recall,
    precision_recall_features,
)

__all__ = [
    "ASSET",
    "FEATURE_DIM",
    "FEATURE_LAYER",
    "MIN_SAMPLES",
    "NUM_CLASSES",
    "Reference",
    "as_unit_images",
    "build_detector",
    "build_evaluator",
    "cfid",
    "cfid_floor",
    "class_coverage_kl",
    "class_histogram",
    "coverage_kl_from_probs",
    "detector_accuracy",
    "evaluate",
    "features",
    "frechet_distance",
    "frechet_from_stats",
    "inception_score",
    "inception_score_from_probs",
    "knn_radii",
    "load_evaluator",
    "memorization",
    "nearest_neighbours",
    "nearest_train",
    "precision_recall",
    "precision_recall_features",
    "predict_proba",
    "train_and_report",
    "train_detector",
    "train_evaluator",
]
