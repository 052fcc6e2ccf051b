"""Marketing mock-up: synthetic customers, generated creatives and a simulated bandit experiment.

Everything here is a **mock-up**. The customers are drawn from the distributions documented in
:data:`SEGMENTS` and :func:`make_customers`; the "creatives" are MNIST digits drawn by the course's
conditional VAE (a digit's class stands in for a *design*, its ink coverage for how *bold* it is); the
customers' reactions come from the response model documented in :func:`click_probabilities`. No real
shop, campaign or customer is described, and every figure a notebook shows comes from running this code.

The pieces, in the order notebook 10 uses them:

1. :func:`make_customers` -- a seeded customer table (segment, age, preferences, historical clicks).
2. :func:`generate_creatives` -- per segment, creative variants drawn from a conditional generator for the
   designs that segment likes, each with its measured boldness and its true click-through rate (CTR).
3. :func:`simulate_experiment` -- Thompson sampling against a uniform A/B split on the same simulated
   visitors, repeated many times; :func:`uplift` turns the runs into an uplift with a confidence interval.

Taught in: notebooks/10_marketing.ipynb
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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

    Taught in: notebooks/10_marketing.ipynb
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
FAVORITE_BOOST = 1.2  # log-odds added when a creative shows the customer's favourite design
BOLD_EFFECT = (
    0.6  # log-odds per standard deviation of boldness: + if the customer likes bold, - if not
)
BOLDNESS_MEAN = 0.13  # mean ink coverage of MNIST digits drawn by the shipped conditional VAE
BOLDNESS_SD = 0.04  # and its spread (measured on 1,000 draws; exact values only shift the scale)


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _logit(p):
    p = np.asarray(p, dtype=float)
    return np.log(p) - np.log1p(-p)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


# --------------------------------------------------------------------------- customers


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
    n = _check_int("n", n, 1)
    seed = _check_int("seed", seed, 0)
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

    Taught in: notebooks/10_marketing.ipynb
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

    Taught in: notebooks/10_marketing.ipynb
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist. Fix: create it with "
            f"aigc_helpers.business.marketing.save_customers({str(path)!r})."
        )
    df = pd.read_csv(path)
    missing = [c for c in CUSTOMER_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(
            f"{path} lacks the columns {missing}. Fix: regenerate it with save_customers()."
        )
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


def _check_customers(customers: pd.DataFrame) -> None:
    if not isinstance(customers, pd.DataFrame):
        raise ValueError("customers must be a pandas DataFrame from make_customers().")
    missing = [c for c in CUSTOMER_COLUMNS if c not in customers.columns]
    if missing:
        raise ValueError(
            f"customers lacks the columns {missing}. Fix: build it with make_customers()."
        )


# --------------------------------------------------------------------------- creatives


def boldness(images: np.ndarray) -> np.ndarray:
    """Ink coverage of each image: the mean pixel intensity in [0, 1] (a creative's "boldness").

    Example:
        >>> boldness(np.ones((2, 28, 28))).tolist()
        [1.0, 1.0]

    Taught in: notebooks/10_marketing.ipynb
    """
    x = np.asarray(images, dtype=float)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(f"images must have shape (N, H, W) or (N, H, W, 1), got {x.shape}.")
    return x.mean(axis=(1, 2))


def click_probabilities(customers: pd.DataFrame, design: int, bold: float) -> np.ndarray:
    """The response model: each customer's probability of clicking one creative.

    logit p = logit(base_ctr) + FAVORITE_BOOST * [design == favorite_design]
              + BOLD_EFFECT * (+1 if likes_bold else -1) * (bold - BOLDNESS_MEAN) / BOLDNESS_SD

    This is the simulation's hidden truth -- an assumption made for the mock-up, not a measured fact.

    Example:
        >>> df = make_customers(100)
        >>> p = click_probabilities(df, design=3, bold=BOLDNESS_MEAN)
        >>> bool(np.all(p >= df["base_ctr"].to_numpy() - 1e-12) )
        True

    Taught in: notebooks/10_marketing.ipynb
    """
    _check_customers(customers)
    if not 0 <= int(design) < N_DESIGNS:
        raise ValueError(f"design must be a digit 0..{N_DESIGNS - 1}, got {design!r}.")
    base = np.clip(customers["base_ctr"].to_numpy(float), 1e-6, 1 - 1e-6)
    fav = (customers["favorite_design"].to_numpy() == int(design)).astype(float)
    sign = np.where(customers["likes_bold"].to_numpy(bool), 1.0, -1.0)
    z = (float(bold) - BOLDNESS_MEAN) / BOLDNESS_SD
    return _sigmoid(_logit(base) + FAVORITE_BOOST * fav + BOLD_EFFECT * sign * z)


def segment_designs(customers: pd.DataFrame, segment: str, k: int = 3) -> list[int]:
    """The ``k`` designs most often named favourite in ``segment`` (what a personalized generator asks for).

    Example:
        >>> segment_designs(make_customers(2000), "tech fans", k=2)
        [1, 7]

    Taught in: notebooks/10_marketing.ipynb
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

    Taught in: notebooks/10_marketing.ipynb
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

    ``generator`` is anything with ``sample(n, labels=..., seed=...)`` returning images, such as
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
    n_designs = _check_int("n_designs", n_designs, 1)
    per_design = _check_int("per_design", per_design, 1)
    candidates = _check_int("candidates", candidates, per_design)
    seed = _check_int("seed", seed, 0)
    if not hasattr(generator, "sample"):
        raise ValueError(
            "generator needs a sample(n, labels=..., seed=...) method. "
            'Fix: pass aigc_helpers.vae.load_pretrained("cvae").'
        )
    segments = [s for s in SEGMENTS if s in set(customers["segment"])]
    segments += sorted(set(customers["segment"]) - set(segments))
    pool: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # design -> (images, boldness)

    def draw(d: int) -> tuple[np.ndarray, np.ndarray]:
        if d not in pool:
            imgs = np.asarray(generator.sample(candidates, labels=d, seed=seed + 101 * d))
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
            if not 0 <= d < N_DESIGNS:
                raise ValueError(f"designs must be digits 0..{N_DESIGNS - 1}, got {d!r}.")
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


# --------------------------------------------------------------------------- the experiment


@dataclass
class ExperimentResult:
    """What :func:`simulate_experiment` measured, per policy, over ``n_runs`` repetitions.

    Attributes:
        true_ctr: the arms' true click probabilities (unknown to the policies).
        clicks: policy -> total clicks per run, shape (n_runs,).
        regret: policy -> mean cumulative regret after each impression, shape (horizon,);
            regret = sum over impressions of (best true CTR - true CTR of the arm shown).
        picked: policy -> the arm each run would roll out at the end, shape (n_runs,).
        pulls: policy -> mean number of impressions per arm, shape (n_arms,).
        horizon, n_runs, seed: the simulation's size and seed.

    Taught in: notebooks/10_marketing.ipynb
    """

    true_ctr: np.ndarray
    clicks: dict[str, np.ndarray]
    regret: dict[str, np.ndarray]
    picked: dict[str, np.ndarray]
    pulls: dict[str, np.ndarray]
    horizon: int
    n_runs: int
    seed: int

    @property
    def best_arm(self) -> int:
        return int(np.argmax(self.true_ctr))

    def ctr(self, policy: str) -> np.ndarray:
        """Observed click-through rate of each run under ``policy``."""
        return self.clicks[policy] / self.horizon

    def p_correct(self, policy: str) -> float:
        """Fraction of runs whose final pick is the truly best arm."""
        return float(np.mean(self.picked[policy] == self.best_arm))


POLICIES = ("thompson", "uniform")


def simulate_experiment(
    true_ctr: Sequence[float], horizon: int = 5000, n_runs: int = 200, seed: int = 0
) -> ExperimentResult:
    """Run Thompson sampling and a uniform A/B split side by side, ``n_runs`` times.

    Each run shows ``horizon`` impressions. Both policies meet the *same* simulated visitors: for every
    impression, each visitor's reaction to every arm is drawn once (common random numbers), so the
    difference between the policies is not blurred by luck in who visited.

    - ``uniform``: each impression shows an arm chosen uniformly at random (a classic A/B/n split);
      at the end it rolls out the arm with the best observed CTR.
    - ``thompson``: keeps a Beta(1 + clicks, 1 + misses) posterior per arm, draws one value from each
      and shows the arm with the largest draw; at the end it rolls out the arm with the best posterior mean.

    Example:
        >>> r = simulate_experiment([0.02, 0.05], horizon=2000, n_runs=50, seed=1)
        >>> bool(r.clicks["thompson"].mean() > r.clicks["uniform"].mean())
        True

    Taught in: notebooks/10_marketing.ipynb
    """
    p = np.asarray(true_ctr, dtype=float)
    if p.ndim != 1 or len(p) < 2 or np.any((p < 0) | (p > 1)):
        raise ValueError(
            f"true_ctr must be a list of at least two probabilities in [0, 1], got {true_ctr!r}."
        )
    horizon = _check_int("horizon", horizon, 1)
    n_runs = _check_int("n_runs", n_runs, 1)
    seed = _check_int("seed", seed, 0)
    k = len(p)
    outcomes_rng, ts_rng, ab_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    runs = np.arange(n_runs)
    succ = {pol: np.zeros((n_runs, k)) for pol in POLICIES}
    fail = {pol: np.zeros((n_runs, k)) for pol in POLICIES}
    inst_regret = {pol: np.zeros(horizon) for pol in POLICIES}
    gap = p.max() - p
    for t in range(horizon):
        reactions = outcomes_rng.random((n_runs, k)) < p  # each visitor's reaction to every arm
        arms = {
            "thompson": np.argmax(
                ts_rng.beta(1.0 + succ["thompson"], 1.0 + fail["thompson"]), axis=1
            ),
            "uniform": ab_rng.integers(0, k, n_runs),
        }
        for pol, a in arms.items():
            r = reactions[runs, a]
            succ[pol][runs, a] += r
            fail[pol][runs, a] += ~r
            inst_regret[pol][t] = gap[a].mean()
    pulls = {pol: (succ[pol] + fail[pol]) for pol in POLICIES}
    picked = {
        "thompson": np.argmax((1 + succ["thompson"]) / (2 + pulls["thompson"]), axis=1),
        "uniform": np.argmax(succ["uniform"] / np.maximum(pulls["uniform"], 1), axis=1),
    }
    return ExperimentResult(
        true_ctr=p,
        clicks={pol: succ[pol].sum(axis=1) for pol in POLICIES},
        regret={pol: np.cumsum(inst_regret[pol]) for pol in POLICIES},
        picked=picked,
        pulls={pol: pulls[pol].mean(axis=0) for pol in POLICIES},
        horizon=horizon,
        n_runs=n_runs,
        seed=seed,
    )


@dataclass(frozen=True)
class Uplift:
    """Relative click-through uplift of one policy over another, with a 95% confidence interval.

    ``mean`` is the average over runs of (CTR_a / CTR_b - 1); ``low``/``high`` bound the 95% interval of that
    average (normal approximation, mean +- 1.96 standard errors); ``runs`` is the number of runs.

    Taught in: notebooks/10_marketing.ipynb
    """

    mean: float
    low: float
    high: float
    runs: int

    def __str__(self) -> str:
        return f"{self.mean:+.1%} (95% CI {self.low:+.1%} to {self.high:+.1%}, {self.runs} runs)"


def uplift(
    clicks_a: np.ndarray | ExperimentResult | Sequence[ExperimentResult],
    clicks_b: np.ndarray | None = None,
    *,
    a: str = "thompson",
    b: str = "uniform",
) -> Uplift:
    """Uplift of ``a`` over ``b`` with a 95% confidence interval over repeated runs.

    Pass two arrays of clicks per run (paired: run i of both saw the same visitors), one
    :class:`ExperimentResult`, or a list of them (e.g. one per segment; their clicks are added per run,
    so the runs must match in number).

    Example:
        >>> u = uplift(np.array([110.0, 120, 130]), np.array([100.0, 100, 100]))
        >>> round(u.mean, 3)
        0.2

    Taught in: notebooks/10_marketing.ipynb
    """
    if clicks_b is None:
        results = [clicks_a] if isinstance(clicks_a, ExperimentResult) else list(clicks_a)
        if not results or not all(isinstance(r, ExperimentResult) for r in results):
            raise ValueError(
                "Pass two click arrays, an ExperimentResult, or a list of ExperimentResults."
            )
        if len({r.n_runs for r in results}) != 1:
            raise ValueError(
                "The results have different n_runs. Fix: simulate them with one n_runs."
            )
        ca = sum(r.clicks[a] for r in results)
        cb = sum(r.clicks[b] for r in results)
    else:
        ca, cb = np.asarray(clicks_a, float), np.asarray(clicks_b, float)
    if ca.shape != cb.shape or ca.ndim != 1 or len(ca) < 2:
        raise ValueError("clicks_a and clicks_b must be paired 1-D arrays with at least two runs.")
    if np.any(cb <= 0):
        raise ValueError(
            "A run of the baseline has no clicks; uplift is undefined. Fix: longer runs."
        )
    rel = ca / cb - 1.0
    se = rel.std(ddof=1) / np.sqrt(len(rel))
    m = float(rel.mean())
    return Uplift(m, m - 1.96 * float(se), m + 1.96 * float(se), len(rel))


def run_campaign(
    creatives: Creatives,
    impressions: int = 20_000,
    n_runs: int = 200,
    seed: int = 0,
    customers: pd.DataFrame | None = None,
) -> dict[str, ExperimentResult]:
    """One experiment per segment, ``impressions`` shared out by the segments' sizes.

    Impressions go to each segment in proportion to its number of customers in ``customers`` (or to its
    ``share`` in :data:`SEGMENTS` when no table is given). Returns segment -> :class:`ExperimentResult`.

    Example:
        >>> results = run_campaign(creatives, impressions=20_000, n_runs=200)  # doctest: +SKIP
        >>> print(uplift(list(results.values())))  # doctest: +SKIP

    Taught in: notebooks/10_marketing.ipynb
    """
    impressions = _check_int("impressions", impressions, 1)
    segs = list(dict.fromkeys(creatives.table["segment"]))
    if customers is not None:
        sizes = customers["segment"].value_counts()
        weights = np.array([sizes.get(s, 0) for s in segs], dtype=float)
    else:
        weights = np.array([SEGMENTS[s].share if s in SEGMENTS else 0.0 for s in segs])
    if weights.sum() <= 0:
        raise ValueError("No segment of the creatives has customers. Fix: pass matching tables.")
    alloc = np.maximum(1, np.floor(impressions * weights / weights.sum())).astype(int)
    out = {}
    for i, seg in enumerate(segs):
        table, _ = creatives.for_segment(seg)
        out[seg] = simulate_experiment(
            table["true_ctr"].to_numpy(), horizon=int(alloc[i]), n_runs=n_runs, seed=seed + i
        )
    return out


def campaign_table(results: Mapping[str, ExperimentResult]) -> pd.DataFrame:
    """One row per segment: impressions, best true CTR, each policy's CTR, uplift and correct-pick rate.

    Example:
        >>> campaign_table(run_campaign(creatives))  # doctest: +SKIP

    Taught in: notebooks/10_marketing.ipynb
    """
    rows = {}
    for seg, r in results.items():
        u = uplift(r)
        rows[seg] = {
            "impressions": r.horizon,
            "best true CTR %": round(100 * r.true_ctr.max(), 2),
            "uniform CTR %": round(100 * r.ctr("uniform").mean(), 2),
            "thompson CTR %": round(100 * r.ctr("thompson").mean(), 2),
            "uplift %": round(100 * u.mean, 1),
            "95% CI %": f"{100 * u.low:+.1f} to {100 * u.high:+.1f}",
            "best picked (uniform)": f"{r.p_correct('uniform'):.0%}",
            "best picked (thompson)": f"{r.p_correct('thompson'):.0%}",
        }
    return pd.DataFrame.from_dict(rows, orient="index")


__all__ = [
    "BOLDNESS_MEAN",
    "BOLDNESS_SD",
    "BOLD_EFFECT",
    "CUSTOMER_COLUMNS",
    "Creatives",
    "ExperimentResult",
    "FAVORITE_BOOST",
    "N_DESIGNS",
    "POLICIES",
    "SEGMENTS",
    "Segment",
    "Uplift",
    "boldness",
    "campaign_table",
    "click_probabilities",
    "generate_creatives",
    "load_customers",
    "make_customers",
    "run_campaign",
    "save_customers",
    "segment_designs",
    "segment_summary",
    "simulate_experiment",
    "uplift",
]
