"""Distances between point sets, computed in chunks so that 60,000 x n tables never sit in memory at once.

One implementation each of: the nearest neighbour of every query in a pool (:func:`nearest_neighbours`,
behind the memorization check and ``data_scaling.nearest_distance``), the k-NN ball radius of every point
(:func:`knn_radii`) and ball membership (behind precision and recall). Plain NumPy: no TensorFlow.

Example:
    >>> d, i = nearest_neighbours(np.zeros((1, 2)), np.array([[3.0, 4.0], [0.0, 1.0]]))
    >>> d.tolist(), i.tolist()
    ([1.0], [1])

Taught in: machinery behind precision_recall, memorization and data_scaling.nearest_distance
"""

from __future__ import annotations

import numpy as np

from aigc_helpers.checks import check_int, check_positive_int


def _sq_norms(a: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, a)


def _pairwise_sq(a, b, a2=None, b2=None) -> np.ndarray:
    """Squared Euclidean distances (len(a), len(b)) by |a|² + |b|² − 2 a·b, clipped at 0."""
    a2 = _sq_norms(a) if a2 is None else a2
    b2 = _sq_norms(b) if b2 is None else b2
    return np.maximum(a2[:, None] + b2[None, :] - 2.0 * (a @ b.T), 0.0)


def _rows(x, name: str) -> np.ndarray:
    """A batch as a 2-D array (n, d) of float32 (if given as float32) or float64."""
    arr = np.asarray(x)
    if arr.ndim < 1:
        raise ValueError(f"{name} must be a batch (one item per row), got a scalar.")
    dtype = np.float32 if arr.dtype == np.float32 else np.float64
    return arr.reshape(len(arr), -1).astype(dtype, copy=False)


def nearest_neighbours(
    queries,
    pool,
    *,
    chunk: int = 200,
    pool_chunk: int = 60_000,
    pool_sq_norms: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean distance from each query to its nearest row of ``pool``, and that row's index.

    Items are flattened (images become pixel vectors). Queries go in blocks of ``chunk`` rows against
    blocks of ``pool_chunk`` pool rows, so memory stays at chunk x pool_chunk numbers; on ties the first
    pool row wins. Float32 inputs are compared in float32, anything else in float64.
    ``pool_sq_norms`` (the squared norms of the pool rows) may be passed when the same pool is searched
    often.

    Example:
        >>> nearest_neighbours(np.array([[0.0], [9.0]]), np.array([[1.0], [-1.0], [7.0]]))[1].tolist()
        [0, 2]

    Taught in: machinery behind memorization, nearest_train and data_scaling.nearest_distance
    """
    q = _rows(queries, "queries")
    p = _rows(pool, "pool")
    if len(p) == 0:
        raise ValueError("pool is empty. Fix: pass at least one item to search.")
    if q.shape[1] != p.shape[1]:
        raise ValueError(
            f"queries and pool differ in size per item ({q.shape[1]} vs {p.shape[1]}). "
            "Fix: compare images of the same shape."
        )
    dtype = np.result_type(q, p)
    q, p = q.astype(dtype, copy=False), p.astype(dtype, copy=False)
    chunk = check_positive_int("chunk", chunk)
    pool_chunk = check_positive_int("pool_chunk", pool_chunk)
    p2 = _sq_norms(p) if pool_sq_norms is None else np.asarray(pool_sq_norms, dtype)
    q2 = _sq_norms(q)
    best = np.full(len(q), np.inf, dtype)
    idx = np.zeros(len(q), np.int64)
    for i in range(0, len(q), chunk):
        rows = slice(i, i + chunk)
        for j in range(0, len(p), pool_chunk):
            d = _pairwise_sq(q[rows], p[j : j + pool_chunk], q2[rows], p2[j : j + pool_chunk])
            k = np.argmin(d, axis=1)
            d_min = d[np.arange(len(k)), k]
            better = d_min < best[rows]  # strict: the earlier pool row keeps a tie
            best[rows] = np.where(better, d_min, best[rows])
            idx[rows] = np.where(better, k + j, idx[rows])
    return np.sqrt(best).astype(np.float64), idx


def knn_radii(f, k: int = 3, *, chunk: int = 1000) -> np.ndarray:
    """Distance of each row of ``f`` to its k-th nearest *other* row (the k-NN ball's radius).

    Example:
        >>> knn_radii(np.array([[0.0], [1], [3], [7]]), k=1).tolist()
        [1.0, 1.0, 2.0, 4.0]

    Taught in: machinery behind precision_recall and precision_recall_features (the k-NN balls)
    """
    f = np.asarray(f, dtype=np.float32)
    k = check_int("k", k, minimum=1)
    if len(f) <= k:
        raise ValueError(f"k={k} needs more than {k} points, got {len(f)}. Fix: use more samples.")
    f2 = _sq_norms(f)
    out = np.empty(len(f), np.float64)
    for i in range(0, len(f), chunk):
        d = _pairwise_sq(f[i : i + chunk], f, f2[i : i + chunk], f2)
        # index 0 of the sorted row is the point itself (distance 0), so the k-th neighbour is index k
        out[i : i + chunk] = np.sqrt(np.partition(d, k, axis=1)[:, k])
    return out


def _covered(points, centres, radii, *, chunk: int = 1000) -> np.ndarray:
    """For each point: does it lie in at least one ball (centre, radius)?"""
    p2, c2 = _sq_norms(points), _sq_norms(centres)
    r2 = np.asarray(radii, np.float64) ** 2
    out = np.empty(len(points), bool)
    for i in range(0, len(points), chunk):
        d = _pairwise_sq(points[i : i + chunk], centres, p2[i : i + chunk], c2)
        out[i : i + chunk] = np.any(d <= r2[None, :] * (1 + 1e-6) + 1e-12, axis=1)
    return out
