"""Business-case mock-ups (notebooks 10–13): seeded synthetic data, simulations and measurements.

Each case is its own sub-package (one module per piece inside, every public name re-exported), so a
learner who meets a helper in a notebook, such as ``newsroom.fact_check``, finds it in one place:

- ``aigc_helpers.business.marketing`` — customers, creatives and a simulated bandit experiment (notebook 10)
- ``aigc_helpers.business.newsroom`` — quarterly figures, brief writer and fact checker (notebook 11)
- ``aigc_helpers.business.healthcare`` — synthetic patient records: fidelity, utility, privacy (notebook 13)

The small tables in the repository's ``data/`` folder are these generators' outputs, kept for readers who want to
open them in a spreadsheet: ``data/customers.csv`` (``marketing.save_customers``) and
``data/quarterly_figures.csv`` (``newsroom.save_quarterly_figures``); tests check that they still match.

Everything here is a **mock-up**: the data are synthetic (or a public teaching dataset), the numbers come
from running the code, and none of it describes a real company, newsroom or patient.
"""
