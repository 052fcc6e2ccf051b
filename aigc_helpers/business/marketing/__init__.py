"""Marketing mock-up: synthetic customers, generated creatives and a simulated bandit experiment.

Everything here is a **mock-up**. The customers are drawn from the distributions documented in
:data:`SEGMENTS` and :func:`make_customers`; the "creatives" are MNIST digits drawn by the course's
conditional VAE (a digit's class stands in for a *design*, its ink coverage for how *bold* it is); the
customers' reactions come from the response model documented in :func:`click_probabilities`. No real
shop, campaign or customer is described, and every figure a notebook shows comes from running this code.

One module per piece, in the order notebook 10 uses them (every public name is also available here, as
``marketing.make_customers`` and so on):

1. ``customers`` -- :func:`make_customers`, a seeded customer table (segment, age, preferences,
   historical clicks), drawn from the documented :data:`SEGMENTS`.
2. ``creatives`` -- :func:`generate_creatives`: per segment, creative variants drawn from a conditional
   generator for the designs that segment likes, each with its measured boldness and its true
   click-through rate (CTR).
3. ``response`` -- :func:`click_probabilities`, the response model: the simulation's hidden truth.
4. ``experiment`` -- :func:`simulate_experiment`: Thompson sampling against a uniform A/B split on the
   same simulated visitors, repeated many times; :func:`uplift` turns the runs into an uplift with a
   confidence interval; :func:`run_campaign` and :func:`campaign_table` do it per segment.

Taught in: notebooks/10_marketing.ipynb
"""

from aigc_helpers.business.marketing.creatives import (
    Creatives,
    boldness,
    generate_creatives,
    segment_designs,
)
from aigc_helpers.business.marketing.customers import (
    CUSTOMER_COLUMNS,
    N_DESIGNS,
    SEGMENTS,
    Segment,
    load_customers,
    make_customers,
    save_customers,
    segment_summary,
)
from aigc_helpers.business.marketing.experiment import (
    POLICIES,
    ExperimentResult,
    Uplift,
    campaign_table,
    run_campaign,
    simulate_experiment,
    uplift,
)
from aigc_helpers.business.marketing.response import (
    BOLD_EFFECT,
    BOLDNESS_MEAN,
    BOLDNESS_SD,
    FAVORITE_BOOST,
    click_probabilities,
)

__all__ = [
    "BOLDNESS_MEAN",
    "BOLDNESS_SD",
    "BOLD_EFFECT",
    "CUSTOMER_COLUMNS",
    "Creatives",
    "ExperimentResult",
    "FAVORITE_BOOST",
    "N_DESIGNS",
    "POLICIES",
    "SEGMENTS",
    "Segment",
    "Uplift",
    "boldness",
    "campaign_table",
    "click_probabilities",
    "generate_creatives",
    "load_customers",
    "make_customers",
    "run_campaign",
    "save_customers",
    "segment_designs",
    "segment_summary",
    "simulate_experiment",
    "uplift",
]
