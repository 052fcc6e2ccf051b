"""The automatic fact checker: reads a brief *as text* and verifies every number and direction word.

It never sees what the writer meant (``Brief.facts``): it finds each sentence's metric and comparison
period with the patterns of :mod:`.language`, works out which figure every number claims, and compares it
with the table (:mod:`.figures`).

Taught in: notebooks/11_newsroom.ipynb
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aigc_helpers.business.newsroom.figures import _pct, _Rows
from aigc_helpers.business.newsroom.language import (
    _NUMBER,
    _SENTENCE,
    _WORD,
    _directions,
    _metric_of,
    _period_of,
)
from aigc_helpers.business.newsroom.writer import Brief

_CLAIM_COLUMNS = ["sentence", "metric", "claim", "stated", "actual", "ok"]


@dataclass
class FactCheck:
    """The checker's verdict on one brief.

    Attributes:
        company, quarter: what the brief's first line says it is about.
        claims: one row per extracted claim: sentence, metric, claim (what kind of figure), stated,
            actual (from the table; NaN when it cannot be computed) and ok.
        problems: human-readable reasons the brief is flagged (empty when it passes).
        unchecked: sentences with no number and no direction word -- the checker cannot verify them.

    Example:
        >>> print(FactCheck("Acme", "2024-Q1", pd.DataFrame(), ["sentence 1: ..."], []))
        Acme | 2024-Q1: FLAGGED
          - sentence 1: ...

    Taught in: machinery behind fact_check (what it returns)
    """

    company: str | None
    quarter: str | None
    claims: pd.DataFrame
    problems: list[str]
    unchecked: list[str]

    @property
    def passed(self) -> bool:
        """True when every claim was verified and nothing was flagged."""
        return not self.problems

    def __str__(self) -> str:
        head = f"{self.company} | {self.quarter}: " + ("PASSED" if self.passed else "FLAGGED")
        lines = [head] + [f"  - {p}" for p in self.problems]
        lines += [f"  (not checkable: {s!r})" for s in self.unchecked]
        return "\n".join(lines)


def _claim(no: int, metric: str | None, claim: str, stated, actual) -> dict:
    if claim == "direction":
        ok = stated == actual
    else:
        ok = bool(np.isfinite(actual) and abs(stated - actual) < 0.05 + 1e-9)
    return {
        "sentence": no,
        "metric": metric,
        "claim": claim,
        "stated": stated,
        "actual": actual,
        "ok": ok,
    }


def _explain(c: dict, sentence: str) -> str:
    no, metric = c["sentence"], c["metric"]
    if c["claim"] == "unattributed":
        why = "names no figure of the table" if metric is None else "mixes several figures"
        return f"sentence {no} {why}: {sentence!r}"
    if c["claim"] == "direction":
        return f"sentence {no}: says {metric} went {c['stated']}, the table says {c['actual'] or 'nothing'}"
    shown = (
        "not in the table" if not np.isfinite(c["actual"]) else f"the table gives {c['actual']:g}"
    )
    return f"sentence {no}: {metric} {c['claim']} stated as {c['stated']:g}, {shown}"


def _check_sentence(
    no: int, sentence: str, value: Callable[[str, int], float]
) -> list[dict] | None:
    """The claims of one sentence, each verified; ``None`` when it has nothing checkable."""
    metric = _metric_of(sentence)
    back = _period_of(sentence)
    directions = _directions(sentence)
    numbers = list(_NUMBER.finditer(sentence))
    if not numbers and not directions:
        return None
    if metric in (None, "ambiguous"):
        return [_claim(no, metric, "unattributed", np.nan, np.nan)]
    now, before = value(metric, 0), value(metric, back)
    if metric == "margin":
        change = now - before
    else:  # a change in % is undefined when the earlier figure is zero or a loss
        change = _pct(now, before) if before > 0 else np.nan
    out = []
    previous_end = 0
    for mt in numbers:
        x = float(mt.group("value").replace(",", ""))
        unit = (mt.group("unit") or "").strip()
        # the words between the previous number and this one say whose figure it is
        between = {w.lower() for w in _WORD.findall(sentence[previous_end : mt.start()])}
        previous_end = mt.end()
        earlier = bool(between & {"from", "compared", "after", "versus"})
        level = "earlier level" if earlier else "level"
        # a change is signed by the nearest direction word before it (else the first after it)
        before_it = [d for pos, d in directions if pos < mt.start()]
        after_it = [d for pos, d in directions if pos > mt.start()]
        direction = before_it[-1] if before_it else (after_it[0] if after_it else None)
        sign = {"up": 1.0, "down": -1.0, "flat": 0.0, None: np.nan}[direction]
        if mt.group("dollar") and unit == "million":
            if metric == "margin":
                out.append(_claim(no, metric, "dollar amount for a percentage", x, np.nan))
            else:
                stated = -x if "loss" in between else x
                out.append(_claim(no, metric, level, stated, before if earlier else now))
        elif unit == "%" and metric == "margin":
            out.append(_claim(no, metric, level, x, before if earlier else now))
        elif unit == "%":
            kind = "change %" if back == 1 else "change % on a year"
            if np.isnan(sign):
                out.append(_claim(no, metric, "change % with no direction word", x, np.nan))
            else:
                out.append(_claim(no, metric, kind, sign * x, change))
        elif unit.startswith("percentage point"):
            if metric != "margin" or np.isnan(sign):
                out.append(_claim(no, metric, "percentage points", x, np.nan))
            else:
                out.append(_claim(no, metric, "change (pp)", sign * x, change))
        else:
            out.append(_claim(no, metric, f"bare number {mt.group(0).strip()}", x, np.nan))
    if directions:
        if not np.isfinite(change) and np.isfinite(now - before):
            change = now - before  # e.g. a loss that shrank: compare the levels
        actual = None
        if np.isfinite(change):
            actual = "flat" if abs(change) < 0.05 else ("up" if change > 0 else "down")
        for _, direction in directions:  # every direction word is a claim of its own
            out.append(_claim(no, metric, "direction", direction, actual))
    return out


def fact_check(text: str | Brief, table: pd.DataFrame) -> FactCheck:
    """Verify every number and direction word of a brief against the table.

    The checker sees only the text. For each sentence it finds the metric (revenue, net income / net loss /
    profit, operating margin), the comparison period ("a year earlier" = four quarters back, otherwise the
    previous quarter), the direction word and every number, and decides what each number claims:

    - ``$X million`` -- the metric's level this quarter, or the earlier one after "from", "compared with" or
      "after"; "net loss of $X million" means -X;
    - ``X%`` -- for the operating margin, its level (previous level after "from"); otherwise the
      percentage change, signed by the direction word;
    - ``X percentage points`` -- the change of the operating margin, signed by the direction word.

    A claim passes when it equals the table's figure at the brief's precision (0.05). The brief is flagged
    when any claim fails, a number cannot be attributed to a figure of the table, a direction word
    contradicts the table, or the header names a company or quarter the table does not have. Sentences
    with neither numbers nor direction words are listed as ``unchecked``.

    Example:
        >>> from aigc_helpers.business.newsroom import make_quarterly_figures, write_brief
        >>> t = make_quarterly_figures()
        >>> fact_check(write_brief(t, "Fenwick Biotech", "2024-Q1"), t).passed
        True

    Taught in: notebooks/11_newsroom.ipynb
    """
    rows = _Rows(table)
    if isinstance(text, Brief):
        text = text.text
    if not isinstance(text, str):
        raise ValueError(
            "text must be a string (or a Brief) whose first line is 'Company | quarter'."
        )
    head, _, body = text.partition("\n")
    parts = [p.strip() for p in head.split("|")]
    empty = pd.DataFrame(columns=_CLAIM_COLUMNS)
    if len(parts) != 2:
        return FactCheck(None, None, empty, ["first line is not 'Company | quarter'"], [])
    company, quarter = parts
    if rows.get(company, quarter) is None:
        return FactCheck(
            company, quarter, empty, [f"the table has no {company!r} in {quarter!r}"], []
        )

    def value(metric: str, back: int) -> float:
        return rows.value(company, quarter, metric, back)

    claims: list[dict] = []
    problems: list[str] = []
    unchecked: list[str] = []
    for i, sentence in enumerate(s for s in _SENTENCE.split(body.strip()) if s):
        found = _check_sentence(i + 1, sentence, value)
        if found is None:
            unchecked.append(sentence)
            continue
        for claim in found:
            claims.append(claim)
            if not claim["ok"]:
                problems.append(_explain(claim, sentence))
    table_of_claims = pd.DataFrame(claims, columns=_CLAIM_COLUMNS) if claims else empty
    return FactCheck(company, quarter, table_of_claims, problems, unchecked)
