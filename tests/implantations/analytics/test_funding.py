"""Funding split, CPF top-up and services in the business model (pure), worked out by hand."""

from __future__ import annotations

import pytest

from implantations.analytics import funding as fd
from implantations.analytics.business_model import business_model, topup_effect
from implantations.analytics.business_model_assumptions import AssumptionError
from implantations.analytics.business_model_columns import (
    BALANCE,
    BALANCE_AFTER_AID,
    COSTS,
    CPF_TOPUP,
    FUNDED_AID,
    LEARNERS,
    REVENUES,
    SERVICES,
    STAFF_FTE,
)
from implantations.analytics.criteria import FAB_ID, PROGRESSIVE, TURNKEY
from implantations.analytics.funding_charts import funding_split_figure
from implantations.analytics.site_services import (
    AIOA,
    HOURS_PER_FTE,
    SAS_DOC,
    STEERING_FTE,
    ServiceError,
    default_services,
    services_frame,
    services_with,
)

# Fab ID, premises lent, CPF share raised to 50 % and Région's lowered to 30 %: revenue per
# learner 0.5 × 1,200 + 0.3 × 2,800 + 0.15 × 4,000 = 600 + 840 + 600 = 2,040; 85 learners →
# 173,400 a year at full maturity; costs 204,700 a year (see test_business_model).
LOW = {"premises_lent": 1, "cpf_share": 0.5, "region_share": 0.3}


def test_topup_moves_break_even_and_learners_needed_by_hand() -> None:
    # Remaining cost 2,400 − 1,200 = 1,200; 75 % of it = 900, ceiling 800 → 800 a learner;
    # 40 learners topped up (≤ 0.5 × 85 = 42.5 CPF learners) → 32,000 a year from year 1.
    topup = fd.CpfTopUp(rate=0.75, ceiling=800, learners=40, path_price=2400)
    effect = topup_effect(FAB_ID, topup, overrides=LOW)
    before, after = effect.before, effect.after

    # Before: year 4 = 173,400 − 204,700 = −31,300 → no break-even within five years.
    assert before.years.loc[4, BALANCE] == pytest.approx(-31_300)
    assert before.break_even_year is None
    # After: year 4 = −31,300 + 32,000 = 700 (and year 5); year 3 = 0.85 × 173,400 + 32,000
    # − 204,700 = −25,310 → break-even in year 4.
    assert after.topup_per_learner == 800
    assert after.years[CPF_TOPUP].tolist() == [0, 32_000, 32_000, 32_000, 32_000, 32_000]
    assert after.years.loc[4, BALANCE] == pytest.approx(700)
    assert after.years.loc[3, BALANCE] == pytest.approx(-25_310)
    assert after.break_even_year == 4
    assert effect.revenue_gain == [0, 32_000, 32_000, 32_000, 32_000, 32_000]
    # Learners needed in year 4: fixed staff 0.5 + 1.5 FTE × 55,000 = 110,000, overheads
    # 15 % → 126,500 + (800 + 120) L of costs. Before: 2,040 L ≥ 126,500 + 920 L → L ≥ 112.9
    # → 113. After (L ≥ 80, so 40 learners topped up): 1,120 L + 32,000 ≥ 126,500 → L ≥
    # 84.4 → 85.
    assert before.learners_needed == 113
    assert after.learners_needed == 85
    assert effect.capped_years == []


def test_topup_is_capped_by_the_cpf_learners() -> None:
    # 50 learners asked, but only 0.5 × 85 = 42.5 are CPF-funded: 42.5 × 800 = 34,000.
    topup = fd.CpfTopUp(rate=1, ceiling=800, learners=50, path_price=2400)
    effect = topup_effect(FAB_ID, topup, overrides=LOW)
    assert effect.after.years.loc[1, CPF_TOPUP] == pytest.approx(34_000)
    assert effect.capped_years == [1, 2, 3, 4, 5]
    # The remaining cost is never negative: a path cheaper than the CPF rights gets nothing.
    cheap = fd.CpfTopUp(rate=1, ceiling=800, learners=10, path_price=1000)
    assert fd.topup_per_learner(cheap, cpf_amount=1200) == 0


def test_topup_refuses_out_of_range_values() -> None:
    problems = fd.topup_problems(fd.CpfTopUp(rate=1.2, ceiling=-1, learners=-3, path_price=-5))
    assert set(problems) == {"rate", "ceiling", "learners", "path_price"}


def test_funding_split_replaces_the_computed_aid() -> None:
    lines = [
        fd.FundingLine(fd.REGION, 40_000, 0, 2, name="Région Grand Est"),
        fd.FundingLine(fd.EPCI, 20_000, 1, 3),
        fd.FundingLine(fd.CNAM, 5_000, 0, 0),
    ]
    model = business_model(FAB_ID, overrides={"premises_lent": 1}, funding=lines)
    # Per year: 40,000 + 5,000 = 45,000; 40,000 + 20,000 = 60,000 (years 1, 2); 20,000; 0; 0.
    assert model.years[FUNDED_AID].tolist() == [45_000, 60_000, 60_000, 20_000, 0, 0]
    assert model.aid_from_split
    assert model.public_aid_total == 185_000  # 3 × 40,000 + 3 × 20,000 + 5,000
    assert model.public_aid_needed_total == pytest.approx(209_280)
    # Balance −45,000, −86,890, −54,760, −22,630, 9,500, 9,500 plus the aid.
    assert model.years[BALANCE_AFTER_AID].round(2).tolist() == [
        0,
        -26_890,
        5_240,
        -2_630,
        9_500,
        9_500,
    ]
    assert any("29\u202f520 € de besoin non couvert (années 1, 3)" in w for w in model.warnings)
    assert model.funding_problems == {}
    split = fd.funding_split(lines)
    assert split[split[fd.FUNDER] == fd.EPCI][fd.AMOUNT].tolist() == [
        0,
        20_000,
        20_000,
        20_000,
        0,
        0,
    ]
    figure = funding_split_figure(split, model.years)
    assert [t.name for t in figure.data] == [
        "Région",
        "EPCI",
        "Fonds propres du Cnam",
        "Aide nécessaire (déficit)",
    ]
    assert figure.layout.barmode == "stack"


