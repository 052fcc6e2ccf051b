"""The experiment: Thompson sampling against a uniform A/B split on the same simulated visitors.

:func:`simulate_experiment` runs both policies many times; :func:`uplift` turns the runs into an uplift
with a confidence interval; :func:`run_campaign` and :func:`campaign_table` do it per segment.

Taught in: notebooks/10_marketing.ipynb
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aigc_helpers.business.marketing.creatives import Creatives
from aigc_helpers.business.marketing.customers import SEGMENTS
from aigc_helpers.checks import check_int


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

    Example:
        >>> r = simulate_experiment([0.02, 0.05], horizon=500, n_runs=20, seed=0)
        >>> r.best_arm, r.ctr("thompson").shape
        (1, (20,))

    Taught in: machinery behind simulate_experiment and run_campaign (what they return)
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
    horizon = check_int("horizon", horizon, minimum=1)
    n_runs = check_int("n_runs", n_runs, minimum=1)
    seed = check_int("seed", seed, minimum=0)
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

    Example:
        >>> print(Uplift(0.1, 0.05, 0.15, 200))
        +10.0% (95% CI +5.0% to +15.0%, 200 runs)

    Taught in: machinery behind uplift (what it returns)
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
    impressions = check_int("impressions", impressions, minimum=1)
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
