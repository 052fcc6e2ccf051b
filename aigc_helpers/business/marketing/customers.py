"""The synthetic shop's customers: documented segments and a seeded customer table.

Holds :class:`Segment` and :data:`SEGMENTS` (the assumptions), :func:`make_customers` (the table drawn from
them), its CSV round trip (:func:`save_customers`, :func:`load_customers`) and :func:`segment_summary`.

Taught in: notebooks/10_marketing.ipynb
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from aigc_helpers.checks import check_columns, check_int

N_DESIGNS = 10  # the conditional VAE draws MNIST digits 0..9: ten "designs"

CUSTOMER_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "segment",
    "age",
    "visits_per_month",
    "favorite_design",
    "likes_bold",
    "base_ctr",
    "past_impressions",
    "past_clicks",
    "past_ctr",
)


@dataclass(frozen=True)
class Segment:
    """The documented assumptions behind one customer segment of the synthetic shop.

    Attributes:
        name: the segment's label.
        share: the probability that a customer belongs to it (the shares sum to 1).
        age_mean, age_sd: age ~ Normal(age_mean, age_sd), rounded and clipped to 18..80.
        visits_mean: visits per month ~ Poisson(visits_mean).
        ctr_beta: (a, b); a customer's baseline click probability ~ Beta(a, b), mean a / (a + b).
        favorite_designs: the designs (digits) this segment likes, most liked first.
        favorite_weights: how often each of them is a customer's favourite; with the remaining
            probability (1 - sum) the favourite is uniform over all ten designs.
        p_likes_bold: probability that a customer prefers bold (high ink coverage) creatives.

    Example:
        >>> SEGMENTS["students"].ctr_beta
        (4.0, 76.0)

    Taught in: machinery behind SEGMENTS (each of its values is a Segment)
    """

    name: str
    share: float
    age_mean: float
    age_sd: float
    visits_mean: float
    ctr_beta: tuple[float, float]
    favorite_designs: tuple[int, ...]
    favorite_weights: tuple[float, ...]
    p_likes_bold: float

    @property
    def mean_ctr(self) -> float:
        """Mean of the baseline click probability, a / (a + b)."""
        a, b = self.ctr_beta
        return a / (a + b)


SEGMENTS: Mapping[str, Segment] = {
    s.name: s
    for s in (
        Segment(
            "bargain hunters", 0.35, 41, 12, 6.0, (2.0, 60.0), (0, 8, 6), (0.40, 0.20, 0.10), 0.7
        ),
        Segment("tech fans", 0.20, 33, 9, 9.0, (3.0, 57.0), (1, 7, 4), (0.45, 0.20, 0.10), 0.3),
        Segment("families", 0.30, 44, 8, 4.0, (2.0, 75.0), (3, 2, 5), (0.35, 0.25, 0.10), 0.5),
        Segment("students", 0.15, 22, 3, 11.0, (4.0, 76.0), (9, 4, 1), (0.40, 0.20, 0.15), 0.6),
    )
}
"""The four segments of the synthetic shop and their documented distributions (see :class:`Segment`)."""

# Response model (the hidden truth of the simulation; see click_probabilities).


def _check_customers(customers: pd.DataFrame) -> None:
    check_columns("customers", customers, CUSTOMER_COLUMNS, fix="build it with make_customers().")


def make_customers(
    n: int = 2000, seed: int = 0, segments: Mapping[str, Segment] | None = None
) -> pd.DataFrame:
    """A synthetic customer table drawn from the documented distributions of :data:`SEGMENTS`.

    Columns (see :data:`CUSTOMER_COLUMNS`):

    - ``customer_id`` 0..n-1; ``segment`` drawn with the segments' ``share``;
    - ``age`` ~ round(Normal(age_mean, age_sd)) clipped to 18..80; ``visits_per_month`` ~ Poisson;
    - ``favorite_design`` (0..9): one of the segment's favourites with their weights, else uniform;
    - ``likes_bold`` ~ Bernoulli(p_likes_bold);
    - ``base_ctr`` ~ Beta(a, b): the customer's true baseline click probability (hidden in real life);
    - ``past_impressions`` ~ Poisson(40), ``past_clicks`` ~ Binomial(past_impressions, base_ctr),
      ``past_ctr`` = past_clicks / past_impressions (0 when there were none): what the shop has observed.

    The same ``n`` and ``seed`` give the same table on every machine.

    Example:
        >>> df = make_customers(500, seed=1)
        >>> sorted(df["segment"].unique())[:2], int(df["age"].min()) >= 18
        (['bargain hunters', 'families'], True)

    Taught in: notebooks/10_marketing.ipynb
    """
    n = check_int("n", n, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    segments = dict(segments or SEGMENTS)
    if not segments:
        raise ValueError(
            "segments is empty. Fix: pass at least one Segment (or None for SEGMENTS)."
        )
    shares = np.array([s.share for s in segments.values()], dtype=float)
    if np.any(shares < 0) or not np.isclose(shares.sum(), 1.0):
        raise ValueError(
            f"segment shares must be >= 0 and sum to 1, got {shares.round(3).tolist()}. "
            "Fix: rescale the shares."
        )
    rng = np.random.default_rng(seed)
    names = list(segments)
    seg_idx = rng.choice(len(names), size=n, p=shares)
    age = np.empty(n, dtype=np.int64)
    visits = np.empty(n, dtype=np.int64)
    favorite = np.empty(n, dtype=np.int64)
    likes_bold = np.empty(n, dtype=bool)
    base_ctr = np.empty(n, dtype=float)
    for k, name in enumerate(names):
        s = segments[name]
        rows = np.flatnonzero(seg_idx == k)
        m = len(rows)
        if len(s.favorite_designs) != len(s.favorite_weights) or sum(s.favorite_weights) > 1:
            raise ValueError(
                f"segment {name!r}: favorite_designs and favorite_weights must have the same length "
                "and the weights must sum to at most 1."
            )
        age[rows] = np.clip(np.rint(rng.normal(s.age_mean, s.age_sd, m)), 18, 80)
        visits[rows] = rng.poisson(s.visits_mean, m)
        # favourite design: a mixture of the segment's favourites and a uniform choice
        probs = np.full(N_DESIGNS, (1.0 - sum(s.favorite_weights)) / N_DESIGNS)
        for d, w in zip(s.favorite_designs, s.favorite_weights, strict=True):
            probs[d] += w
        favorite[rows] = rng.choice(N_DESIGNS, size=m, p=probs / probs.sum())
        likes_bold[rows] = rng.random(m) < s.p_likes_bold
        base_ctr[rows] = rng.beta(*s.ctr_beta, size=m)
    impressions = rng.poisson(40, n)
    clicks = rng.binomial(impressions, base_ctr)
    past_ctr = np.divide(clicks, impressions, out=np.zeros(n), where=impressions > 0)
    df = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "segment": np.array(names)[seg_idx],
            "age": age,
            "visits_per_month": visits,
            "favorite_design": favorite,
            "likes_bold": likes_bold,
            "base_ctr": base_ctr.round(5),
            "past_impressions": impressions,
            "past_clicks": clicks,
            "past_ctr": past_ctr.round(5),
        }
    )
    return df[list(CUSTOMER_COLUMNS)]


def save_customers(path: str | Path, n: int = 2000, seed: int = 0) -> Path:
    """Write :func:`make_customers` (n, seed) to a CSV file and return its path.

    The repository's ``data/customers.csv`` is exactly ``save_customers("data/customers.csv")``; a test
    checks that the committed file still equals the generator's output.

    Example:
        >>> import tempfile, os
        >>> p = save_customers(os.path.join(tempfile.mkdtemp(), "c.csv"), n=10)
        >>> len(pd.read_csv(p))
        10

    Taught in: machinery behind the repository's data/customers.csv (no notebook calls it)
    """
    path = Path(path)
    make_customers(n, seed).to_csv(path, index=False, lineterminator="\n")
    return path


def load_customers(path: str | Path) -> pd.DataFrame:
    """Read a customer table written by :func:`save_customers`, with the same dtypes as the generator's.

    Example:
        >>> import tempfile, os
        >>> df = load_customers(save_customers(os.path.join(tempfile.mkdtemp(), "c.csv"), n=10))
        >>> df.equals(make_customers(10))
        True

    Taught in: machinery behind the repository's data/customers.csv (no notebook calls it)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist. Fix: create it with "
            f"aigc_helpers.business.marketing.save_customers({str(path)!r})."
        )
    df = pd.read_csv(path)
    check_columns(str(path), df, CUSTOMER_COLUMNS, fix="regenerate it with save_customers().")
    df["likes_bold"] = df["likes_bold"].astype(bool)
    return df[list(CUSTOMER_COLUMNS)]


def segment_summary(customers: pd.DataFrame) -> pd.DataFrame:
    """One row per segment: size, mean age, observed CTR and the three most common favourite designs.

    Example:
        >>> segment_summary(make_customers(300)).columns.tolist()[:3]
        ['customers', 'mean age', 'past CTR %']

    Taught in: notebooks/10_marketing.ipynb
    """
    _check_customers(customers)
    rows = {}
    for name, g in customers.groupby("segment", sort=False):
        top = g["favorite_design"].value_counts(normalize=True).head(3)
        rows[name] = {
            "customers": len(g),
            "mean age": round(g["age"].mean(), 1),
            "past CTR %": round(
                100 * g["past_clicks"].sum() / max(g["past_impressions"].sum(), 1), 2
            ),
            "likes bold %": round(100 * g["likes_bold"].mean(), 1),
            "top designs (share)": ", ".join(f"{d} ({p:.0%})" for d, p in top.items()),
        }
    order = [s for s in SEGMENTS if s in rows] + [s for s in rows if s not in SEGMENTS]
    return pd.DataFrame.from_dict(rows, orient="index").loc[order]
