"""The real records: scikit-learn's breast-cancer table, split once into train and a never-trained-on holdout.

Taught in: notebooks/13_healthcare.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aigc_helpers.checks import check_columns, check_int, check_number

LABEL = "benign"
"""The label column: 1 = benign, 0 = malignant (scikit-learn's coding of the diagnosis)."""


def load_patients() -> pd.DataFrame:
    """scikit-learn's breast-cancer table: 569 rows, the 30 features and the label column ``benign``.

    Example:
        >>> df = load_patients()
        >>> df.shape, int(df[LABEL].sum())
        ((569, 31), 357)

    Taught in: notebooks/13_healthcare.ipynb
    """
    from sklearn.datasets import load_breast_cancer

    ds = load_breast_cancer()
    df = pd.DataFrame(ds.data, columns=list(ds.feature_names))
    df[LABEL] = ds.target.astype(np.int64)
    return df


def feature_columns(df: pd.DataFrame) -> list[str]:
    """The feature columns of a patients table (everything but the label).

    Example:
        >>> len(feature_columns(load_patients()))
        30

    Taught in: notebooks/13_healthcare.ipynb
    """
    return [c for c in df.columns if c != LABEL]


@dataclass(frozen=True)
class RealSplit:
    """The real records, split once: ``train`` (models learn from it) and ``holdout`` (never trained on).

    The two keep the original row numbers as their index, so disjointness can be checked.

    Example:
        >>> s = split_patients()
        >>> RealSplit(s.train, s.train.iloc[:2], seed=0)
        Traceback (most recent call last):
        ...
        ValueError: train and holdout share 2 rows. Fix: build the split with split_patients().

    Taught in: machinery behind split_patients (what it returns)
    """

    train: pd.DataFrame
    holdout: pd.DataFrame
    seed: int

    def __post_init__(self) -> None:
        overlap = set(self.train.index) & set(self.holdout.index)
        if overlap:
            raise ValueError(
                f"train and holdout share {len(overlap)} rows. Fix: build the split with split_patients()."
            )


def split_patients(
    df: pd.DataFrame | None = None, holdout: float = 0.3, seed: int = 0
) -> RealSplit:
    """Split the real records into train and holdout, stratified by the label.

    Example:
        >>> s = split_patients(seed=0)
        >>> len(s.train), len(s.holdout)
        (398, 171)

    Taught in: notebooks/13_healthcare.ipynb
    """
    from sklearn.model_selection import train_test_split

    df = load_patients() if df is None else df
    check_columns("df", df, [LABEL], fix="start from load_patients().")
    holdout = check_number("holdout", holdout, minimum=0, maximum=1, strict=True)
    seed = check_int("seed", seed, minimum=0)
    train, test = train_test_split(df, test_size=holdout, random_state=seed, stratify=df[LABEL])
    return RealSplit(train.sort_index(), test.sort_index(), seed)


def _check_records(df: pd.DataFrame, like: pd.DataFrame) -> None:
    """Raise unless ``df`` is a table with every column of ``like`` (e.g. synthetic records like train)."""
    check_columns("records", df, list(like.columns), fix="generate them with sample_records().")
