"""Newsroom mock-up: quarterly figures, an earnings-brief writer and an automatic fact checker.

Everything here is a **mock-up**: the companies are invented (:data:`COMPANIES`), their figures are drawn
by :func:`make_quarterly_figures` from the distributions it documents, and every figure a notebook shows
comes from running this code.

The pieces, in the order notebook 11 uses them:

1. :func:`make_quarterly_figures` -- a seeded table: revenue, net income and operating margin per company
   and quarter.
2. :func:`write_brief` -- data-to-text: a small template grammar with random wording turns one row (and the
   quarter before it) into a short brief. Every number in it is computed from the table.
3. :func:`fact_check` -- reads a brief *as text*, extracts every number and every direction word
   (rose / fell / widened ...), works out which figure each one claims, and verifies it against the table.
4. :func:`inject_error` and :func:`evaluate_checker` -- plant known errors and measure the checker's
   precision and recall.
5. :class:`CharNGram` -- a tiny character-level language model trained on briefs: fluent text, invented
   numbers, which the fact checker catches.

Taught in: notebooks/11_newsroom.ipynb
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------- the table

COMPANIES: tuple[tuple[str, str], ...] = (
    ("Aldergrove Foods", "consumer"),
    ("Brightwater Energy", "energy"),
    ("Cobalt Ridge Software", "software"),
    ("Dunmore Logistics", "industrial"),
    ("Eastholm Retail", "consumer"),
    ("Fenwick Biotech", "health"),
    ("Glenarm Telecom", "telecom"),
    ("Harrowgate Materials", "industrial"),
)
"""Invented company names and their sectors (any likeness to a real firm is a coincidence)."""

SECTORS: dict[str, dict[str, float]] = {
    # revenue0: median first-quarter revenue in $ million (log-normal, sigma 0.5)
    # growth, growth_sd: mean and sd of the quarter-on-quarter log growth of revenue
    # margin, margin_sd: long-run mean of the operating margin (%) and its quarterly noise (pp)
    # drag: mean of (operating margin - net margin), pp (interest, tax, one-offs; sd 2.5 pp)
    "consumer": {
        "revenue0": 800,
        "growth": 0.010,
        "growth_sd": 0.05,
        "margin": 9,
        "margin_sd": 1.5,
        "drag": 3,
    },
    "energy": {
        "revenue0": 1500,
        "growth": 0.000,
        "growth_sd": 0.10,
        "margin": 12,
        "margin_sd": 3.0,
        "drag": 4,
    },
    "software": {
        "revenue0": 300,
        "growth": 0.040,
        "growth_sd": 0.04,
        "margin": 18,
        "margin_sd": 2.5,
        "drag": 4,
    },
    "industrial": {
        "revenue0": 600,
        "growth": 0.010,
        "growth_sd": 0.06,
        "margin": 8,
        "margin_sd": 2.0,
        "drag": 3,
    },
    "health": {
        "revenue0": 150,
        "growth": 0.030,
        "growth_sd": 0.08,
        "margin": 2,
        "margin_sd": 4.0,
        "drag": 5,
    },
    "telecom": {
        "revenue0": 1000,
        "growth": 0.005,
        "growth_sd": 0.02,
        "margin": 15,
        "margin_sd": 1.0,
        "drag": 5,
    },
}
"""The documented distributions behind each sector's figures (see :func:`make_quarterly_figures`)."""

TABLE_COLUMNS: tuple[str, ...] = (
    "company",
    "sector",
    "quarter",
    "revenue_musd",
    "net_income_musd",
    "operating_margin_pct",
)
METRICS: tuple[str, ...] = ("revenue_musd", "net_income_musd", "operating_margin_pct")


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def quarter_names(first_year: int = 2023, n_quarters: int = 8) -> list[str]:
    """Quarter labels "YYYY-Qn" starting in the first quarter of ``first_year``.

    Example:
        >>> quarter_names(2023, 5)
        ['2023-Q1', '2023-Q2', '2023-Q3', '2023-Q4', '2024-Q1']

    Taught in: notebooks/11_newsroom.ipynb
    """
    n_quarters = _check_int("n_quarters", n_quarters, 1)
    return [f"{first_year + i // 4}-Q{i % 4 + 1}" for i in range(n_quarters)]


