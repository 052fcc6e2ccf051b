"""Healthcare mock-up: synthetic patient records from a tabular VAE, measured for fidelity, utility, privacy.

The real data are scikit-learn's **breast-cancer Wisconsin (diagnostic)** table: 569 tumours, 30 numeric
features computed from digitized images of fine-needle aspirates, and a diagnosis (malignant or benign).
It ships inside scikit-learn, so nothing is downloaded. The course treats it as a stand-in for "patient
records"; it is a public teaching dataset, and nothing here is clinical advice.

One module per piece, in the order notebook 13 uses them (every public name is also available here, as
``healthcare.split_patients`` and so on):

1. ``records`` -- :func:`load_patients` and :func:`split_patients`: the table, split once into a training
   part and a **holdout** part that no model ever trains on (utility and privacy are measured on it).
2. ``scaling`` -- :class:`TabularScaler`: log1p then standardize, fitted on the training part only.
3. ``generators`` -- :func:`build_tabular_vae` / :func:`train_tabular_vae`: the course's
   :class:`aigc_helpers.vae.VAE` with dense networks and a Gaussian likelihood, over the 30 features
   **and** the diagnosis as a 31st column (the history it returns records which training rows were
   fitted and which kept aside for validation); :func:`sample_records` draws new records from the prior;
   :func:`memorizing_generator` is the deliberately bad baseline.
4. ``measures`` -- :func:`fidelity_report`, :func:`utility_report`, :func:`privacy_report`: the three
   measurements.
5. ``report`` -- :func:`record_report`: a short text per synthetic record, with its disclaimer.

Importing this package is light: TensorFlow, scikit-learn and SciPy load only when a function needs them.

Taught in: notebooks/13_healthcare.ipynb
"""

from aigc_helpers.business.healthcare.generators import (
    build_tabular_vae,
    memorizing_generator,
    sample_records,
    train_tabular_vae,
)
from aigc_helpers.business.healthcare.measures import (
    Fidelity,
    distance_to_closest,
    fidelity_report,
    privacy_report,
    utility_report,
)
from aigc_helpers.business.healthcare.records import (
    LABEL,
    RealSplit,
    feature_columns,
    load_patients,
    split_patients,
)
from aigc_helpers.business.healthcare.report import DISCLAIMER, REPORT_FEATURES, record_report
from aigc_helpers.business.healthcare.scaling import TabularScaler

__all__ = [
    "DISCLAIMER",
    "Fidelity",
    "LABEL",
    "REPORT_FEATURES",
    "RealSplit",
    "TabularScaler",
    "build_tabular_vae",
    "distance_to_closest",
    "feature_columns",
    "fidelity_report",
    "load_patients",
    "memorizing_generator",
    "privacy_report",
    "record_report",
    "sample_records",
    "split_patients",
    "train_tabular_vae",
    "utility_report",
]
