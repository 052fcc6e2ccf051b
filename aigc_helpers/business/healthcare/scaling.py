"""Scaling of patient records: log1p, then standardization, fitted on the training records only.

Taught in: notebooks/13_healthcare.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aigc_helpers.business.healthcare.records import LABEL
from aigc_helpers.checks import check_columns


class TabularScaler:
    """log1p, then standardize each column with the mean and std of the data it was fitted on.

    All 30 features are non-negative and right-skewed (areas, for instance, span two orders of magnitude),
    so a log makes them closer to the Gaussian the decoder assumes. The 0/1 label is standardized like a
    feature (no log); :meth:`inverse` rounds it back to 0/1 at the midpoint. Fit it on the **training**
    part only: statistics of the holdout must not leak into the model.

    Example:
        >>> from aigc_helpers.business.healthcare import split_patients
        >>> s = split_patients()
        >>> sc = TabularScaler().fit(s.train)
        >>> bool(np.allclose(sc.transform(s.train).mean(axis=0), 0, atol=1e-6))
        True

    Taught in: notebooks/13_healthcare.ipynb
    """

    def __init__(self) -> None:
        self.columns: list[str] | None = None
        self.mean_: np.ndarray | None = None
        self.std_: np.ndarray | None = None

    def _log(self, df: pd.DataFrame) -> np.ndarray:
        x = df[self.columns].to_numpy(dtype=np.float64).copy()
        feats = [i for i, c in enumerate(self.columns) if c != LABEL]
        if np.any(x[:, feats] < 0):
            raise ValueError("Features must be non-negative for the log transform.")
        x[:, feats] = np.log1p(x[:, feats])
        return x

    def fit(self, df: pd.DataFrame) -> TabularScaler:
        """Learn each column's mean and std (after the log) from ``df``."""
        check_columns("df", df, [LABEL], fix="fit on the training records, e.g. split.train.")
        self.columns = list(df.columns)
        x = self._log(df)
        self.mean_ = x.mean(axis=0)
        self.std_ = x.std(axis=0) + 1e-8
        return self

    def _check_fitted(self) -> None:
        if self.columns is None:
            raise ValueError("The scaler is not fitted. Fix: call fit(split.train) first.")

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        """Records -> standardized float32 array, columns in the fitted order."""
        self._check_fitted()
        check_columns("df", df, self.columns, fix="pass a patients table.")
        return ((self._log(df) - self.mean_) / self.std_).astype(np.float32)

    def inverse(self, x: np.ndarray) -> pd.DataFrame:
        """Standardized array -> records (features back through expm1, label rounded to 0/1)."""
        self._check_fitted()
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(self.columns):
            raise ValueError(f"x must have shape (N, {len(self.columns)}), got {x.shape}.")
        raw = x * self.std_ + self.mean_
        df = pd.DataFrame(raw, columns=self.columns)
        for c in self.columns:
            if c == LABEL:
                df[c] = (df[c] > 0.5).astype(np.int64)
            else:
                df[c] = np.expm1(np.maximum(df[c], 0.0))
        return df
