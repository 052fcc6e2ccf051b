"""Planted errors and the fact checker's measured precision and recall.

:func:`inject_error` plants one known error of a given kind (:data:`ERROR_KINDS`) in a brief;
:func:`evaluate_checker` writes many briefs, plants errors in some and reports how many the checker flags.

Taught in: notebooks/11_newsroom.ipynb
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aigc_helpers.business.newsroom.factcheck import fact_check
from aigc_helpers.business.newsroom.language import _NUMBER, _SENTENCE, OPPOSITE, _metric_of
from aigc_helpers.business.newsroom.writer import Brief, write_briefs
from aigc_helpers.checks import check_choice, check_int, check_number

CHECKABLE_ERRORS: tuple[str, ...] = ("number", "direction", "metric", "period", "invented_figure")
"""The kinds of planted errors that a check against the table can expose."""
ERROR_KINDS: tuple[str, ...] = (*CHECKABLE_ERRORS, "invented_context")
"""Kinds of planted errors: the :data:`CHECKABLE_ERRORS` and ``invented_context`` (a claim with no number and
no direction, e.g. about analysts' expectations), which is beyond what the table can verify."""

_INVENTED_FIGURES = (
    "Shares rose {x:.1f}% in early trading.",
    "The company said it hired {n} engineers during the quarter.",
    "Orders were up {x:.1f}% on the quarter.",
)
_INVENTED_CONTEXT = (
    "Analysts had expected a weaker quarter.",
    "The chief executive called the results a turning point.",
    "The results beat market expectations.",
)
_METRIC_SWAP = {
    "revenue": "net income",
    "Revenue": "Net income",
    "net income": "revenue",
    "Net income": "Revenue",
}


def _plant(body: str, kind: str, rng: np.random.Generator) -> tuple[str, str] | None:
    """(new body, what was done) for an error of ``kind``, or None when the body has no place for it."""
    if kind == "direction":
        hits = [m for m in re.finditer(r"[A-Za-z]+", body) if m.group(0).lower() in OPPOSITE]
        if hits:
            m = hits[int(rng.integers(len(hits)))]
            w = m.group(0)
            new = OPPOSITE[w.lower()]
            new = new.capitalize() if w[0].isupper() else new
            return body[: m.start()] + new + body[m.end() :], f"direction: {w!r} -> {new!r}"
    if kind == "metric":
        sentences = _SENTENCE.split(body)
        idx = [
            j
            for j, s in enumerate(sentences)
            if "$" in s and "loss" not in s.lower() and _metric_of(s) in ("revenue", "net_income")
        ]
        if idx:
            j = idx[int(rng.integers(len(idx)))]
            s = sentences[j]
            s2 = re.sub(r"[Rr]evenue|[Nn]et income", lambda m: _METRIC_SWAP[m.group(0)], s)
            sentences[j] = s2
            return " ".join(sentences), f"metric: {s!r} -> {s2!r}"
    if kind == "period":
        pattern = r"the previous quarter|a quarter earlier"
        if re.search(pattern, body):
            new_body = re.sub(pattern, "a year earlier", body, count=1)
            return new_body, "period: compared with a year earlier"
    if kind == "invented_figure":
        tmpl = _INVENTED_FIGURES[int(rng.integers(len(_INVENTED_FIGURES)))]
        s = tmpl.format(x=float(rng.uniform(1, 12)), n=int(rng.integers(20, 400)))
        return f"{body} {s}", f"invented_figure: {s!r}"
    if kind == "invented_context":
        s = _INVENTED_CONTEXT[int(rng.integers(len(_INVENTED_CONTEXT)))]
        return f"{body} {s}", f"invented_context: {s!r}"
    return None


def _change_a_number(body: str, rng: np.random.Generator) -> tuple[str, str]:
    """One number of the body changed by 5-40% (at least 0.2 at the shown precision, never negative)."""
    hits = list(_NUMBER.finditer(body))
    m = hits[int(rng.integers(len(hits)))]
    old = float(m.group("value").replace(",", ""))
    factor = float(rng.uniform(0.05, 0.40)) * (1 if rng.random() < 0.5 else -1)
    new = round(old * (1 + factor), 1)
    if abs(new - old) < 0.2:
        new = round(old + 0.2 * (1 if factor > 0 else -1), 1)
    if new < 0:
        new = round(old + abs(old * factor) + 0.2, 1)
    text = f"{new:,.1f}" if "," in m.group("value") else f"{new:.1f}"
    start, end = m.span("value")
    return body[:start] + text + body[end:], f"number: {m.group('value')} -> {text}"


def inject_error(brief: Brief, kind: str, seed: int = 0) -> Brief:
    """A copy of ``brief`` with one planted error of ``kind`` (see :data:`ERROR_KINDS`).

    - ``number``: one number in the body changed by 5-40% (at least 0.2 at the shown precision);
    - ``direction``: one direction word replaced by its opposite (rose -> fell, widened -> narrowed ...);
    - ``metric``: "revenue" and "net income" swapped in one sentence that has a dollar amount;
    - ``period``: "the previous quarter" / "a quarter earlier" replaced by "a year earlier";
    - ``invented_figure``: a sentence with a number the table does not hold (shares, orders, hires);
    - ``invented_context``: a sentence with no number at all (what analysts expected, ...).

    When the brief offers no place for that kind (e.g. no direction word), a ``number`` error is planted
    instead; ``Brief.injected`` says what was done.

    Example:
        >>> from aigc_helpers.business.newsroom import make_quarterly_figures, write_brief
        >>> t = make_quarterly_figures()
        >>> bad = inject_error(write_brief(t, "Dunmore Logistics", "2023-Q3"), "direction", seed=1)
        >>> bad.injected.startswith("direction")
        True

    Taught in: notebooks/11_newsroom.ipynb
    """
    kind = check_choice("error kind", kind, ERROR_KINDS)
    rng = np.random.default_rng(seed)
    head, _, body = brief.text.partition("\n")
    planted = None if kind == "number" else _plant(body, kind, rng)
    if planted is None:  # a number error (also the fallback)
        new_body, what = _change_a_number(body, rng)
        if kind != "number":
            what = f"{kind} (no place for it), planted {what}"
    else:
        new_body, what = planted
    return Brief(brief.company, brief.quarter, f"{head}\n{new_body}", dict(brief.facts), what)


@dataclass
class CheckerEvaluation:
    """Precision and recall of the fact checker on briefs with known planted errors.

    ``cases`` has one row per brief: kind ("clean" or the planted kind), flagged (bool) and the brief.

    Example:
        >>> ev = CheckerEvaluation(pd.DataFrame({"kind": ["clean", "number"], "flagged": [False, True]}))
        >>> ev.precision, ev.recall
        (1.0, 1.0)

    Taught in: machinery behind evaluate_checker (what it returns)
    """

    cases: pd.DataFrame

    @property
    def counts(self) -> dict[str, int]:
        """True and false positives and negatives ("positive" = flagged by the checker)."""
        bad = self.cases["kind"] != "clean"
        flagged = self.cases["flagged"]
        return {
            "true positives": int((bad & flagged).sum()),
            "false positives": int((~bad & flagged).sum()),
            "false negatives": int((bad & ~flagged).sum()),
            "true negatives": int((~bad & ~flagged).sum()),
        }

    def _true_share(self, wrong: str) -> float:
        c = self.counts
        return c["true positives"] / max(c["true positives"] + c[wrong], 1)

    @property
    def precision(self) -> float:
        """Share of the flagged briefs that had a planted error (1.0 when none was flagged)."""
        return self._true_share("false positives")

    @property
    def recall(self) -> float:
        """Share of the briefs with a planted error that were flagged (1.0 when none had one)."""
        return self._true_share("false negatives")

    def by_kind(self) -> pd.DataFrame:
        """Briefs and the share flagged, per kind (for "clean" that share is the false-alarm rate)."""
        g = self.cases.groupby("kind", sort=False)["flagged"]
        return pd.DataFrame(
            {"briefs": g.size(), "flagged": g.sum(), "flagged %": (100 * g.mean()).round(1)}
        )


def evaluate_checker(
    table: pd.DataFrame,
    n: int = 300,
    seed: int = 0,
    kinds: Sequence[str] = ERROR_KINDS,
    error_rate: float = 0.5,
) -> CheckerEvaluation:
    """Write ``n`` briefs, plant one error of a random kind in a share ``error_rate`` of them, and check all.

    Example:
        >>> from aigc_helpers.business.newsroom import make_quarterly_figures
        >>> ev = evaluate_checker(make_quarterly_figures(), n=40, kinds=CHECKABLE_ERRORS)
        >>> ev.precision, ev.recall
        (1.0, 1.0)

    Taught in: notebooks/11_newsroom.ipynb
    """
    n = check_int("n", n, minimum=1)
    error_rate = check_number("error_rate", error_rate, minimum=0, maximum=1)
    if isinstance(kinds, str) or not kinds or any(k not in ERROR_KINDS for k in kinds):
        raise ValueError(
            f"kinds must be a non-empty subset of {ERROR_KINDS}, got {kinds!r}. "
            "Fix: pass ERROR_KINDS, CHECKABLE_ERRORS or a few of their names."
        )
    rng = np.random.default_rng(seed)
    rows = []
    for j, b in enumerate(write_briefs(table, n, seed)):
        if rng.random() < error_rate:
            kind = kinds[int(rng.integers(len(kinds)))]
            b = inject_error(b, kind, seed=seed * 100_003 + j)
        else:
            kind = "clean"
        rows.append({"kind": kind, "flagged": not fact_check(b, table).passed, "brief": b})
    return CheckerEvaluation(pd.DataFrame(rows))