def make_quarterly_figures(
    n_companies: int = 8, n_quarters: int = 8, seed: int = 0, first_year: int = 2023
) -> pd.DataFrame:
    """A synthetic table of quarterly results for the invented :data:`COMPANIES`.

    For each company (sector parameters in :data:`SECTORS`):

    - first-quarter revenue ~ LogNormal(log revenue0, 0.5); then each quarter
      revenue *= exp(Normal(growth, growth_sd));
    - operating margin (%) starts at Normal(margin, margin_sd) and follows
      m_t = margin + 0.6 (m_{t-1} - margin) + Normal(0, margin_sd);
    - net margin = operating margin - Normal(drag, 2.5); net income = revenue x net margin / 100
      (negative values are net losses);
    - all figures are rounded to one decimal: the table, not the unrounded draw, is the truth.

    Columns: company, sector, quarter ("2023-Q1" ...), revenue_musd, net_income_musd,
    operating_margin_pct.

    Example:
        >>> t = make_quarterly_figures(2, 4, seed=1)
        >>> t.shape, t["quarter"].iloc[-1]
        ((8, 6), '2023-Q4')

    Taught in: notebooks/11_newsroom.ipynb
    """
    n_companies = _check_int("n_companies", n_companies, 1)
    n_quarters = _check_int("n_quarters", n_quarters, 2)
    seed = _check_int("seed", seed, 0)
    if n_companies > len(COMPANIES):
        raise ValueError(
            f"n_companies can be at most {len(COMPANIES)} (the invented COMPANIES), got {n_companies}."
        )
    rng = np.random.default_rng(seed)
    quarters = quarter_names(first_year, n_quarters)
    rows = []
    for name, sector in COMPANIES[:n_companies]:
        s = SECTORS[sector]
        revenue = float(np.exp(np.log(s["revenue0"]) + 0.5 * rng.standard_normal()))
        margin = float(rng.normal(s["margin"], s["margin_sd"]))
        for t, q in enumerate(quarters):
            if t:
                revenue *= float(np.exp(rng.normal(s["growth"], s["growth_sd"])))
                margin = (
                    s["margin"]
                    + 0.6 * (margin - s["margin"])
                    + float(rng.normal(0, s["margin_sd"]))
                )
            net_margin = margin - float(rng.normal(s["drag"], 2.5))
            rows.append(
                {
                    "company": name,
                    "sector": sector,
                    "quarter": q,
                    "revenue_musd": round(revenue, 1),
                    "net_income_musd": round(revenue * net_margin / 100, 1),
                    "operating_margin_pct": round(margin, 1),
                }
            )
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def save_quarterly_figures(path: str | Path, seed: int = 0) -> Path:
    """Write :func:`make_quarterly_figures` (default sizes, ``seed``) to a CSV file and return its path.

    The repository's ``data/quarterly_figures.csv`` is exactly ``save_quarterly_figures(
    "data/quarterly_figures.csv")``; a test checks that the committed file still equals the generator's
    output.

    Example:
        >>> import tempfile, os
        >>> p = save_quarterly_figures(os.path.join(tempfile.mkdtemp(), "q.csv"))
        >>> pd.read_csv(p).equals(make_quarterly_figures())
        True

    Taught in: notebooks/11_newsroom.ipynb
    """
    path = Path(path)
    make_quarterly_figures(seed=seed).to_csv(path, index=False, lineterminator="\n")
    return path


def _check_table(table: pd.DataFrame) -> None:
    if not isinstance(table, pd.DataFrame):
        raise ValueError("table must be a pandas DataFrame from make_quarterly_figures().")
    missing = [c for c in TABLE_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            f"table lacks the columns {missing}. Fix: build it with make_quarterly_figures()."
        )


