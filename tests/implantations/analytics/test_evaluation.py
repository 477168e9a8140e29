"""Follow-up and evaluation (issue 18): the rules of a year, the plan on six lines, the
variances, the rates with their denominators and the flags — on values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from implantations.analytics import business_model as bm
from implantations.analytics import business_model_columns as bmc
from implantations.analytics import evaluation as ev
from implantations.analytics import evaluation_flags as evf
from implantations.analytics import evaluation_outcomes as evo

T = ev.Thresholds()  # 80 % / 90 days / +10 % / ±10 % / 10 learners


# --- followup_check -------------------------------------------------------------------------------
def test_followup_check_accepts_a_coherent_year():
    values = {
        ev.ENROLLED: 20, ev.COMPLETED: 15, ev.CERTIFIED: 12,
        ev.OUTCOME_JOB: 8, ev.OUTCOME_TRAINING: 3, ev.OUTCOME_SEEKING: 3, ev.OUTCOME_UNKNOWN: 1,
    }  # fmt: skip
    assert ev.followup_check(values) == {}


def test_followup_check_names_each_broken_rule():
    assert set(ev.followup_check({ev.ENROLLED: -1})) == {ev.ENROLLED}
    assert "négatif" in ev.followup_check({ev.ENROLLED: -1})[ev.ENROLLED]
    assert set(ev.followup_check({ev.ENROLLED: None})) == {ev.ENROLLED}
    errors = ev.followup_check({ev.ENROLLED: 10, ev.COMPLETED: 11})
    assert set(errors) == {ev.COMPLETED}
    assert "11 pour 10 inscrits" in errors[ev.COMPLETED]
    errors = ev.followup_check({ev.ENROLLED: 10, ev.COMPLETED: 8, ev.CERTIFIED: 9})
    assert set(errors) == {ev.CERTIFIED}
    # 5 + 2 + 1 + 1 = 9 > 8 completers
    errors = ev.followup_check(
        {ev.ENROLLED: 10, ev.COMPLETED: 8, ev.OUTCOME_JOB: 5, ev.OUTCOME_TRAINING: 2,
         ev.OUTCOME_SEEKING: 1, ev.OUTCOME_UNKNOWN: 1}
    )  # fmt: skip
    assert set(errors) == {ev.OUTCOME_JOB}
    assert "9 personnes" in errors[ev.OUTCOME_JOB]
    # exactly the completers: accepted
    assert (
        ev.followup_check(
            {
                ev.ENROLLED: 10,
                ev.COMPLETED: 8,
                ev.OUTCOME_JOB: 5,
                ev.OUTCOME_TRAINING: 2,
                ev.OUTCOME_SEEKING: 1,
            }
        )  # fmt: skip
        == {}
    )
    assert set(ev.followup_check({ev.ENROLLED: 3.5})) == {ev.ENROLLED}


def test_followup_check_requires_an_explanation_beyond_the_threshold():
    plan = {ev.STAFF: 100_000.0, ev.PREMISES: 6_000.0, ev.OTHER_COSTS: 0.0}
    # +10 % exactly: no explanation needed; 6 601 on 6 000 (+10,02 %): needed; 1 € on a zero
    # plan: needed.
    values = {ev.ENROLLED: 12, ev.STAFF: 110_000, ev.PREMISES: 6_601, ev.OTHER_COSTS: 1}
    errors = ev.followup_check(values, plan=plan, explain_share=0.10)
    assert set(errors) == {ev.explanation_field(ev.PREMISES), ev.explanation_field(ev.OTHER_COSTS)}
    assert "+10 %" in errors[ev.explanation_field(ev.PREMISES)]
    values[ev.explanation_field(ev.PREMISES)] = "Travaux d'accessibilité."
    values[ev.explanation_field(ev.OTHER_COSTS)] = "Imprévu."
    assert ev.followup_check(values, plan=plan, explain_share=0.10) == {}


# --- plan_lines -------------------------------------------------------------------------------------
def test_plan_lines_maps_the_business_model_on_six_lines():
    years = pd.DataFrame(
        {
            bmc.YEAR: [1, 0], bmc.CPF: [450.0, 0.0], bmc.FEES: [400.0, 0.0], bmc.REVENUES: [3000.0, 0.0],
            bmc.PUBLIC_AID: [7000.0, 55000.0], bmc.STAFF: [6000.0, 0.0], bmc.TEACHING: [2000.0, 0.0],
            bmc.PREMISES: [1000.0, 0.0], bmc.COSTS: [10000.0, 55000.0],
        }
    )  # fmt: skip
    out = ev.plan_lines(years)
    expected = pd.DataFrame(
        {
            ev.YEAR: [0, 1],
            ev.TUITION: [0.0, 850.0],  # CPF + fees
            ev.PUBLIC_AID: [55000.0, 7000.0],
            ev.OTHER_REVENUES: [0.0, 2150.0],  # 3 000 − 850
            ev.STAFF: [0.0, 8000.0],  # staff + teaching
            ev.PREMISES: [0.0, 1000.0],
            ev.OTHER_COSTS: [55000.0, 1000.0],  # 10 000 − 8 000 − 1 000
        }
    )
    pd.testing.assert_frame_equal(out, expected)


def test_plan_lines_of_the_turnkey_default_year_1():
    # Turnkey defaults, year 1: 20 learners (80 × 0.25), maturity 0.55.
    # CPF 0.30 × 1 500 = 450, fees 0.20 × 2 000 = 400 per learner → (450 + 400) × 20 × 0.55 = 9 350.
    # staff 1.5 × 55 000 = 82 500; teaching 20 × 1 800 = 36 000 → 118 500; premises 6 000;
    # overheads 0.15 × 118 500 = 17 775.
    plan = ev.plan_lines(bm.business_model("turnkey").years)
    year1 = plan[plan[ev.YEAR] == 1].iloc[0]
    assert year1[ev.TUITION] == pytest.approx(9_350.0)
    assert year1[ev.STAFF] == pytest.approx(118_500.0)
    assert year1[ev.PREMISES] == pytest.approx(6_000.0)
    assert year1[ev.OTHER_COSTS] == pytest.approx(17_775.0)


# --- finance_variances ------------------------------------------------------------------------------
def test_finance_variances_on_hand_computed_values():
    planned = {
        ev.TUITION: 10_000, ev.PUBLIC_AID: 50_000, ev.OTHER_REVENUES: 20_000,
        ev.STAFF: 60_000, ev.PREMISES: 8_000, ev.OTHER_COSTS: 12_000,
    }  # fmt: skip
    actual = {
        ev.TUITION: 8_500, ev.PUBLIC_AID: 50_000, ev.OTHER_REVENUES: 21_000,
        ev.STAFF: 63_000, ev.PREMISES: 10_000, ev.OTHER_COSTS: 12_000,
    }  # fmt: skip
    out = ev.finance_variances(planned, actual, explain_share=0.10).set_index(ev.LINE)
    # tuition: −1 500, −15 % → explained; premises +2 000, +25 % → explained; staff +5 %: not.
    assert out.loc[ev.TUITION, ev.VARIANCE] == -1500
    assert out.loc[ev.TUITION, ev.VARIANCE_SHARE] == pytest.approx(-0.15)
    assert out.loc[ev.PREMISES, ev.VARIANCE_SHARE] == pytest.approx(0.25)
    assert out.loc[ev.STAFF, ev.VARIANCE_SHARE] == pytest.approx(0.05)
    assert list(out.index[out[ev.EXPLANATION_REQUIRED]]) == [ev.TUITION, ev.PREMISES]
    # revenues 80 000 → 79 500 (−500); costs 80 000 → 85 000 (+6,25 %); balance 0 → −5 500
    assert out.loc[ev.REVENUES_TOTAL, ev.ACTUAL] == 79_500
    assert out.loc[ev.COSTS_TOTAL, ev.VARIANCE_SHARE] == pytest.approx(0.0625)
    assert out.loc[ev.BALANCE, ev.PLANNED] == 0
    assert out.loc[ev.BALANCE, ev.ACTUAL] == -5_500
    assert pd.isna(out.loc[ev.BALANCE, ev.VARIANCE_SHARE])  # plan of 0: no share
    assert not out.loc[ev.BALANCE, ev.EXPLANATION_REQUIRED]


def test_finance_variances_total_unknown_when_a_line_is_missing():
    planned = dict.fromkeys(ev.FINANCE_FIELDS, 1000.0)
    actual = {ev.STAFF: 1000, ev.PREMISES: None, ev.OTHER_COSTS: 1000}
    out = ev.finance_variances(planned, actual).set_index(ev.LINE)
    assert pd.isna(out.loc[ev.COSTS_TOTAL, ev.ACTUAL])
    assert pd.isna(out.loc[ev.PREMISES, ev.VARIANCE])
    assert not out.loc[ev.PREMISES, ev.EXPLANATION_REQUIRED]


# --- outcome_rates ----------------------------------------------------------------------------------
def test_outcome_rates_with_denominators_and_too_few_learners():
    counts = {
        ev.ENROLLED: 12, ev.COMPLETED: 9, ev.CERTIFIED: 7,
        ev.OUTCOME_JOB: 5, ev.OUTCOME_TRAINING: 2, ev.OUTCOME_SEEKING: 1, ev.OUTCOME_UNKNOWN: 1,
    }  # fmt: skip
    rates = {r.code: r for r in evo.outcome_rates(counts, min_learners=10)}
    # completion 9 / 12 = 75 %: 12 inscrits ≥ 10
    assert rates["completion"].value == pytest.approx(0.75)
    assert (rates["completion"].numerator, rates["completion"].denominator) == (9, 12)
    # outcomes rest on 9 completers < 10: no value, the reason says so
    assert rates["job"].value is None
    assert rates["job"].reason == "effectif trop faible (n = 9 < 10)"
    assert rates["positive"].numerator == 7
    rates = {r.code: r for r in evo.outcome_rates(counts, min_learners=9)}
    assert rates["positive"].value == pytest.approx(7 / 9)
    assert rates["certification"].value == pytest.approx(7 / 9)


def test_programme_rates_are_ratios_of_sums():
    # Site A: 1 of 10 completers in a job; site B: 18 of 20. Mean of rates: 50 %; ratio of
    # sums: 19 / 30.
    counts = evo.counts_sum(
        [
            {ev.ENROLLED: 12, ev.COMPLETED: 10, ev.OUTCOME_JOB: 1},
            {ev.ENROLLED: 25, ev.COMPLETED: 20, ev.OUTCOME_JOB: 18},
        ]
    )
    assert counts[ev.ENROLLED] == 37 and counts[ev.CERTIFIED] is None
    job = next(r for r in evo.outcome_rates(counts) if r.code == "job")
    assert job.value == pytest.approx(19 / 30)


# --- project_flags ----------------------------------------------------------------------------------
def _years(rows):
    return pd.DataFrame(rows, columns=evf.FLAG_INPUT_COLUMNS)


def test_project_flags_late_enrolments_at_the_threshold():
    years = _years(
        [
            # 16 / 20 = 80 % exactly: not late; 15 / 20 = 75 %: late; year 3 not entered
            [1, 2025, 20, 16, 100_000.0, 100_000.0],
            [2, 2026, 20, 15, 100_000.0, None],
            [3, 2027, 20, None, 100_000.0, None],
        ]
    )
    flags = evf.project_flags(
        years, opening_planned_on=dt.date(2025, 1, 1), opened_on=dt.date(2024, 9, 2),
        today=dt.date(2026, 12, 6), thresholds=T,
    )  # fmt: skip
    assert [(f.code, f.reason, f.year) for f in flags] == [(evf.FLAG_LATE, "enrolments", 2)]
    assert "15 inscrits pour 20 prévus (75 % du plan, seuil 80 %)" in flags[0].detail


def test_project_flags_overrun_beyond_the_threshold_only():
    years = _years(
        [
            [1, 2025, 20, 20, 100_000.0, 110_000.0],  # +10 % exactly: not flagged
            [2, 2026, 20, 20, 100_000.0, 110_001.0],  # +10,001 %: flagged
        ]
    )
    flags = evf.project_flags(
        years, opening_planned_on=None, opened_on=None, today=dt.date(2026, 12, 6), thresholds=T
    )
    assert [(f.code, f.year) for f in flags] == [(evf.FLAG_OVERRUN, 2)]


def test_project_flags_opening_passed_after_the_grace_period():
    years = _years([[1, 2025, 20, None, 100_000.0, None]])
    planned = evf.planned_opening(2024, [0, 20, 20])
    assert planned == dt.date(2025, 1, 1)
    # 90 days after 1 January 2025 is 1 April 2025: on that day not late, the next day late.
    on_time = evf.project_flags(
        years, opening_planned_on=planned, opened_on=None, today=dt.date(2025, 4, 1), thresholds=T
    )
    late = evf.project_flags(
        years, opening_planned_on=planned, opened_on=None, today=dt.date(2025, 4, 2), thresholds=T
    )
    assert on_time == []
    assert [(f.code, f.reason) for f in late] == [(evf.FLAG_LATE, "opening")]
    opened = evf.project_flags(
        years, opening_planned_on=planned, opened_on=dt.date(2025, 3, 1),
        today=dt.date(2026, 1, 1), thresholds=T,
    )  # fmt: skip
    assert opened == []
