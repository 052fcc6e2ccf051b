"""Newsroom mock-up: quarterly figures, an earnings-brief writer and an automatic fact checker.

Everything here is a **mock-up**: the companies are invented (:data:`COMPANIES`), their figures are drawn
by :func:`make_quarterly_figures` from the distributions it documents, and every figure a notebook shows
comes from running this code.

One module per piece, in the order notebook 11 uses them (every public name is also available here, as
``newsroom.fact_check`` and so on):

1. ``figures`` -- :func:`make_quarterly_figures`, a seeded table: revenue, net income and operating margin
   per company and quarter.
2. ``writer`` -- :func:`write_brief`, data-to-text: a small template grammar with random wording turns one
   row (and the quarter before it) into a short brief. Every number in it is computed from the table.
3. ``factcheck`` -- :func:`fact_check` reads a brief *as text*, extracts every number and every direction
   word (rose / fell / widened ...), works out which figure each one claims, and verifies it.
4. ``errors`` -- :func:`inject_error` and :func:`evaluate_checker` plant known errors and measure the
   checker's precision and recall.
5. ``ngram`` -- :class:`CharNGram`, a tiny character-level language model trained on briefs: fluent text,
   invented numbers, which the fact checker catches.

``language`` holds the vocabulary the writer, the checker and the error planter share.

Taught in: notebooks/11_newsroom.ipynb
"""

from aigc_helpers.business.newsroom.errors import (
    CHECKABLE_ERRORS,
    ERROR_KINDS,
    CheckerEvaluation,
    evaluate_checker,
    inject_error,
)
from aigc_helpers.business.newsroom.factcheck import FactCheck, fact_check
from aigc_helpers.business.newsroom.figures import (
    COMPANIES,
    METRICS,
    SECTORS,
    TABLE_COLUMNS,
    make_quarterly_figures,
    quarter_names,
    save_quarterly_figures,
)
from aigc_helpers.business.newsroom.language import DOWN_WORDS as DOWN_WORDS
from aigc_helpers.business.newsroom.language import FLAT_WORDS as FLAT_WORDS
from aigc_helpers.business.newsroom.language import OPPOSITE as OPPOSITE
from aigc_helpers.business.newsroom.language import UP_WORDS as UP_WORDS
from aigc_helpers.business.newsroom.ngram import CharNGram
from aigc_helpers.business.newsroom.writer import Brief, write_brief, write_briefs

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
