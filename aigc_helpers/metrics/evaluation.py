"""Every score of a sample set in one dict: the row a comparison table needs per model.

Example:
    >>> scores = evaluate(model.generate(10_000, seed=0))  # doctest: +SKIP
    >>> scores["cfid"], cfid_floor()  # doctest: +SKIP

Taught in: notebooks/02_core_concepts.ipynb, notebooks/05_dcgan_mnist.ipynb
"""

from __future__ import annotations

from aigc_helpers.checks import check_int

from .evaluator import MIN_SAMPLES, Reference, _check_reference, _run, as_unit_images
from .memorization import memorization
from .scores import (
    _cfid_of_features,
    _precision_recall_cached,
    coverage_kl_from_probs,
    inception_score_from_probs,
)


def evaluate(
    images, *, reference: Reference = "test", k: int = 3, memorization_samples: int = 2000
) -> dict:
    """All scores of a sample set in one dict (floats), computed from one pass of the evaluator.

    Keys (all plain numbers, so a dict per model makes a table row): ``cfid``, ``inception_score``,
    ``coverage_kl``, ``precision``, ``recall``, ``memorization_ratio``, ``copy_fraction``, ``n_samples``.
    Memorization uses a seeded subset of ``memorization_samples`` samples (its cost grows with 60,000 x n).

    Example:
        >>> scores = evaluate(model.generate(10_000, seed=0))  # doctest: +SKIP
        >>> sorted(scores)[:3]  # doctest: +SKIP
        ['cfid', 'copy_fraction', 'coverage_kl']

    Taught in: notebooks/02_core_concepts.ipynb, notebooks/05_dcgan_mnist.ipynb
    """
    k = check_int("k", k, minimum=1)
    _check_reference(reference)
    x = as_unit_images(images, min_samples=max(MIN_SAMPLES, k + 1))
    f, p = _run(x)
    precision, recall = _precision_recall_cached(f, reference, k)
    mem = memorization(x, max_samples=memorization_samples)
    return {
        "cfid": _cfid_of_features(f, reference),
        "inception_score": inception_score_from_probs(p),
        "coverage_kl": coverage_kl_from_probs(p),
        "precision": precision,
        "recall": recall,
        "memorization_ratio": mem["ratio"],
        "copy_fraction": mem["copy_fraction"],
        "n_samples": int(len(x)),
    }
