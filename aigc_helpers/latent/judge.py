"""An independent judge for edited images: a classifier, not part of the generative model, that says
which digit an image shows (:func:`judge_proba`, :func:`judge_labels`).

Taught in: notebooks/12_art_and_design.ipynb
"""

from __future__ import annotations

import numpy as np

from aigc_helpers.latent._inputs import unit_images

BATCH = 1000  # images per call of the judge


def judge_proba(judge, images) -> np.ndarray:
    """Class probabilities (N, classes) that a classifier -- the *judge* -- gives edited images.

    The judge answers "is it still a 7?" after an edit in latent space. It must not be part of the
    generative model, so the generator cannot grade its own work; the course uses its MNIST evaluator
    (``metrics.load_evaluator()``). Any Keras classifier that outputs logits works; images are uint8 or
    [0, 1] floats, (N, H, W), and get a channel axis when the judge's input has one.

    Example:
        >>> from aigc_helpers import metrics  # doctest: +SKIP
        >>> judge_proba(metrics.load_evaluator(), edited_images).argmax(axis=1)  # doctest: +SKIP

    Taught in: notebooks/12_art_and_design.ipynb
    """
    x = unit_images(images).astype(np.float32)
    inputs = getattr(judge, "inputs", None)
    if inputs and len(inputs[0].shape) == 4:
        x = x[..., None]
    logits = np.concatenate(
        [np.asarray(judge(x[i : i + BATCH], training=False)) for i in range(0, len(x), BATCH)]
    ).astype(np.float64)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def judge_labels(judge, images) -> np.ndarray:
    """The judge's predicted digit for each image (uint8 or [0, 1] floats, (N, H, W)).

    Example:
        >>> judge_labels(metrics.load_evaluator(), edited_images)[:5]  # doctest: +SKIP
        array([7, 7, 7, 1, 7])

    Taught in: notebooks/12_art_and_design.ipynb
    """
    return judge_proba(judge, images).argmax(axis=1)
