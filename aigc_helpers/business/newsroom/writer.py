"""Data-to-text: a template grammar with random wording turns one row of the table into a short brief.

Every number in a brief is computed from the table (:mod:`.figures`); the grammar only chooses the words
(from the vocabulary in :mod:`.language`), the word order and which comparisons to make.

Taught in: notebooks/11_newsroom.ipynb
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from aigc_helpers.business.newsroom.figures import _pct, _Rows
from aigc_helpers.business.newsroom.language import DOWN_WORDS, UP_WORDS
from aigc_helpers.checks import check_int


@dataclass
class Brief:
    """A generated brief: its text (first line "Company | quarter") and what the writer meant to say.

    ``facts`` lists the figures the writer used (for tests and teaching; the fact checker never reads it).
    ``injected`` describes a planted error, or is ``None`` for a clean brief.

    Example:
        >>> print(Brief("Acme", "2024-Q1", "Acme | 2024-Q1\\nRevenue was flat at $1.0 million."))
        Acme | 2024-Q1
        Revenue was flat at $1.0 million.

    Taught in: machinery behind write_brief and inject_error (what they return)
    """

    company: str
    quarter: str
    text: str
    facts: dict[str, float] = field(default_factory=dict)
    injected: str | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class _Phrase:
    """How one figure's change is said: a sentence for no change, or a template with drawn words.

    Templates may use {verb} (drawn from ``verbs``: up words, down words), {noun} (drawn from ``nouns``),
    {adv} ("up"/"down"), {plain} ("rose"/"fell"), {change} (the absolute change) and the caller's values.
    """

    flat: str
    templates: tuple[str, ...]
    verbs: tuple[Sequence[str], Sequence[str]]
    nouns: tuple[Sequence[str], Sequence[str]] | None = None

    def say(self, change: float, pick: Callable[[Sequence[str]], str], **values: str) -> str:
        if change == 0:
            return self.flat.format(**values)
        up = change > 0
        words = {"verb": pick(self.verbs[0] if up else self.verbs[1])}
        words |= {"adv": "up" if up else "down", "plain": "rose" if up else "fell"}
        if self.nouns:
            words["noun"] = pick(self.nouns[0] if up else self.nouns[1])
        return pick(self.templates).format(change=f"{abs(change):.1f}", **words, **values)


_REVENUE = _Phrase(
    "Revenue was flat at {now}.",
    (
        "{company} reported revenue of {now}, {adv} {change}% from the previous quarter.",
        "Revenue {verb} {change}% to {now} from {prev} a quarter earlier.",
        "Quarterly revenue {verb} to {now}, a {noun} of {change}% on the previous quarter.",
    ),
    verbs=(UP_WORDS[:4], DOWN_WORDS[:4]),
    nouns=(("gain", "rise"), ("decline", "drop")),
)
_NET_INCOME = _Phrase(
    "Net income was unchanged at {now}.",
    ("Net income {verb} to {now} from {prev}.", "Net income {verb} {change}% to {now}."),
    verbs=(UP_WORDS[:4], DOWN_WORDS[:4]),
)
_MARGIN = _Phrase(
    "The operating margin was unchanged at {now}%.",
    (
        "The operating margin {verb} to {now}% from {prev}%.",
        "Operating margin {plain} {change} percentage points to {now}%.",
        "Operating margin stood at {now}%, {adv} {change} percentage points from the previous quarter.",
    ),
    verbs=(("widened", "improved"), ("narrowed", "shrank")),
)


def _money(v: float) -> str:
    return f"${abs(v):,.1f} million"


def write_brief(
    table: pd.DataFrame, company: str, quarter: str, seed: int | np.random.Generator = 0
) -> Brief:
    """Write a short earnings brief for one company and quarter from the table (data-to-text).

    A template grammar with random choices (word order, synonyms, which comparisons to make) gives
    variation; every number is computed from the table: changes against the previous quarter and, when
    the table has it, the same quarter a year earlier. The first line is ``"{company} | {quarter}"``.

    Example:
        >>> from aigc_helpers.business.newsroom.figures import make_quarterly_figures
        >>> t = make_quarterly_figures()
        >>> b = write_brief(t, "Glenarm Telecom", "2024-Q2", seed=3)
        >>> b.text.splitlines()[0]
        'Glenarm Telecom | 2024-Q2'

    Taught in: notebooks/11_newsroom.ipynb
    """
    rows = _Rows(table)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    now = rows.get(company, quarter)
    if now is None:
        raise ValueError(
            f"No row for {company!r} in {quarter!r}. Fix: pick a company and quarter from the table."
        )
    prev = rows.get(company, quarter, back=1)
    if prev is None:
        raise ValueError(
            f"{quarter!r} is the first quarter of {company!r} in the table; a brief compares with the "
            "previous quarter. Fix: pick a later quarter."
        )
    year = rows.get(company, quarter, back=4)

    def pick(options: Sequence[str]) -> str:
        return options[int(rng.integers(len(options)))]

    r, rp = float(now["revenue_musd"]), float(prev["revenue_musd"])
    ni, nip = float(now["net_income_musd"]), float(prev["net_income_musd"])
    m, mp = float(now["operating_margin_pct"]), float(prev["operating_margin_pct"])
    facts = {"revenue": r, "revenue_prev": rp, "net_income": ni, "net_income_prev": nip}
    facts |= {"margin": m, "margin_prev": mp}

    facts["revenue_change_pct"] = d = _pct(r, rp)
    sentences = [_REVENUE.say(d, pick, company=company, now=_money(r), prev=_money(rp))]

    if ni >= 0 and nip > 0:
        facts["net_income_change_pct"] = dn = _pct(ni, nip)
        inc = _NET_INCOME.say(dn, pick, now=_money(ni), prev=_money(nip))
    elif ni < 0:
        before = f"net income of {_money(nip)}" if nip >= 0 else f"a net loss of {_money(nip)}"
        inc = f"The company posted a net loss of {_money(ni)}, compared with {before} in the previous quarter."
    else:
        inc = f"Net income was {_money(ni)}, after a net loss of {_money(nip)} in the previous quarter."

    facts["margin_change_pp"] = dm = round(m - mp, 1)
    mar = _MARGIN.say(dm, pick, now=f"{m:.1f}", prev=f"{mp:.1f}")
    rest = [inc, mar]
    if rng.random() < 0.5:
        rest.reverse()
    sentences += rest

    # year on year, when the table reaches back that far (half of the time)
    if year is not None and rng.random() < 0.5:
        facts["revenue_change_yoy_pct"] = y = _pct(r, float(year["revenue_musd"]))
        if y == 0:
            sentences.append("Compared with a year earlier, revenue was flat.")
        else:
            sentences.append(
                f"Compared with a year earlier, revenue was {'up' if y > 0 else 'down'} {abs(y):.1f}%."
            )
    return Brief(company, quarter, f"{company} | {quarter}\n" + " ".join(sentences), facts)


def write_briefs(table: pd.DataFrame, n: int = 100, seed: int = 0) -> list[Brief]:
    """``n`` briefs for random (company, quarter) pairs that have a previous quarter in the table.

    Example:
        >>> from aigc_helpers.business.newsroom.figures import make_quarterly_figures
        >>> len(write_briefs(make_quarterly_figures(), n=5))
        5

    Taught in: notebooks/11_newsroom.ipynb
    """
    rows = _Rows(table)
    n = check_int("n", n, minimum=1)
    rng = np.random.default_rng(seed)
    pairs = [
        (c, q)
        for c, q in zip(table["company"], table["quarter"], strict=True)
        if rows.get(c, q, back=1) is not None
    ]
    if not pairs:
        raise ValueError("The table has no company with two consecutive quarters.")
    picks = rng.integers(len(pairs), size=n)
    return [write_brief(table, *pairs[i], seed=rng) for i in picks]