def _lookup(table: pd.DataFrame) -> dict[tuple[str, str], dict]:
    """(company, quarter) -> that row as a dict; built once per call, so look-ups are cheap."""
    columns = [table[c].tolist() for c in TABLE_COLUMNS]
    records = [
        dict(zip(TABLE_COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)
    ]
    return {(r["company"], r["quarter"]): r for r in records}


def _row(rows: dict, company: str, quarter: str) -> dict | None:
    return rows.get((company, quarter))


def _shift_quarter(quarter: str, back: int) -> str:
    m = re.fullmatch(r"(\d{4})-Q([1-4])", quarter)
    if not m:
        raise ValueError(f"quarter must look like '2024-Q3', got {quarter!r}.")
    i = int(m.group(1)) * 4 + int(m.group(2)) - 1 - back
    return f"{i // 4}-Q{i % 4 + 1}"


# --------------------------------------------------------------------------- the writer

UP_WORDS = ("rose", "climbed", "grew", "increased", "up", "gain", "rise", "widened", "improved")
DOWN_WORDS = (
    "fell",
    "declined",
    "dropped",
    "slipped",
    "down",
    "decline",
    "drop",
    "narrowed",
    "shrank",
)
FLAT_WORDS = ("flat", "unchanged")
OPPOSITE = dict(zip(UP_WORDS, DOWN_WORDS, strict=True)) | dict(
    zip(DOWN_WORDS, UP_WORDS, strict=True)
)


@dataclass
class Brief:
    """A generated brief: its text (first line "Company | quarter") and what the writer meant to say.

    ``facts`` lists the figures the writer used (for tests and teaching; the fact checker never reads it).
    ``injected`` describes a planted error, or is ``None`` for a clean brief.

    Taught in: notebooks/11_newsroom.ipynb
    """

    company: str
    quarter: str
    text: str
    facts: dict[str, float] = field(default_factory=dict)
    injected: str | None = None

    def __str__(self) -> str:
        return self.text


def _money(v: float) -> str:
    return f"${abs(v):,.1f} million"


def _pct(a: float, b: float) -> float:
    return round(100.0 * (a - b) / abs(b), 1)


def write_brief(
    table: pd.DataFrame, company: str, quarter: str, seed: int | np.random.Generator = 0
) -> Brief:
    """Write a short earnings brief for one company and quarter from the table (data-to-text).

    A template grammar with random choices (word order, synonyms, which comparisons to make) gives
    variation; every number is computed from the table: changes against the previous quarter and, when
    the table has it, the same quarter a year earlier. The first line is ``"{company} | {quarter}"``.

    Example:
        >>> t = make_quarterly_figures()
        >>> b = write_brief(t, "Glenarm Telecom", "2024-Q2", seed=3)
        >>> b.text.splitlines()[0]
        'Glenarm Telecom | 2024-Q2'

    Taught in: notebooks/11_newsroom.ipynb
    """
    _check_table(table)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    rows = _lookup(table)
    now = _row(rows, company, quarter)
    if now is None:
        raise ValueError(
            f"No row for {company!r} in {quarter!r}. Fix: pick a company and quarter from the table."
        )
    prev = _row(rows, company, _shift_quarter(quarter, 1))
    if prev is None:
        raise ValueError(
            f"{quarter!r} is the first quarter of {company!r} in the table; a brief compares with the "
            "previous quarter. Fix: pick a later quarter."
        )
    year = _row(rows, company, _shift_quarter(quarter, 4))

    def pick(options: Sequence[str]) -> str:
        return options[int(rng.integers(len(options)))]

    r, rp = float(now["revenue_musd"]), float(prev["revenue_musd"])
    ni, nip = float(now["net_income_musd"]), float(prev["net_income_musd"])
    m, mp = float(now["operating_margin_pct"]), float(prev["operating_margin_pct"])
    facts = {"revenue": r, "revenue_prev": rp, "net_income": ni, "net_income_prev": nip}
    facts |= {"margin": m, "margin_prev": mp}

    # revenue
    d = _pct(r, rp)
    facts["revenue_change_pct"] = d
    if d == 0:
        rev = f"Revenue was flat at {_money(r)}."
    else:
        verb = pick(UP_WORDS[:4] if d > 0 else DOWN_WORDS[:4])
        adv = "up" if d > 0 else "down"
        noun = pick(("gain", "rise") if d > 0 else ("decline", "drop"))
        rev = pick(
            (
                f"{company} reported revenue of {_money(r)}, {adv} {abs(d):.1f}% from the previous quarter.",
                f"Revenue {verb} {abs(d):.1f}% to {_money(r)} from {_money(rp)} a quarter earlier.",
                f"Quarterly revenue {verb} to {_money(r)}, a {noun} of {abs(d):.1f}% on the previous quarter.",
            )
        )
    sentences = [rev]

    # net income
    if ni >= 0 and nip > 0:
        dn = _pct(ni, nip)
        facts["net_income_change_pct"] = dn
        if dn == 0:
            inc = f"Net income was unchanged at {_money(ni)}."
        else:
            verb = pick(UP_WORDS[:4] if dn > 0 else DOWN_WORDS[:4])
            inc = pick(
                (
                    f"Net income {verb} to {_money(ni)} from {_money(nip)}.",
                    f"Net income {verb} {abs(dn):.1f}% to {_money(ni)}.",
                )
            )
    elif ni < 0:
        before = f"net income of {_money(nip)}" if nip >= 0 else f"a net loss of {_money(nip)}"
        inc = f"The company posted a net loss of {_money(ni)}, compared with {before} in the previous quarter."
    else:
        inc = f"Net income was {_money(ni)}, after a net loss of {_money(nip)} in the previous quarter."

    # operating margin
    dm = round(m - mp, 1)
    facts["margin_change_pp"] = dm
    if dm == 0:
        mar = f"The operating margin was unchanged at {m:.1f}%."
    else:
        verb = pick(("widened", "improved") if dm > 0 else ("narrowed", "shrank"))
        plain = "rose" if dm > 0 else "fell"
        adv = "up" if dm > 0 else "down"
        mar = pick(
            (
                f"The operating margin {verb} to {m:.1f}% from {mp:.1f}%.",
                f"Operating margin {plain} {abs(dm):.1f} percentage points to {m:.1f}%.",
                f"Operating margin stood at {m:.1f}%, {adv} {abs(dm):.1f} percentage points from the previous quarter.",
            )
        )
    rest = [inc, mar]
    if rng.random() < 0.5:
        rest.reverse()
    sentences += rest

    # year on year, when the table reaches back that far (half of the time)
    if year is not None and rng.random() < 0.5:
        y = _pct(r, float(year["revenue_musd"]))
        facts["revenue_change_yoy_pct"] = y
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
        >>> len(write_briefs(make_quarterly_figures(), n=5))
        5

    Taught in: notebooks/11_newsroom.ipynb
    """
    _check_table(table)
    n = _check_int("n", n, 1)
    rng = np.random.default_rng(seed)
    lookup = _lookup(table)
    pairs = [
        (c, q)
        for c, q in zip(table["company"], table["quarter"], strict=True)
        if _row(lookup, c, _shift_quarter(q, 1)) is not None
    ]
    if not pairs:
        raise ValueError("The table has no company with two consecutive quarters.")
    picks = rng.integers(len(pairs), size=n)
    return [write_brief(table, *pairs[i], seed=rng) for i in picks]


# --------------------------------------------------------------------------- the fact checker

_NUMBER = re.compile(
    r"(?P<dollar>\$)?(?P<value>-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?))"
    r"(?P<unit>\s*(?:million|%|percentage points?))?"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z]+")


@dataclass
class FactCheck:
    """The checker's verdict on one brief.

    Attributes:
        company, quarter: what the brief's first line says it is about.
        claims: one row per extracted claim: sentence, metric, claim (what kind of figure), stated,
            actual (from the table; NaN when it cannot be computed) and ok.
        problems: human-readable reasons the brief is flagged (empty when it passes).
        unchecked: sentences with no number and no direction word -- the checker cannot verify them.

    Taught in: notebooks/11_newsroom.ipynb
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


def _metric_of(sentence: str) -> str | None:
    s = sentence.lower()
    found = []
    for key, metric in (
        ("revenue", "revenue"),
        ("net income", "net_income"),
        ("net loss", "net_income"),
        ("profit", "net_income"),
        ("margin", "margin"),
    ):
        if key in s and metric not in found:
            found.append(metric)
    return found[0] if len(found) == 1 else ("ambiguous" if found else None)


def _directions(sentence: str) -> list[tuple[int, str]]:
    """(position, "up" | "down" | "flat") for every direction word of a sentence."""
    out = []
    for m in _WORD.finditer(sentence):
        w = m.group(0).lower()
        if w in UP_WORDS:
            out.append((m.start(), "up"))
        elif w in DOWN_WORDS:
            out.append((m.start(), "down"))
        elif w in FLAT_WORDS:
            out.append((m.start(), "flat"))
    return out


def _period_of(sentence: str) -> int:
    s = sentence.lower()
    return 4 if ("year earlier" in s or "year ago" in s or "year on year" in s) else 1


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


def _check_sentence(no: int, sentence: str, value) -> list[dict] | None:
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
                level = "earlier level" if earlier else "level"
                out.append(_claim(no, metric, level, stated, before if earlier else now))
        elif unit == "%" and metric == "margin":
            level = "earlier level" if earlier else "level"
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
        >>> t = make_quarterly_figures()
        >>> fact_check(write_brief(t, "Fenwick Biotech", "2024-Q1"), t).passed
        True

    Taught in: notebooks/11_newsroom.ipynb
    """
    _check_table(table)
    if isinstance(text, Brief):
        text = text.text
    if not isinstance(text, str):
        raise ValueError(
            "text must be a string (or a Brief) whose first line is 'Company | quarter'."
        )
    head, _, body = text.partition("\n")
    parts = [p.strip() for p in head.split("|")]
    problems: list[str] = []
    rows: list[dict] = []
    unchecked: list[str] = []
    empty = pd.DataFrame(columns=["sentence", "metric", "claim", "stated", "actual", "ok"])
    if len(parts) != 2:
        return FactCheck(None, None, empty, ["first line is not 'Company | quarter'"], [])
    company, quarter = parts
    lookup = _lookup(table)
    if _row(lookup, company, quarter) is None:
        return FactCheck(
            company, quarter, empty, [f"the table has no {company!r} in {quarter!r}"], []
        )

    def value(metric: str, back: int) -> float:
        try:
            q = _shift_quarter(quarter, back)
        except ValueError:
            return float("nan")
        row = _row(lookup, company, q)
        if row is None:
            return float("nan")
        col = {
            "revenue": "revenue_musd",
            "net_income": "net_income_musd",
            "margin": "operating_margin_pct",
        }
        return float(row[col[metric]])

    for i, sentence in enumerate(s for s in _SENTENCE.split(body.strip()) if s):
        found = _check_sentence(i + 1, sentence, value)
        if found is None:
            unchecked.append(sentence)
            continue
        for claim in found:
            rows.append(claim)
            if not claim["ok"]:
                problems.append(_explain(claim, sentence))
    claims = pd.DataFrame(rows, columns=empty.columns) if rows else empty
    return FactCheck(company, quarter, claims, problems, unchecked)


# --------------------------------------------------------------------------- planted errors

ERROR_KINDS: tuple[str, ...] = (
    "number",
    "direction",
    "metric",
    "period",
    "invented_figure",
    "invented_context",
)
"""Kinds of planted errors. The first five are checkable against the table; ``invented_context`` (a claim
with no number and no direction, e.g. about analysts' expectations) is beyond what the table can verify."""
CHECKABLE_ERRORS: tuple[str, ...] = ERROR_KINDS[:5]

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
        >>> t = make_quarterly_figures()
        >>> bad = inject_error(write_brief(t, "Dunmore Logistics", "2023-Q3"), "direction", seed=1)
        >>> bad.injected.startswith("direction")
        True

    Taught in: notebooks/11_newsroom.ipynb
    """
    if kind not in ERROR_KINDS:
        raise ValueError(f"Unknown error kind {kind!r}; choose from {', '.join(ERROR_KINDS)}.")
    rng = np.random.default_rng(seed)
    head, _, body = brief.text.partition("\n")

    def done(new_body: str, what: str) -> Brief:
        return Brief(brief.company, brief.quarter, f"{head}\n{new_body}", dict(brief.facts), what)

    if kind == "direction":
        hits = [m for m in re.finditer(r"[A-Za-z]+", body) if m.group(0).lower() in OPPOSITE]
        if hits:
            m = hits[int(rng.integers(len(hits)))]
            w = m.group(0)
            new = OPPOSITE[w.lower()]
            new = new.capitalize() if w[0].isupper() else new
            return done(body[: m.start()] + new + body[m.end() :], f"direction: {w!r} -> {new!r}")
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
            swap = {
                "revenue": "net income",
                "Revenue": "Net income",
                "net income": "revenue",
                "Net income": "Revenue",
            }
            s2 = re.sub(r"[Rr]evenue|[Nn]et income", lambda m: swap[m.group(0)], s)
            sentences[j] = s2
            return done(" ".join(sentences), f"metric: {s!r} -> {s2!r}")
    if kind == "period":
        pattern = r"the previous quarter|a quarter earlier"
        if re.search(pattern, body):
            return done(
                re.sub(pattern, "a year earlier", body, count=1),
                "period: compared with a year earlier",
            )
    if kind == "invented_figure":
        tmpl = _INVENTED_FIGURES[int(rng.integers(len(_INVENTED_FIGURES)))]
        s = tmpl.format(x=float(rng.uniform(1, 12)), n=int(rng.integers(20, 400)))
        return done(f"{body} {s}", f"invented_figure: {s!r}")
    if kind == "invented_context":
        s = _INVENTED_CONTEXT[int(rng.integers(len(_INVENTED_CONTEXT)))]
        return done(f"{body} {s}", f"invented_context: {s!r}")
    # number (also the fallback)
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
    prefix = "" if kind == "number" else f"{kind} (no place for it), planted "
    return done(body[:start] + text + body[end:], f"{prefix}number: {m.group('value')} -> {text}")


@dataclass
class CheckerEvaluation:
    """Precision and recall of the fact checker on briefs with known planted errors.

    ``cases`` has one row per brief: kind ("clean" or the planted kind), flagged (bool) and the brief.

    Taught in: notebooks/11_newsroom.ipynb
    """

    cases: pd.DataFrame

    @property
    def counts(self) -> dict[str, int]:
        bad = self.cases["kind"] != "clean"
        flagged = self.cases["flagged"]
        return {
            "true positives": int((bad & flagged).sum()),
            "false positives": int((~bad & flagged).sum()),
            "false negatives": int((bad & ~flagged).sum()),
            "true negatives": int((~bad & ~flagged).sum()),
        }

    @property
    def precision(self) -> float:
        c = self.counts
        return c["true positives"] / max(c["true positives"] + c["false positives"], 1)

    @property
    def recall(self) -> float:
        c = self.counts
        return c["true positives"] / max(c["true positives"] + c["false negatives"], 1)

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
        >>> ev = evaluate_checker(make_quarterly_figures(), n=40, kinds=CHECKABLE_ERRORS)
        >>> ev.precision, ev.recall
        (1.0, 1.0)

    Taught in: notebooks/11_newsroom.ipynb
    """
    n = _check_int("n", n, 1)
    if not 0 <= error_rate <= 1:
        raise ValueError(f"error_rate must be in [0, 1], got {error_rate!r}.")
    bad = [k for k in kinds if k not in ERROR_KINDS]
    if bad or not kinds:
        raise ValueError(f"kinds must be a non-empty subset of {ERROR_KINDS}, got {list(kinds)!r}.")
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


# --------------------------------------------------------------------------- a tiny language model

_END = "\x03"  # end-of-text marker


class CharNGram:
    """A character-level n-gram language model: P(next char | previous ``order`` chars), with back-off.

    Trained by counting; sampling backs off to shorter contexts when a context was never seen. Cheap (a
    second for a few hundred kilobytes of text) and fluent on repetitive text such as briefs -- but it
    knows nothing about the table, so its numbers are copies of numbers it has seen.

    Example:
        >>> lm = CharNGram(order=4).fit(["abcabcabc"] * 3)
        >>> lm.sample(seed=0, max_chars=6)
        'abcabc'

    Taught in: notebooks/11_newsroom.ipynb
    """

    def __init__(self, order: int = 8):
        self.order = _check_int("order", order, 1)
        self.counts: dict[str, Counter] = defaultdict(Counter)

    def fit(self, texts: Sequence[str]) -> CharNGram:
        """Count every (context, next character) pair in ``texts``, for context lengths 0..order."""
        if isinstance(texts, str) or not texts:
            raise ValueError("texts must be a non-empty list of strings.")
        for t in texts:
            s = "\x02" * self.order + str(t) + _END
            for i in range(self.order, len(s)):
                for k in range(self.order + 1):
                    self.counts[s[i - k : i]][s[i]] += 1
        return self

    def sample(self, seed: int = 0, max_chars: int = 600, prompt: str = "") -> str:
        """Generate text, starting from ``prompt``, until the end marker or ``max_chars`` characters."""
        if not self.counts:
            raise ValueError("The model has not been trained. Fix: call fit(texts) first.")
        rng = np.random.default_rng(seed)
        out = "\x02" * self.order + prompt
        for _ in range(max_chars):
            ctx = out[len(out) - self.order :]
            while ctx not in self.counts:
                ctx = ctx[1:]
            chars, freq = zip(*self.counts[ctx].items(), strict=True)
            p = np.asarray(freq, dtype=float)
            c = chars[int(rng.choice(len(chars), p=p / p.sum()))]
            if c == _END:
                break
            out += c
        return out[self.order :]


__all__ = [
    "CHECKABLE_ERRORS",
    "COMPANIES",
    "CharNGram",
    "CheckerEvaluation",
    "Brief",
    "ERROR_KINDS",
    "FactCheck",
    "METRICS",
    "SECTORS",
    "TABLE_COLUMNS",
    "evaluate_checker",
    "fact_check",
    "inject_error",
    "make_quarterly_figures",
    "quarter_names",
    "save_quarterly_figures",
    "write_brief",
    "write_briefs",
]
