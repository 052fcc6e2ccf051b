"""A tiny character-level language model: fluent briefs with invented numbers, for the fact checker to catch.

Taught in: notebooks/11_newsroom.ipynb
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from aigc_helpers.checks import check_int

_START = "\x02"  # pads the context before the first character
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
        self.order = check_int("order", order, minimum=1)
        self.counts: dict[str, Counter] = defaultdict(Counter)

    def fit(self, texts: Sequence[str]) -> CharNGram:
        """Count every (context, next character) pair in ``texts``, for context lengths 0..order."""
        if isinstance(texts, str) or not texts:
            raise ValueError("texts must be a non-empty list of strings.")
        for t in texts:
            s = _START * self.order + str(t) + _END
            for i in range(self.order, len(s)):
                for k in range(self.order + 1):
                    self.counts[s[i - k : i]][s[i]] += 1
        return self

    def sample(self, seed: int = 0, max_chars: int = 600, prompt: str = "") -> str:
        """Generate text, starting from ``prompt``, until the end marker or ``max_chars`` characters."""
        if not self.counts:
            raise ValueError("The model has not been trained. Fix: call fit(texts) first.")
        rng = np.random.default_rng(seed)
        out = _START * self.order + prompt
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
