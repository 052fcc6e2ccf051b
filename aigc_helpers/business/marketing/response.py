"""The response model: the simulation's hidden truth about how likely a customer is to click a creative.

An assumption made for the mock-up, written down in :func:`click_probabilities` and its constants; the
experiment's policies never see it, they only see the clicks it produces.

Taught in: machinery behind business.marketing.generate_creatives and simulate_experiment (notebook 10)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aigc_helpers.business.marketing.customers import N_DESIGNS, _check_customers
from aigc_helpers.checks import check_int

FAVORITE_BOOST = 1.2  # log-odds added when a creative shows the customer's favourite design
BOLD_EFFECT = 0.6  # log-odds per sd of boldness: + if the customer likes bold, - if not
BOLDNESS_MEAN = 0.13  # mean ink coverage of MNIST digits drawn by the shipped conditional VAE
BOLDNESS_SD = 0.04  # and its spread (measured on 1,000 draws; exact values only shift the scale)


def _logit(p):
    p = np.asarray(p, dtype=float)
    return np.log(p) - np.log1p(-p)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def click_probabilities(customers: pd.DataFrame, design: int, bold: float) -> np.ndarray:
    """The response model: each customer's probability of clicking one creative.

    logit p = logit(base_ctr) + FAVORITE_BOOST * [design == favorite_design]
              + BOLD_EFFECT * (+1 if likes_bold else -1) * (bold - BOLDNESS_MEAN) / BOLDNESS_SD

    This is the simulation's hidden truth -- an assumption made for the mock-up, not a measured fact.

    Example:
        >>> from aigc_helpers.business.marketing import make_customers
        >>> df = make_customers(100)
        >>> p = click_probabilities(df, design=3, bold=BOLDNESS_MEAN)
        >>> bool(np.all(p >= df["base_ctr"].to_numpy() - 1e-12) )
        True

    Taught in: machinery behind business.marketing.generate_creatives (notebook 10)
    """
    _check_customers(customers)
    design = check_int("design", design, minimum=0, maximum=N_DESIGNS - 1)
    base = np.clip(customers["base_ctr"].to_numpy(float), 1e-6, 1 - 1e-6)
    fav = (customers["favorite_design"].to_numpy() == design).astype(float)
    sign = np.where(customers["likes_bold"].to_numpy(bool), 1.0, -1.0)
    z = (float(bold) - BOLDNESS_MEAN) / BOLDNESS_SD
    return _sigmoid(_logit(base) + FAVORITE_BOOST * fav + BOLD_EFFECT * sign * z)
