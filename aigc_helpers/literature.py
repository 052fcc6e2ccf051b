"""Figures the course quotes from the literature, each with the reference it comes from.

The course's own numbers are read from where they were measured (a shipped results file, a notebook's
output, ``notebooks/timings.json``). Numbers from *other people's* papers live here, once, with the key of
their entry in :mod:`aigc_helpers.references`, so a text that quotes one can say where it is from and
``tests/test_claims.py`` can check the quote.

Example:
    >>> from aigc_helpers import literature
    >>> fig = literature.get("iwae_vae_two_layer_nll")
    >>> fig.value, fig.unit, fig.ref
    (85.33, 'nats', 'iwae')

Taught in: machinery behind the figure marks that tools/figures.py checks (``<!--= lit.KEY -->``)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiteratureFigure:
    """One published number.

    Attributes:
        key: short identifier used by texts that quote it.
        value: the number as published.
        unit: its unit (``"nats"``, ``""`` for a pure number).
        ref: key of the work in :data:`aigc_helpers.references.REFERENCES`.
        what: what was measured, where in the work (table, section), in a few words.
    """

    key: str
    value: float
    unit: str
    ref: str
    what: str


FIGURES: tuple[LiteratureFigure, ...] = (
    LiteratureFigure(
        "iwae_vae_two_layer_nll",
        85.33,
        "nats",
        "iwae",
        "test NLL on dynamically binarized MNIST of a VAE with two stochastic layers, trained for 3,280 "
        "passes over the data and scored with k = 5,000 importance samples (Table 1)",
    ),
)

_BY_KEY = {f.key: f for f in FIGURES}


def get(key: str) -> LiteratureFigure:
    """The figure called ``key``; an unknown key raises ``KeyError`` listing the known ones.

    Example:
        >>> get("iwae_vae_two_layer_nll").ref
        'iwae'
    """
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(
            f"no literature figure called {key!r}. Known: {', '.join(sorted(_BY_KEY))}. Fix: add a "
            "LiteratureFigure to aigc_helpers/literature.py, with the reference it comes from."
        ) from None


__all__ = ["FIGURES", "LiteratureFigure", "get"]
