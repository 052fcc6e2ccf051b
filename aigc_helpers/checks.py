"""Argument checks shared by every module: one rule each, one wording of the error.

Each check returns the value converted to a plain Python type, or raises a ``ValueError`` whose message
names the argument, shows what was passed and, where one helps, says what to pass instead (``fix``).
``True`` and ``False`` are never accepted as integers, although Python counts them as such.

Example:
    >>> check_int("steps", 8, minimum=2)
    8
    >>> check_int("steps", 1, minimum=2)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an integer >= 2, got 1.

Taught in: every notebook that passes sizes to the package (the errors it raises are shown in 05 and 09)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def _fail(message: str, fix: str | None) -> ValueError:
    return ValueError(f"{message} Fix: {fix}" if fix else message)


def is_int(value: object) -> bool:
    """True for Python and NumPy integers, False for bools, floats and everything else.

    Example:
        >>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0)
        (True, True, False, False)
    """
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(
    name: str,
    value: object,
    minimum: int | None = None,
    maximum: int | None = None,
    *,
    fix: str | None = None,
) -> int:
    """``value`` as an ``int`` if it is an integer in [minimum, maximum] (either end optional).

    Example:
        >>> check_int("n", np.int64(4), minimum=1)
        4
    """
    ok = is_int(value)
    if ok and minimum is not None and value < minimum:
        ok = False
    if ok and maximum is not None and value > maximum:
        ok = False
    if not ok:
        if minimum is not None and maximum is not None:
            what = f"an integer from {minimum} to {maximum}"
        elif minimum is not None:
            what = f"an integer >= {minimum}"
        elif maximum is not None:
            what = f"an integer <= {maximum}"
        else:
            what = "an integer"
        raise _fail(f"{name} must be {what}, got {value!r}.", fix)
    return int(value)  # type: ignore[arg-type]


def check_positive_int(name: str, value: object, *, fix: str | None = None) -> int:
    """``value`` as an ``int`` if it is an integer >= 1.

    Example:
        >>> check_positive_int("latent_dim", 0)
        Traceback (most recent call last):
        ...
        ValueError: latent_dim must be a positive integer, got 0.
    """
    if not is_int(value) or value < 1:  # type: ignore[operator]
        raise _fail(f"{name} must be a positive integer, got {value!r}.", fix)
    return int(value)  # type: ignore[arg-type]


def check_int_sequence(
    name: str, values: object, minimum: int = 1, *, fix: str | None = None
) -> tuple[int, ...]:
    """A non-empty sequence of integers >= ``minimum``, as a tuple of ``int``.

    Example:
        >>> check_int_sequence("filters", [64, 32])
        (64, 32)
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise _fail(f"{name} must be a sequence of integers >= {minimum}, got {values!r}.", fix)
    items = list(values)
    if not items or any(not is_int(v) or v < minimum for v in items):
        raise _fail(
            f"{name} must be a non-empty sequence of integers >= {minimum}, got {values!r}.", fix
        )
    return tuple(int(v) for v in items)


def check_number(
    name: str,
    value: object,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    strict: bool = False,
    fix: str | None = None,
) -> float:
    """``value`` as a finite ``float`` in [minimum, maximum] ((minimum, maximum) with ``strict``).

    Example:
        >>> check_number("beta", 0.5, minimum=0)
        0.5
        >>> check_number("std", 0, minimum=0, strict=True)
        Traceback (most recent call last):
        ...
        ValueError: std must be a number > 0, got 0.
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
    v = float(value) if ok else math.nan  # type: ignore[arg-type]
    ok = ok and math.isfinite(v)
    low, high = (">", "<") if strict else (">=", "<=")
    if ok and minimum is not None:
        ok = v > minimum if strict else v >= minimum
    if ok and maximum is not None:
        ok = v < maximum if strict else v <= maximum
    if not ok:
        parts = []
        if minimum is not None:
            parts.append(f"{low} {minimum:g}")
        if maximum is not None:
            parts.append(f"{high} {maximum:g}")
        what = "a number" + (" " + " and ".join(parts) if parts else "")
        raise _fail(f"{name} must be {what}, got {value!r}.", fix)
    return v


def check_positive_number(name: str, value: object, *, fix: str | None = None) -> float:
    """``value`` as a finite ``float`` > 0.

    Example:
        >>> check_positive_number("radius", 2)
        2.0
        >>> check_positive_number("std", -1)
        Traceback (most recent call last):
        ...
        ValueError: std must be a positive number, got -1.
    """
    try:
        return check_number(name, value, minimum=0, strict=True)
    except ValueError:
        raise _fail(f"{name} must be a positive number, got {value!r}.", fix) from None


def check_choice(
    name: str, value: object, choices: Sequence[str], *, fix: str | None = None
) -> str:
    """``value`` if it is one of ``choices``.

    Example:
        >>> check_choice("loss", "hinge", ("bce", "hinge"))
        'hinge'
        >>> check_choice("loss", "mse", ("bce", "hinge"))
        Traceback (most recent call last):
        ...
        ValueError: unknown loss 'mse'. Fix: use one of 'bce', 'hinge'.
    """
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise _fail(f"unknown {name} {value!r}.", fix or f"use one of {options}.")
    return value


__all__ = [
    "check_choice",
    "check_int",
    "check_int_sequence",
    "check_number",
    "check_positive_int",
    "check_positive_number",
    "is_int",
]


def check_columns(name: str, df: object, columns: Sequence[str], *, fix: str | None = None) -> None:
    """Raise unless ``df`` is a pandas DataFrame that has every one of ``columns``.

    Example:
        >>> import pandas as pd
        >>> check_columns("table", pd.DataFrame({"a": [1]}), ["a", "b"], fix="build it with make_table().")
        Traceback (most recent call last):
        ...
        ValueError: table lacks the column(s) 'b'. Fix: build it with make_table().
    """
    import pandas as pd  # here, not at the top: most users of these checks never need pandas

    if not isinstance(df, pd.DataFrame):
        raise _fail(f"{name} must be a pandas DataFrame, got {type(df).__name__}.", fix)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        shown = ", ".join(repr(c) for c in missing[:4])
        if len(missing) > 4:
            shown += f" and {len(missing) - 4} more"
        raise _fail(f"{name} lacks the column(s) {shown}.", fix)


__all__.append("check_columns")
