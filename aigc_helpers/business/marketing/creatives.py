"""Creatives from a conditional generator: per segment, variants of the designs that segment likes.

A digit's class stands in for a *design* and its ink coverage (:func:`boldness`) for how bold it is; each
variant's true click-through rate comes from the response model (:mod:`.response`).

Taught in: notebooks/10_marketing.ipynb
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from aigc_helpers.business.marketing.customers import N_DESIGNS, SEGMENTS, _check_customers
from aigc_helpers.business.marketing.response import click_probabilities
from aigc_helpers.checks import check_int


def boldness(images: np.ndarray) -> np.ndarray:
    """Ink coverage of each image: the mean pixel intensity in [0, 1] (a creative's "boldness").

    Example:
        >>> boldness(np.ones((2, 28, 28))).tolist()
        [1.0, 1.0]

    Taught in: machinery behind generate_creatives (it measures each variant's boldness)
    """
    x = np.asarray(images, dtype=float)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(f"images must have shape (N, H, W) or (N, H, W, 1), got {x.shape}.")
    return x.mean(axis=(1, 2))


def segment_designs(customers: pd.DataFrame, segment: str, k: int = 3) -> list[int]:
    """The ``k`` designs most often named favourite in ``segment`` (what a personalized generator asks for).

    Example:
        >>> from aigc_helpers.business.marketing import make_customers
        >>> segment_designs(make_customers(2000), "tech fans", k=2)
        [1, 7]

    Taught in: machinery behind generate_creatives (the designs it asks the generator for)
    """
    _check_customers(customers)
    g = customers[customers["segment"] == segment]
    if g.empty:
        valid = ", ".join(sorted(customers["segment"].unique()))
        raise ValueError(f"No customers in segment {segment!r}. Valid segments: {valid}.")
    counts = g["favorite_design"].value_counts()
    # ties broken by the design number, so the choice is deterministic
    order = sorted(counts.index, key=lambda d: (-counts[d], d))
    return [int(d) for d in order[:k]]


@dataclass
class Creatives:
    """Creative variants for each segment: a table and the images it describes (row i = images[i]).

    ``table`` columns: segment, variant (0..), design, boldness, true_ctr (the segment's mean click
    probability for that creative under :func:`click_probabilities`, rounded to 4 decimals).

    Example:
        >>> cr = Creatives(pd.DataFrame({"segment": ["students"], "design": [9]}), np.zeros((1, 28, 28)))
        >>> cr.for_segment("students")[1].shape
        (1, 28, 28)

    Taught in: machinery behind generate_creatives (what it returns)
    """

    table: pd.DataFrame
    images: np.ndarray = field(repr=False)

    def for_segment(self, segment: str) -> tuple[pd.DataFrame, np.ndarray]:
        """The rows and images of one segment."""
        mask = (self.table["segment"] == segment).to_numpy()
        if not mask.any():
            valid = ", ".join(self.table["segment"].unique())
            raise ValueError(f"No creatives for segment {segment!r}. Valid segments: {valid}.")
        return self.table[mask].reset_index(drop=True), self.images[mask]


def generate_creatives(
    generator,
    customers: pd.DataFrame,
    *,
    n_designs: int = 3,
    per_design: int = 2,
    candidates: int = 8,
    match_boldness: bool = True,
    seed: int = 0,
    designs: Mapping[str, Sequence[int]] | None = None,
) -> Creatives:
    """Ask a conditional generator for creative variants tailored to each segment.

    For every design it needs, the generator draws ``candidates`` images (seeded by ``seed`` and the
    design, so a design's candidates are the same for every segment). Then, per segment:

    - **which designs**: the segment's ``n_designs`` favourite designs (:func:`segment_designs`), or
      ``designs[segment]`` when given (e.g. one generic set for everyone);
    - **which candidates**: with ``match_boldness``, the ``per_design`` boldest candidates for a segment where
      most customers like bold creatives, the lightest where most do not (the first ones when the segment
      is split 45-55%); without it, simply the first ``per_design`` candidates.

    ``generator`` is any conditional course generator (``generate(n, labels=..., seed=...)``), such as
    ``aigc_helpers.vae.load_pretrained("cvae")``. Each variant gets its boldness and its true CTR in the
    segment (:func:`click_probabilities` averaged over the segment's customers).

    Example:
        >>> from aigc_helpers import vae  # doctest: +SKIP
        >>> cr = generate_creatives(vae.load_pretrained("cvae"), make_customers())  # doctest: +SKIP
        >>> cr.table.groupby("segment").size().tolist()  # doctest: +SKIP
        [6, 6, 6, 6]

    Taught in: notebooks/10_marketing.ipynb
    """
    _check_customers(customers)
    n_designs = check_int("n_designs", n_designs, minimum=1)
    per_design = check_int("per_design", per_design, minimum=1)
    candidates = check_int(
        "candidates", candidates, minimum=per_design, fix="draw at least per_design candidates."
    )
    seed = check_int("seed", seed, minimum=0)
    if not getattr(generator, "conditional", False) or not hasattr(generator, "generate"):
        raise ValueError(
            "generator must be a conditional course generator (generate(n, labels=..., seed=...)). "
            'Fix: pass aigc_helpers.vae.load_pretrained("cvae").'
        )
    segments = [s for s in SEGMENTS if s in set(customers["segment"])]
    segments += sorted(set(customers["segment"]) - set(segments))
    pool: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # design -> (images, boldness)

    def draw(d: int) -> tuple[np.ndarray, np.ndarray]:
        if d not in pool:
            imgs = np.asarray(generator.generate(candidates, labels=d, seed=seed + 101 * d))
            pool[d] = (imgs, np.round(boldness(imgs), 3))
        return pool[d]

    rows, images = [], []
    for seg in segments:
        if designs is not None:
            if seg not in designs:
                raise ValueError(f"designs has no entry for segment {seg!r}.")
            chosen = [int(d) for d in designs[seg]]
        else:
            chosen = segment_designs(customers, seg, n_designs)
        g = customers[customers["segment"] == seg]
        likes_bold = float(g["likes_bold"].mean())
        variant = 0
        for d in chosen:
            check_int("design", d, minimum=0, maximum=N_DESIGNS - 1)
            imgs, bold = draw(d)
            order = np.arange(candidates)
            if match_boldness and likes_bold > 0.55:
                order = np.argsort(-bold, kind="stable")
            elif match_boldness and likes_bold < 0.45:
                order = np.argsort(bold, kind="stable")
            for k in order[:per_design]:
                b = float(bold[k])
                ctr = float(click_probabilities(g, d, b).mean())
                rows.append(
                    {
                        "segment": seg,
                        "variant": variant,
                        "design": d,
                        "boldness": b,
                        "true_ctr": round(ctr, 4),
                    }
                )
                images.append(imgs[k])
                variant += 1
    return Creatives(pd.DataFrame(rows), np.stack(images).astype(np.float32))