def test_funding_coherence_and_line_checks() -> None:
    # Year 0 costs 45,000 (GTEC 15,000 + computer room 30,000): 50,000 + 10,000 is too much.
    lines = [fd.FundingLine(fd.REGION, 50_000, 0, 2), fd.FundingLine(fd.CNAM, 10_000, 0, 0)]
    costs = business_model(FAB_ID, overrides={"premises_lent": 1}).years[COSTS].tolist()
    problems = fd.funding_coherence_problems(lines, costs)
    assert list(problems) == [0]
    assert "60\u202f000 €" in problems[0] and "45\u202f000 €" in problems[0]
    bad = fd.funding_line_problems(fd.FundingLine("mecene", -1, 2, 7))
    assert set(bad) == {"funder", "amount", "last_year"}
    assert "hors de l'horizon" in bad["last_year"]
    assert set(fd.funding_line_problems(fd.FundingLine(fd.STATE, 1, 3, 2))) == {"last_year"}


def test_services_are_carved_out_of_the_former_staff() -> None:
    # The services' FTE plus the steering staff are the concepts' former dedicated staff:
    # turnkey 1 + 0.5 = 1.5; Fab ID 0.5 + 0.5 + 0.8 + 0.1 + 0.1 = 2 (the AMI's « deux
    # personnels à temps plein »); progressive 0.2 + 0.4 + 0.2 + 0.2 = 1.
    for concept, total in ((TURNKEY, 1.5), (FAB_ID, 2.0), (PROGRESSIVE, 1.0)):
        services = default_services(concept)
        assert STEERING_FTE[concept] + sum(s.fte for s in services) == pytest.approx(total)
        assert business_model(concept).years.loc[1, STAFF_FTE] == pytest.approx(total)
    assert [s.code for s in default_services(FAB_ID)][:2] == [AIOA, SAS_DOC]
    assert all(s.source.startswith("AMI") for c in (TURNKEY, FAB_ID) for s in default_services(c))


def test_services_costs_enter_the_model() -> None:
    # AIOA in hours: 803.5 h = 0.5 FTE (unchanged), plus 3,000 € of direct costs a year.
    services = services_with(
        FAB_ID,
        {AIOA: {"staff_time": HOURS_PER_FTE / 2, "time_unit": "heures", "direct_cost": 3000}},
    )
    base = business_model(FAB_ID, overrides={"premises_lent": 1})
    model = business_model(FAB_ID, overrides={"premises_lent": 1}, services=services)
    assert model.years.loc[1, SERVICES] == pytest.approx(82_500 + 3_000)
    assert (model.years[COSTS] - base.years[COSTS]).round(2).tolist() == [0] + [3_000] * 5
    frame = services_frame(services, staff_cost=55_000)
    # Learners brought: AIOA 250 × 6 % = 15, SAS-DOC 120 × 60 % = 72, funding engineering
    # 40 × 25 % = 10 → 97 of 410 people received.
    total = frame.iloc[-1]
    assert total["learners"] == pytest.approx(97)
    assert total["conversion"] == pytest.approx(97 / 410)


def test_services_refused_values() -> None:
    with pytest.raises(ServiceError) as caught:
        services_with(
            TURNKEY,
            {
                AIOA: {"conversion": 1.5, "staff_time": "beaucoup"},
                SAS_DOC: {"reach": 10},
                "cafe": {},
            },
        )
    assert set(caught.value.problems) == {"aioa.conversion", "aioa.staff_time", SAS_DOC, "cafe"}


def test_progressive_first_phase_has_services_only() -> None:
    model = business_model(PROGRESSIVE)
    year1 = model.years.loc[1]
    # No training in year 1: steering 0.2 × 55,000 = 11,000, services 0.8 × 55,000 = 44,000,
    # overheads 15 % × 55,000 = 8,250, premises 10,000 × 0.5 = 5,000 → 68,250; no revenue.
    assert year1[LEARNERS] == 0
    assert year1[COSTS] == pytest.approx(68_250)
    assert year1[REVENUES] == 0
    with pytest.raises(AssumptionError) as caught:
        business_model(PROGRESSIVE, overrides={"ramp": "0 ; 0,2 ; 0,4 ; 1 ; 1 ; 1"})
    assert "première phase" in caught.value.problems["ramp"]


def test_document_carries_the_new_parts() -> None:
    topup = fd.CpfTopUp(rate=0.5, ceiling=500, learners=10, path_price=2500)
    model = business_model(
        TURNKEY, topup=topup, funding=[fd.FundingLine(fd.STATE, 10_000, 1, 2, conditions="PIC")]
    )
    doc = model.as_document()
    assert doc["public_aid_total"] == 20_000
    assert doc["public_aid_source"] == "répartition par financeur"
    assert doc["funding_lines"][0]["conditions"] == "PIC"
    # Remaining cost 2,500 − 1,500 = 1,000; 50 % = 500 = the ceiling.
    assert doc["cpf_topup"]["per_learner"] == 500
    assert [s["code"] for s in doc["services"]] == [AIOA]
    assert doc["learners_needed"] == model.learners_needed
