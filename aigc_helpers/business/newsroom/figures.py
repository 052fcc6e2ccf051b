"""The newsroom's source of truth: a seeded table of quarterly results for invented companies.

Holds the companies and the documented distributions of their figures (:data:`COMPANIES`,
:data:`SECTORS`), the generator :func:`make_quarterly_figures` and its CSV writer, and the row look-up
that the writer and the fact checker share.

Taught in: notebooks/11_newsroom.ipynb
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from aigc_helpers.checks import check_columns, check_int

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

# the metric names that briefs talk about -> their columns in the table
_COLUMN_OF = {
    "revenue": "revenue_musd",
    "net_income": "net_income_musd",
    "margin": "operating_margin_pct",
}


def quarter_names(first_year: int = 2023, n_quarters: int = 8) -> list[str]:
    """Quarter labels "YYYY-Qn" starting in the first quarter of ``first_year``.

    Example:
        >>> quarter_names(2023, 5)
        ['2023-Q1', '2023-Q2', '2023-Q3', '2023-Q4', '2024-Q1']

    Taught in: machinery behind make_quarterly_figures
    """
    n_quarters = check_int("n_quarters", n_quarters, minimum=1)
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
    n_companies = check_int(
        "n_companies",
        n_companies,
        minimum=1,
        maximum=len(COMPANIES),
        fix=f"there are {len(COMPANIES)} invented COMPANIES; ask for at most that many.",
    )
    n_quarters = check_int("n_quarters", n_quarters, minimum=2)
    seed = check_int("seed", seed, minimum=0)
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

    Taught in: machinery behind the repository's data/quarterly_figures.csv (no notebook calls it)
    """
    path = Path(path)
    make_quarterly_figures(seed=seed).to_csv(path, index=False, lineterminator="\n")
    return path


def _shift_quarter(quarter: str, back: int) -> str:
    """The label of the quarter ``back`` quarters before ``quarter`` ("2024-Q1", 1 -> "2023-Q4")."""
    m = re.fullmatch(r"(\d{4})-Q([1-4])", quarter)
    if not m:
        raise ValueError(f"quarter must look like '2024-Q3', got {quarter!r}.")
    i = int(m.group(1)) * 4 + int(m.group(2)) - 1 - back
    return f"{i // 4}-Q{i % 4 + 1}"


def _pct(a: float, b: float) -> float:
    """The change from ``b`` to ``a`` in percent, at the one-decimal precision briefs use."""
    return round(100.0 * (a - b) / abs(b), 1)


class _Rows:
    """A checked table, indexed once by (company, quarter) so that look-ups are cheap."""

    def __init__(self, table: pd.DataFrame) -> None:
        check_columns("table", table, TABLE_COLUMNS, fix="build it with make_quarterly_figures().")
        columns = [table[c].tolist() for c in TABLE_COLUMNS]
        records = [dict(zip(TABLE_COLUMNS, v, strict=True)) for v in zip(*columns, strict=True)]
        self._by_key = {(r["company"], r["quarter"]): r for r in records}

    def get(self, company: str, quarter: str, back: int = 0) -> dict | None:
        """The row of ``company`` ``back`` quarters before ``quarter``, or None when the table lacks it."""
        return self._by_key.get((company, _shift_quarter(quarter, back) if back else quarter))

    def value(self, company: str, quarter: str, metric: str, back: int = 0) -> float:
        """One figure ("revenue", "net_income" or "margin"); NaN when the table cannot give it."""
        try:
            row = self.get(company, quarter, back)
        except ValueError:  # a quarter label the arithmetic cannot shift
            return float("nan")
        return float("nan") if row is None else float(row[_COLUMN_OF[metric]])
