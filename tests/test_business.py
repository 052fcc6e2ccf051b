"""aigc_helpers.business: the generators are seeded and documented, the experiments reproducible, the
fact checker catches planted errors, and the healthcare utility is measured on unseen real records."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aigc_helpers.business import healthcare as H
from aigc_helpers.business import marketing as M
from aigc_helpers.business import newsroom as N
from aigc_helpers.business.healthcare import generators as H_generators
from aigc_helpers.business.healthcare import measures as H_measures

REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- marketing


def test_customers_are_deterministic_and_documented():
    a, b = M.make_customers(800, seed=3), M.make_customers(800, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(M.make_customers(800, seed=4))
    assert tuple(a.columns) == M.CUSTOMER_COLUMNS
    assert set(a["segment"]) <= set(M.SEGMENTS)
    assert a["age"].between(18, 80).all()
    assert a["favorite_design"].between(0, M.N_DESIGNS - 1).all()
    assert a["base_ctr"].between(0, 1).all() and a["past_ctr"].between(0, 1).all()
    assert (a["past_clicks"] <= a["past_impressions"]).all()
    assert a["likes_bold"].dtype == bool


def test_customer_distributions_match_the_documented_segments():
    df = M.make_customers(20_000, seed=0)
    shares = df["segment"].value_counts(normalize=True)
    for name, seg in M.SEGMENTS.items():
        g = df[df["segment"] == name]
        assert abs(shares[name] - seg.share) < 0.02
        assert abs(g["base_ctr"].mean() - seg.mean_ctr) < 0.005
        assert abs(g["age"].mean() - seg.age_mean) < 1.0
        # the most common favourite design is the segment's first favourite
        assert g["favorite_design"].value_counts().idxmax() == seg.favorite_designs[0]


def test_committed_customer_table_equals_the_generator():
    path = REPO / "data" / "customers.csv"
    assert path.is_file(), (
        "Fix: aigc_helpers.business.marketing.save_customers('data/customers.csv')"
    )
    pd.testing.assert_frame_equal(M.load_customers(path), M.make_customers())


@pytest.mark.parametrize(
    "kwargs", [{"n": 0}, {"n": 2.5}, {"seed": -1}, {"segments": {"x": M.SEGMENTS["students"]}}]
)
def test_customers_reject_bad_input(kwargs):
    with pytest.raises(ValueError):
        M.make_customers(**kwargs)


def test_response_model_rewards_favourite_designs_and_preferred_boldness():
    df = M.make_customers(500, seed=1)
    fav = df[df["favorite_design"] == 3]
    other = df[df["favorite_design"] != 3]
    assert np.all(
        M.click_probabilities(fav, 3, M.BOLDNESS_MEAN) > fav["base_ctr"].to_numpy() - 1e-9
    )
    assert np.allclose(
        M.click_probabilities(other, 3, M.BOLDNESS_MEAN), other["base_ctr"], atol=1e-5
    )
    bold = df[df["likes_bold"]]
    assert np.all(M.click_probabilities(bold, 0, 0.2) > M.click_probabilities(bold, 0, 0.1))
    with pytest.raises(ValueError):
        M.click_probabilities(df, 10, 0.1)


class StubGenerator:
    """Stands in for the conditional VAE: an image of digit d has ink d / 10 + noise."""

    conditional = True

    def generate(self, n, labels=None, seed=None):
        rng = np.random.default_rng(seed)
        return np.clip(labels / 10 + 0.05 * rng.standard_normal((n, 28, 28)), 0, 1)


def test_creatives_follow_each_segments_favourites():
    df = M.make_customers(2000)
    cr = M.generate_creatives(StubGenerator(), df, n_designs=3, per_design=2, seed=0)
    assert cr.images.shape == (4 * 6, 28, 28)
    assert list(cr.table.columns) == ["segment", "variant", "design", "boldness", "true_ctr"]
    for seg in M.SEGMENTS:
        table, images = cr.for_segment(seg)
        assert set(table["design"]) == set(M.segment_designs(df, seg, 3))
        assert len(images) == 6 and table["true_ctr"].between(0, 1).all()
    again = M.generate_creatives(StubGenerator(), df, n_designs=3, per_design=2, seed=0)
    pd.testing.assert_frame_equal(cr.table, again.table)
    with pytest.raises(ValueError, match="conditional course generator"):
        M.generate_creatives(object(), df)


def test_bandit_simulation_is_reproducible_for_a_seed():
    ctr = [0.03, 0.05, 0.045, 0.02]
    a = M.simulate_experiment(ctr, horizon=1500, n_runs=60, seed=7)
    b = M.simulate_experiment(ctr, horizon=1500, n_runs=60, seed=7)
    for pol in M.POLICIES:
        np.testing.assert_array_equal(a.clicks[pol], b.clicks[pol])
        np.testing.assert_array_equal(a.regret[pol], b.regret[pol])
    ua, ub = M.uplift(a), M.uplift(b)
    assert ua == ub
    assert ua.low < ua.mean < ua.high
    c = M.simulate_experiment(ctr, horizon=1500, n_runs=60, seed=8)
    assert not np.array_equal(a.clicks["thompson"], c.clicks["thompson"])


def test_thompson_beats_a_uniform_split_and_has_sublinear_regret():
    ctr = np.array([0.02, 0.04, 0.08])
    r = M.simulate_experiment(ctr, horizon=3000, n_runs=100, seed=0)
    u = M.uplift(r)
    assert u.low > 0.2, u  # clearly better arms: a large, significant uplift
    gap = (ctr.max() - ctr).mean()
    assert r.regret["uniform"][-1] == pytest.approx(3000 * gap, rel=0.05)  # linear
    assert r.regret["thompson"][-1] < 0.3 * r.regret["uniform"][-1]
    assert r.p_correct("thompson") > 0.9
    assert r.pulls["thompson"].sum() == pytest.approx(3000)


def test_campaign_uplift_is_reproducible_and_combines_segments():
    df = M.make_customers(2000)
    cr = M.generate_creatives(StubGenerator(), df, seed=0)
    r1 = M.run_campaign(cr, impressions=4000, n_runs=30, seed=1, customers=df)
    r2 = M.run_campaign(cr, impressions=4000, n_runs=30, seed=1, customers=df)
    assert str(M.uplift(list(r1.values()))) == str(M.uplift(list(r2.values())))
    assert sum(r.horizon for r in r1.values()) <= 4000
    table = M.campaign_table(r1)
    assert list(table.index) == list(M.SEGMENTS)


def test_uplift_and_simulation_reject_bad_input():
    with pytest.raises(ValueError):
        M.simulate_experiment([0.5])
    with pytest.raises(ValueError):
        M.simulate_experiment([0.1, 1.5])
    with pytest.raises(ValueError):
        M.uplift(np.array([1.0, 2.0]), np.array([1.0]))
    with pytest.raises(ValueError):
        M.uplift(np.array([1.0, 2.0]), np.array([0.0, 1.0]))


# --------------------------------------------------------------------------- newsroom


@pytest.fixture(scope="module")
def figures():
    return N.make_quarterly_figures()


def test_quarterly_figures_are_deterministic_and_documented(figures):
    pd.testing.assert_frame_equal(figures, N.make_quarterly_figures())
    assert not figures.equals(N.make_quarterly_figures(seed=1))
    assert tuple(figures.columns) == N.TABLE_COLUMNS
    assert len(figures) == 8 * 8
    assert figures["quarter"].str.fullmatch(r"\d{4}-Q[1-4]").all()
    assert (figures["revenue_musd"] > 0).all()
    assert figures["operating_margin_pct"].between(-30, 60).all()
    assert set(figures["sector"]) <= set(N.SECTORS)
    # one decimal everywhere: the table is the truth at the precision the briefs use
    for c in N.METRICS:
        assert np.allclose(figures[c], figures[c].round(1))
    with pytest.raises(ValueError):
        N.make_quarterly_figures(n_companies=9)


def test_committed_figures_table_equals_the_generator(figures):
    path = REPO / "data" / "quarterly_figures.csv"
    assert path.is_file(), (
        "Fix: aigc_helpers.business.newsroom.save_quarterly_figures('data/quarterly_figures.csv')"
    )
    pd.testing.assert_frame_equal(pd.read_csv(path), figures)


def test_the_checker_passes_every_clean_brief(figures):
    briefs = N.write_briefs(figures, n=150, seed=11)
    assert [b.text for b in briefs] == [b.text for b in N.write_briefs(figures, n=150, seed=11)]
    for b in briefs:
        result = N.fact_check(b, figures)
        assert result.passed, (b.text, result.problems)
        assert len(result.claims) >= 4 and result.claims["ok"].all()


@pytest.mark.parametrize("kind", N.CHECKABLE_ERRORS)
def test_the_checker_flags_each_planted_error(figures, kind):
    for j, b in enumerate(N.write_briefs(figures, n=40, seed=5)):
        bad = N.inject_error(b, kind, seed=j)
        assert bad.text != b.text and bad.injected
        assert not N.fact_check(bad, figures).passed, (bad.injected, bad.text)


def test_claims_without_numbers_are_reported_as_unchecked(figures):
    b = N.write_brief(figures, "Glenarm Telecom", "2024-Q2", seed=0)
    bad = N.inject_error(b, "invented_context", seed=0)
    result = N.fact_check(bad, figures)
    assert result.passed  # beyond what the table can verify ...
    assert len(result.unchecked) == 1  # ... but not silently: it is listed


def test_the_checker_reads_losses_negative_margins_and_headers(figures):
    head = "Fenwick Biotech | 2023-Q4\n"
    row = figures[(figures.company == "Fenwick Biotech") & (figures.quarter == "2023-Q4")].iloc[0]
    assert row.net_income_musd < 0 and row.operating_margin_pct < 0  # this seed has both
    loss = f"The company posted a net loss of ${-row.net_income_musd:.1f} million."
    margin = f"The operating margin stood at {row.operating_margin_pct:.1f}%."
    assert N.fact_check(head + loss + " " + margin, figures).passed
    wrong = f"The operating margin stood at {-row.operating_margin_pct:.1f}%."
    assert not N.fact_check(head + wrong, figures).passed
    assert not N.fact_check("Nobody Inc | 2023-Q4\nRevenue rose.", figures).passed
    assert not N.fact_check("no header here", figures).passed
    contradiction = "Revenue rose to $1.0 million, a drop of 1.0% on the previous quarter."
    claims = N.fact_check(head + contradiction, figures).claims
    assert (~claims["ok"]).sum() >= 2


def test_checker_precision_and_recall_on_known_errors(figures):
    ev = N.evaluate_checker(figures, n=200, seed=2, kinds=N.CHECKABLE_ERRORS)
    assert ev.precision == 1.0 and ev.recall == 1.0
    full = N.evaluate_checker(figures, n=200, seed=2)
    by_kind = full.by_kind()
    assert by_kind.loc["clean", "flagged"] == 0
    if "invented_context" in by_kind.index:
        assert by_kind.loc["invented_context", "flagged"] == 0  # the documented blind spot
    again = N.evaluate_checker(figures, n=200, seed=2)
    assert full.counts == again.counts


def test_char_ngram_is_deterministic(figures):
    texts = [b.text for b in N.write_briefs(figures, n=50, seed=0)]
    lm = N.CharNGram(order=5).fit(texts)
    assert lm.sample(seed=3) == lm.sample(seed=3)
    assert lm.sample(seed=3, max_chars=40).startswith(tuple({t[:1] for t in texts}))
    with pytest.raises(ValueError):
        N.CharNGram(order=5).sample()
    with pytest.raises(ValueError):
        N.CharNGram(order=0)


def test_newsroom_rejects_bad_input(figures):
    with pytest.raises(ValueError, match="first quarter"):
        N.write_brief(figures, "Glenarm Telecom", "2023-Q1")
    with pytest.raises(ValueError, match="No row"):
        N.write_brief(figures, "Glenarm Telecom", "2031-Q1")
    with pytest.raises(ValueError, match="kind"):
        N.inject_error(N.write_brief(figures, "Glenarm Telecom", "2023-Q2"), "typo")


# --------------------------------------------------------------------------- healthcare


@pytest.fixture(scope="module")
def split():
    return H.split_patients(seed=0)


def test_split_is_disjoint_stratified_and_reproducible(split):
    assert len(split.train) + len(split.holdout) == 569
    assert not set(split.train.index) & set(split.holdout.index)
    assert abs(split.train[H.LABEL].mean() - split.holdout[H.LABEL].mean()) < 0.02
    pd.testing.assert_frame_equal(split.train, H.split_patients(seed=0).train)
    with pytest.raises(ValueError):
        H.RealSplit(split.train, split.train.iloc[:5], 0)


def test_scaler_learns_from_the_training_records_only(split):
    sc = H.TabularScaler().fit(split.train)
    assert np.allclose(sc.transform(split.train).mean(axis=0), 0, atol=1e-5)
    assert not np.allclose(sc.transform(split.holdout).mean(axis=0), 0, atol=1e-3)
    back = sc.inverse(sc.transform(split.holdout))
    feats = H.feature_columns(split.holdout)
    assert np.allclose(
        back[feats].to_numpy(), split.holdout[feats].to_numpy(), rtol=1e-4, atol=1e-6
    )
    assert (back[H.LABEL].to_numpy() == split.holdout[H.LABEL].to_numpy()).all()
    with pytest.raises(ValueError, match="not fitted"):
        H.TabularScaler().transform(split.train)


def test_utility_is_measured_on_holdout_records_never_trained_on(split, monkeypatch):
    seen: dict[str, list] = {"fit": [], "predict": []}
    real_classifier = H_measures._classifier

    class Spy:
        def __init__(self, clf):
            self.clf = clf

        def fit(self, x, y):
            seen["fit"].append(np.asarray(x))
            self.clf.fit(x, y)
            return self

        def predict_proba(self, x):
            seen["predict"].append(np.asarray(x))
            return self.clf.predict_proba(x)

    monkeypatch.setattr(
        H_measures, "_classifier", lambda kind, seed: Spy(real_classifier(kind, seed))
    )
    synthetic = H.memorizing_generator(split.train, 300, seed=1)
    report = H.utility_report(synthetic, split, classifiers=("logistic",))
    feats = H.feature_columns(split.train)
    holdout = split.holdout[feats].to_numpy()
    assert (report["n test (holdout)"] == len(split.holdout)).all()
    assert all(np.array_equal(x, holdout) for x in seen["predict"])
    holdout_rows = {tuple(r) for r in holdout.round(6)}
    for x in seen["fit"]:
        assert not holdout_rows & {tuple(r) for r in x.round(6)}
    # a synthetic set that contains holdout records is refused
    leaky = pd.concat([synthetic, split.holdout.iloc[:3]], ignore_index=True)
    with pytest.raises(ValueError, match="holdout"):
        H.utility_report(leaky, split)


def test_privacy_check_catches_a_memorizing_generator(split):
    sc = H.TabularScaler().fit(split.train)
    copies = H.privacy_report(H.memorizing_generator(split.train, 300), split, sc)
    assert copies["share closer than holdout p5"] > 0.9
    d = H.distance_to_closest(split.train.iloc[:10], split.train, sc)
    assert np.allclose(d, 0, atol=1e-5)


def test_near_exact_copies_flag_a_copier_but_not_new_real_records(split):
    sc = H.TabularScaler().fit(split.train)
    copier = H.privacy_report(H.memorizing_generator(split.train, 300, seed=2), split, sc)
    assert copier["share near-exact copies"] > 0.95
    # real records that are in neither part: one half of the holdout, measured against a split whose
    # holdout (which sets the threshold) is the other half
    half = H.RealSplit(split.train, split.holdout.iloc[::2], split.seed)
    fresh = H.privacy_report(split.holdout.iloc[1::2].reset_index(drop=True), half, sc)
    assert fresh["share near-exact copies"] < 0.02
    assert 0 < fresh["near-copy threshold"] < fresh["p5 DCR holdout"]
    with pytest.raises(ValueError, match="near_copy"):
        H.privacy_report(split.holdout, split, sc, near_copy=0)


def test_members_are_exactly_the_rows_the_vae_was_fitted_on(split, monkeypatch):
    seen: dict[str, np.ndarray] = {}
    build = H_generators.build_tabular_vae

    def spy_build(*args, **kwargs):
        model = build(*args, **kwargs)
        fit = model.fit

        def spy_fit(x, validation_data=None, **kw):
            seen["fit"] = np.concatenate([np.asarray(b) for b in x])
            seen["validation"] = np.concatenate([np.asarray(b) for b in validation_data])
            return fit(x, validation_data=validation_data, **kw)

        model.fit = spy_fit
        return model

    monkeypatch.setattr(H_generators, "build_tabular_vae", spy_build)
    model, scaler, history = H.train_tabular_vae(split.train, epochs=1, seed=0)
    fitted, kept = history.fitted_index, history.validation_index
    assert len(kept) == round(0.2 * len(split.train))
    assert len(fitted) + len(kept) == len(split.train)
    assert sorted([*fitted, *kept]) == sorted(split.train.index)

    def rows(x):
        return {tuple(r) for r in np.round(x, 4)}

    # the recorded members are the rows fitted, no more (validation rows) and no fewer
    assert rows(seen["fit"]) == rows(scaler.transform(split.train.loc[fitted]))
    assert rows(seen["validation"]) == rows(scaler.transform(split.train.loc[kept]))
    assert not rows(seen["fit"]) & rows(scaler.transform(split.holdout))


def test_notebook_attack_scores_only_the_fitted_rows_as_members():
    cells = json.loads((REPO / "notebooks" / "13_healthcare.ipynb").read_text())["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    (attack,) = [c for c in code if "roc_auc_score" in c and ".elbo(" in c]
    assert "history.fitted_index" in attack
    assert not re.search(r"elbo\w*\(\s*(scaler\.transform\()?\s*split\.train\s*\)", attack)


def test_tabular_vae_trains_on_train_and_samples_valid_records(split):
    model, scaler, history = H.train_tabular_vae(split.train, epochs=2, seed=0)
    assert np.allclose(
        scaler.mean_[0], np.log1p(split.train[scaler.columns[0]]).mean()
    )  # statistics of the training part, not of all records
    assert len(history.history["loss"]) == 2 and "val_loss" in history.history
    synth = H.sample_records(model, scaler, 50, seed=1)
    assert list(synth.columns) == list(split.train.columns)
    assert set(synth[H.LABEL].unique()) <= {0, 1}
    assert (synth[H.feature_columns(synth)] >= 0).all().all()
    again = H.sample_records(model, scaler, 50, seed=1)
    pd.testing.assert_frame_equal(synth, again)
    text = H.record_report(synth.iloc[0], split.train)
    assert H.DISCLAIMER in text and "no real person" in text


# --------------------------------------------------------------------------- package layout

# The public names each case had as a single module, recorded before it became a sub-package.
ALL_BEFORE_THE_SPLIT = {
    "newsroom": """Brief CHECKABLE_ERRORS COMPANIES CharNGram CheckerEvaluation ERROR_KINDS FactCheck
        METRICS SECTORS TABLE_COLUMNS evaluate_checker fact_check inject_error make_quarterly_figures
        quarter_names save_quarterly_figures write_brief write_briefs""",
    "marketing": """BOLDNESS_MEAN BOLDNESS_SD BOLD_EFFECT CUSTOMER_COLUMNS Creatives ExperimentResult
        FAVORITE_BOOST N_DESIGNS POLICIES SEGMENTS Segment Uplift boldness campaign_table
        click_probabilities generate_creatives load_customers make_customers run_campaign
        save_customers segment_designs segment_summary simulate_experiment uplift""",
    "healthcare": """DISCLAIMER Fidelity LABEL REPORT_FEATURES RealSplit TabularScaler build_tabular_vae
        distance_to_closest feature_columns fidelity_report load_patients memorizing_generator
        privacy_report record_report sample_records split_patients train_tabular_vae utility_report""",
}
ALSO_PUBLIC_BEFORE = {"newsroom": "DOWN_WORDS FLAT_WORDS OPPOSITE UP_WORDS"}  # not in __all__

# One concept, one module: where each public name lives inside its sub-package.
HOMES = {
    "newsroom": {
        "figures": "COMPANIES SECTORS TABLE_COLUMNS METRICS quarter_names make_quarterly_figures "
        "save_quarterly_figures",
        "language": "UP_WORDS DOWN_WORDS FLAT_WORDS OPPOSITE",
        "writer": "Brief write_brief write_briefs",
        "factcheck": "FactCheck fact_check",
        "errors": "ERROR_KINDS CHECKABLE_ERRORS inject_error CheckerEvaluation evaluate_checker",
        "ngram": "CharNGram",
    },
    "marketing": {
        "customers": "N_DESIGNS CUSTOMER_COLUMNS Segment SEGMENTS make_customers save_customers "
        "load_customers segment_summary",
        "response": "FAVORITE_BOOST BOLD_EFFECT BOLDNESS_MEAN BOLDNESS_SD click_probabilities",
        "creatives": "boldness segment_designs Creatives generate_creatives",
        "experiment": "ExperimentResult POLICIES simulate_experiment Uplift uplift run_campaign "
        "campaign_table",
    },
    "healthcare": {
        "records": "LABEL load_patients feature_columns RealSplit split_patients",
        "scaling": "TabularScaler",
        "generators": "build_tabular_vae train_tabular_vae sample_records memorizing_generator",
        "measures": "Fidelity fidelity_report utility_report distance_to_closest privacy_report",
        "report": "DISCLAIMER REPORT_FEATURES record_report",
    },
}
NOTEBOOKS = {"marketing": "10_marketing", "newsroom": "11_newsroom", "healthcare": "13_healthcare"}


@pytest.mark.parametrize("case", sorted(NOTEBOOKS))
def test_each_case_re_exports_its_names_and_everything_its_notebook_uses(case):
    package = importlib.import_module(f"aigc_helpers.business.{case}")
    assert sorted(package.__all__) == sorted(ALL_BEFORE_THE_SPLIT[case].split())
    namespace: dict = {}
    exec(f"from aigc_helpers.business.{case} import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(package.__all__)
    cells = json.loads((REPO / "notebooks" / f"{NOTEBOOKS[case]}.ipynb").read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    used = set(re.findall(rf"\b{case}\.([A-Za-z_]\w*)", code))
    assert used and not {n for n in used if not hasattr(package, n)}


@pytest.mark.parametrize("case", sorted(HOMES))
def test_each_module_of_a_case_holds_its_concept(case):
    package = importlib.import_module(f"aigc_helpers.business.{case}")
    homed = [n for names in HOMES[case].values() for n in names.split()]
    before = ALL_BEFORE_THE_SPLIT[case] + " " + ALSO_PUBLIC_BEFORE.get(case, "")
    assert sorted(homed) == sorted(before.split())  # every public name has exactly one home
    for module_name, names in HOMES[case].items():
        module = importlib.import_module(f"aigc_helpers.business.{case}.{module_name}")
        assert module.__doc__ and "Taught in:" in module.__doc__
        for name in names.split():
            obj = getattr(module, name)
            assert getattr(package, name) is obj  # still importable from the package
            if callable(obj):
                assert obj.__module__ == module.__name__, f"{name} is defined in {obj.__module__}"


def test_tables_without_the_required_columns_are_refused_with_a_fix(figures):
    with pytest.raises(ValueError, match=r"lacks the column\(s\) 'revenue_musd'.*make_quarterly"):
        N.write_briefs(figures.drop(columns="revenue_musd"))
    with pytest.raises(ValueError, match="must be a pandas DataFrame.*make_customers"):
        M.segment_summary([1, 2])
    with pytest.raises(ValueError, match="sample_records"):
        H.fidelity_report(pd.DataFrame({"x": [1.0]}), H.split_patients())
