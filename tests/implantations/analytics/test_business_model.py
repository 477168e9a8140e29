"""Business model (pure): the Fab ID years worked out by hand, the programme's ramp-ups, the
addressable-public check, and refused assumptions."""

from __future__ import annotations

import pandas as pd
import pytest

from implantations.analytics.business_model import business_model
from implantations.analytics.business_model_assumptions import (
    AMI,
    TO_ADJUST,
    AddressablePublic,
    AssumptionError,
    assumptions_with,
    default_assumptions,
)
from implantations.analytics.business_model_columns import (
    BALANCE,
    COSTS,
    LEARNERS,
    PUBLIC_AID,
    REVENUES,
)
from implantations.analytics.criteria import FAB_ID, PROGRESSIVE, TURNKEY


def test_fab_id_years_by_hand() -> None:
    # Defaults, premises lent by the town. Year 0: GTEC 15,000 + computer room 30,000.
    # Years 1-5: 85 learners; staff 2 × 55,000 = 110,000; teaching 85 × 800 = 68,000;
    # overheads 15 % × 178,000 = 26,700; premises 0 → costs 204,700.
    # Revenue per learner: 20 % × 1,200 (CPF) + 60 % × 2,800 (Région) + 15 % × 4,000 (OPCO)
    # = 240 + 1,680 + 600 = 2,520 → 85 × 2,520 = 214,200 at full maturity, times the maturity
    # 0.55, 0.7, 0.85, 1, 1: 117,810 / 149,940 / 182,070 / 214,200 / 214,200.
    model = business_model(FAB_ID, overrides={"premises_lent": 1})
    years = model.years.set_index("year")

    assert years[LEARNERS].tolist() == [0, 85, 85, 85, 85, 85]
    assert years[COSTS].tolist() == [45_000, 204_700, 204_700, 204_700, 204_700, 204_700]
    assert years[REVENUES].round(2).tolist() == [0, 117_810, 149_940, 182_070, 214_200, 214_200]
    assert years[BALANCE].round(2).tolist() == [
        -45_000,
        -86_890,
        -54_760,
        -22_630,
        9_500,
        9_500,
    ]
    assert years[PUBLIC_AID].round(2).tolist() == [45_000, 86_890, 54_760, 22_630, 0, 0]
    assert model.break_even_year == 4
    assert model.self_financed_year4 is True
    assert model.public_aid_total == pytest.approx(209_280)
    assert years.loc[1, "staff_fte"] == 2.0


def test_fab_id_paying_rent_is_not_self_financed_in_year_4() -> None:
    # The same with a rent of 12,000 a year from year 1: year 4 = 9,500 − 12,000 = −2,500.
    model = business_model(FAB_ID, overrides={"premises_lent": 0})
    assert model.years.loc[4, BALANCE] == pytest.approx(-2_500)
    assert model.self_financed_year4 is False
    assert model.break_even_year is None


def test_programme_ramp_ups() -> None:
    turnkey = business_model(TURNKEY)
    progressive = business_model(PROGRESSIVE)

    assert turnkey.years[LEARNERS].tolist() == [0, 20, 40, 60, 80, 80]  # ~80 in year 4
    assert progressive.years[LEARNERS].tolist() == [0, 0, 120, 300, 300, 300]  # 300 after 3 y
    assert turnkey.self_financed_year4 and progressive.self_financed_year4
    assert turnkey.years.loc[0, COSTS] == 55_000  # GTEC 15,000 + investment 40,000
    assert progressive.years.loc[0, COSTS] == 15_000  # GTEC only, no investment
    # Progressive premises grow in years 2 and 3: rent 10,000 × 0.5, 0.75, 1.
    assert progressive.years["premises"].tolist() == [0, 5_000, 7_500, 10_000, 10_000, 10_000]


def test_every_assumption_has_a_source_or_is_marked_to_adjust() -> None:
    for concept in (TURNKEY, FAB_ID, PROGRESSIVE):
        assumptions = default_assumptions(concept)
        assert all(a.source_label for a in assumptions.values())
        labels = {code: a.source_label for code, a in assumptions.items()}
        assert labels["learners_target"].startswith(AMI)
        assert labels["staff_cost"] == TO_ADJUST
    assert default_assumptions(FAB_ID)["staff_fte"].source.startswith(AMI)


def test_learners_above_the_plausible_share_of_the_public_warn() -> None:
    # 85 learners for 1,000 job seekers = 8.5 % > 5 %: warned from year 1.
    small = business_model(FAB_ID, public=AddressablePublic(population=20_000, job_seekers=1_000))
    assert len(small.warnings) == 1
    assert "En année 1, 85 apprenants représentent 8,5 % du public adressable" in small.warnings[0]
    assert small.years.loc[1, "public_share"] == pytest.approx(0.085)

    large = business_model(FAB_ID, public=AddressablePublic(population=90_000, job_seekers=5_000))
    assert large.warnings == []


def test_progressive_public_is_estimated_from_the_population_without_indicator() -> None:
    model = business_model(PROGRESSIVE, public=AddressablePublic(population=30_000))
    # 40 % of 30,000 = 12,000 employed adults; 300 learners = 2.5 % > 2 %.
    assert model.addressable == 12_000
    assert "2,5 % du public adressable" in model.warnings[0]


def test_unknown_public_is_said() -> None:
    model = business_model(FAB_ID, public=AddressablePublic(population=30_000))
    assert model.addressable is None
    assert "Public adressable inconnu" in model.warnings[0]


def test_bad_assumptions_are_refused_naming_each() -> None:
    with pytest.raises(AssumptionError) as error:
        assumptions_with(
            TURNKEY,
            {
                "loyer": 100,
                "staff_cost": -5,
                "cpf_share": 1.5,
                "ramp": "0 ; 0,5 ; 1",
                "teaching_cost": "beaucoup",
            },
        )
    problems = error.value.problems
    assert set(problems) == {"loyer", "staff_cost", "cpf_share", "ramp", "teaching_cost"}
    assert problems["loyer"] == "hypothèse inconnue"
    assert problems["ramp"] == "6 valeurs attendues (années 0 à 5), 3 lues"
    assert "non numérique" in problems["teaching_cost"]
    assert "entre 0 et 1" in problems["cpf_share"]


def test_funding_shares_above_100_percent_are_refused() -> None:
    with pytest.raises(AssumptionError, match="totalisent 110 %"):
        assumptions_with(FAB_ID, {"region_share": 0.75})  # 20 + 75 + 15 = 110 %


def test_french_decimals_and_per_year_lists_are_read() -> None:
    assumptions = assumptions_with(
        TURNKEY, {"ramp": "0 ; 0,3 ; 0,6 ; 0,9 ; 1 ; 1", "staff_fte": "2,5"}
    )
    assert assumptions["ramp"].value == (0, 0.3, 0.6, 0.9, 1, 1)
    assert assumptions["staff_fte"].value == 2.5


def test_document_is_json_safe() -> None:
    import json

    document = business_model(TURNKEY).as_document()
    assert json.loads(json.dumps(document))["years"][4]["learners"] == 80
    assert isinstance(business_model(TURNKEY).years, pd.DataFrame)
