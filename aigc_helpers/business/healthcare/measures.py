"""The three measurements of synthetic records: fidelity, utility (train synthetic, test real) and privacy.

Every measurement compares with the real **holdout** records, which no model was trained on.

Taught in: notebooks/13_healthcare.ipynb
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aigc_helpers.business.healthcare.records import (
    LABEL,
    RealSplit,
    _check_records,
    feature_columns,
)
from aigc_helpers.business.healthcare.scaling import TabularScaler
from aigc_helpers.checks import check_number


@dataclass
class Fidelity:
    """Per-feature Kolmogorov-Smirnov statistics and correlation-matrix differences.

    ``per_feature``: one row per feature with ``KS synthetic`` (synthetic vs real train) and
    ``KS holdout`` (real holdout vs real train: the difference sampling alone produces). ``summary``:
    medians and maxima of both, the label share, and the mean absolute difference between correlation
    matrices (off-diagonal entries).

    Example:
        >>> Fidelity(pd.DataFrame(), {"median KS synthetic": 0.08}).summary["median KS synthetic"]
        0.08

    Taught in: machinery behind fidelity_report (what it returns)
    """

    per_feature: pd.DataFrame
    summary: dict[str, float]


def fidelity_report(synthetic: pd.DataFrame, split: RealSplit) -> Fidelity:
    """How closely ``synthetic`` matches the real training records, beside the holdout as a yardstick.

    Example:
        >>> from aigc_helpers.business.healthcare import memorizing_generator, split_patients
        >>> split = split_patients()
        >>> f = fidelity_report(memorizing_generator(split.train, 400), split)
        >>> f.summary["median KS synthetic"] < f.summary["median KS holdout"]  # copies look "too good"
        True

    Taught in: notebooks/13_healthcare.ipynb
    """
    from scipy import stats

    _check_records(synthetic, split.train)
    feats = feature_columns(split.train)
    rows = {}
    for c in feats:
        rows[c] = {
            "KS synthetic": stats.ks_2samp(synthetic[c], split.train[c]).statistic,
            "KS holdout": stats.ks_2samp(split.holdout[c], split.train[c]).statistic,
        }
    per = pd.DataFrame.from_dict(rows, orient="index")
    c_train = split.train[feats].corr().to_numpy()
    off = ~np.eye(len(feats), dtype=bool)

    def corr_gap(df: pd.DataFrame) -> float:
        return float(np.abs(df[feats].corr().to_numpy() - c_train)[off].mean())

    summary = {
        "median KS synthetic": float(per["KS synthetic"].median()),
        "median KS holdout": float(per["KS holdout"].median()),
        "max KS synthetic": float(per["KS synthetic"].max()),
        "max KS holdout": float(per["KS holdout"].max()),
        "corr gap synthetic": corr_gap(synthetic),
        "corr gap holdout": corr_gap(split.holdout),
        "benign share synthetic": float(synthetic[LABEL].mean()),
        "benign share train": float(split.train[LABEL].mean()),
    }
    return Fidelity(per, summary)


def _classifier(kind: str, seed: int):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    if kind == "forest":
        return RandomForestClassifier(n_estimators=200, random_state=seed, n_jobs=1)
    raise ValueError(f"Unknown classifier {kind!r}; choose 'logistic' or 'forest'.")


def utility_report(
    synthetic: pd.DataFrame,
    split: RealSplit,
    classifiers: Sequence[str] = ("logistic", "forest"),
    seed: int = 0,
) -> pd.DataFrame:
    """Train on synthetic, test on real (TSTR) beside train on real, test on real (TRTR).

    Both classifiers are scored on ``split.holdout`` only -- real records that neither the generator nor
    the classifiers saw. A synthetic set that contains holdout records would make the score meaningless,
    so that raises ``ValueError``.

    Returns one row per (classifier, training data) with accuracy, ROC AUC, and the sizes used.

    Example:
        >>> utility_report(memorizing_generator(split.train, 400), split)  # doctest: +SKIP

    Taught in: notebooks/13_healthcare.ipynb
    """
    from sklearn.metrics import accuracy_score, roc_auc_score

    _check_records(synthetic, split.train)
    feats = feature_columns(split.train)
    if synthetic[LABEL].nunique() < 2:
        raise ValueError(
            "The synthetic records have only one class. Fix: train the generator longer or sample more."
        )
    leaked = pd.merge(
        synthetic[feats].round(6), split.holdout[feats].round(6), how="inner", on=feats
    )
    if len(leaked):
        raise ValueError(
            f"{len(leaked)} holdout records appear in the synthetic training data; the test would not be "
            "on unseen data. Fix: generate from a model trained on split.train only."
        )
    x_test, y_test = split.holdout[feats].to_numpy(), split.holdout[LABEL].to_numpy()
    rows = []
    for kind in classifiers:
        for source, df in (("real train (TRTR)", split.train), ("synthetic (TSTR)", synthetic)):
            clf = _classifier(kind, seed).fit(df[feats].to_numpy(), df[LABEL].to_numpy())
            proba = clf.predict_proba(x_test)[:, 1]
            rows.append(
                {
                    "classifier": kind,
                    "trained on": source,
                    "n train": len(df),
                    "n test (holdout)": len(x_test),
                    "accuracy": accuracy_score(y_test, proba > 0.5),
                    "ROC AUC": roc_auc_score(y_test, proba),
                }
            )
    return pd.DataFrame(rows)


def distance_to_closest(
    records: pd.DataFrame, reference: pd.DataFrame, scaler: TabularScaler
) -> np.ndarray:
    """Euclidean distance from each record to its nearest ``reference`` record, in scaled feature space.

    Features only (the label is left out), after the scaler's log + standardization, so every feature
    counts on the same scale.

    Example:
        >>> d = distance_to_closest(split.holdout, split.train, scaler)  # doctest: +SKIP

    Taught in: notebooks/13_healthcare.ipynb
    """
    from sklearn.neighbors import NearestNeighbors

    _check_records(records, reference)
    keep = [i for i, c in enumerate(scaler.columns or []) if c != LABEL]
    a = scaler.transform(records)[:, keep]
    b = scaler.transform(reference)[:, keep]
    nn = NearestNeighbors(n_neighbors=1).fit(b)
    return nn.kneighbors(a)[0][:, 0]


def privacy_report(
    synthetic: pd.DataFrame, split: RealSplit, scaler: TabularScaler, near_copy: float = 0.5
) -> dict[str, float]:
    """Distance to closest record (DCR): are synthetic records closer to the training records than new
    real patients (the holdout) are?

    If the generator produced fresh records, its DCRs look like the holdout's; a memorizing generator's
    DCRs are far smaller. Reports medians, 5th percentiles, the share of synthetic records closer than the
    holdout's 5th percentile (about 0.05 when nothing is copied), and the share of **near-exact copies**.

    A near-exact copy is a synthetic record closer to some training record than ``near_copy`` (default
    one half) times the holdout's 1st-percentile DCR, the ``near-copy threshold``. The holdout's DCRs are
    distances between *distinct* real patients (a new patient and the closest training patient), and only
    one new patient in a hundred comes as close as their 1st percentile; a record at half that distance
    sits on one training patient more tightly than genuinely new patients practically ever do. The
    threshold is measured on the data, not fixed: in the scaled space, a training record with small
    relative noise on each of its 30 features already lies well away from zero distance, so a fixed tiny
    threshold would miss a generator that copies.

    Example:
        >>> from aigc_helpers.business.healthcare import memorizing_generator, split_patients
        >>> s = split_patients()
        >>> sc = TabularScaler().fit(s.train)
        >>> privacy_report(memorizing_generator(s.train, 200), s, sc)["share near-exact copies"]
        1.0

    Taught in: notebooks/13_healthcare.ipynb
    """
    near_copy = check_number(
        "near_copy", near_copy, minimum=0, maximum=1, strict=True, fix="keep the default, 0.5."
    )
    d_syn = distance_to_closest(synthetic, split.train, scaler)
    d_hold = distance_to_closest(split.holdout, split.train, scaler)
    p5 = float(np.percentile(d_hold, 5))
    threshold = near_copy * float(np.percentile(d_hold, 1))
    return {
        "median DCR synthetic": float(np.median(d_syn)),
        "median DCR holdout": float(np.median(d_hold)),
        "p5 DCR synthetic": float(np.percentile(d_syn, 5)),
        "p5 DCR holdout": p5,
        "share closer than holdout p5": float(np.mean(d_syn < p5)),
        "near-copy threshold": threshold,
        "share near-exact copies": float(np.mean(d_syn < threshold)),
    }
