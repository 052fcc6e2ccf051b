"""The language of the briefs: the direction words and the patterns that find numbers, sentences and metrics.

One vocabulary serves three readers: :mod:`.writer` writes with these words, :mod:`.factcheck` reads
briefs with these patterns, and :mod:`.errors` plants errors by swapping the same words.

Taught in: machinery behind write_brief, fact_check and inject_error (notebooks/11_newsroom.ipynb)
"""

from __future__ import annotations

import re

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

_NUMBER = re.compile(
    r"(?P<dollar>\$)?(?P<value>-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?))"
    r"(?P<unit>\s*(?:million|%|percentage points?))?"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z]+")


def _metric_of(sentence: str) -> str | None:
    """The metric a sentence names: "revenue", "net_income", "margin", "ambiguous" (several) or None."""
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
    """How many quarters back the sentence compares: 4 for "a year earlier" and the like, else 1."""
    s = sentence.lower()
    return 4 if ("year earlier" in s or "year ago" in s or "year on year" in s) else 1
