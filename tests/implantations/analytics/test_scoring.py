"""The recommendation engine (pure): normalisation, renormalised weights, hard constraints, the
choice, the Monte Carlo and the « drop each weak source » test, on hand-made basins."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

from implantations.analytics.constraints import HostSummary, constraints_check
from implantations.analytics.criteria import CONCEPTS, CRITERION_CODES, FAB_ID, PROGRESSIVE, TURNKEY
from implantations.analytics.normalisation import normalise
from implantations.analytics.profile import DEFAULT_PROFILE, profile_errors, profile_with_weights
from implantations.analytics.raw_values import (
    asset_raw_values,
    basin_indicator,
    diagnostic_raw_values,
    gap_raw_value,
)
from implantations.analytics.score_columns import contribution_column
from implantations.analytics.scores import (
    concept_coverage,
    concept_scores,
    raw_frame,
    score_criteria,
)
from implantations.analytics.scoring import FRAGILE, ROBUST, recommend
from implantations.analytics.sensitivity import monte_carlo


def raw(values: Mapping[str, float | None]) -> pd.DataFrame:
    return raw_frame({code: {"raw": value} for code, value in values.items()})


# Three hand-made basins, one per concept (every value in its criterion's unit).
TURNKEY_BASIN = {
    # Strong demand (55 projects per 1,000 inhabitants, 65 % difficult, +8 % a year), two
    # vocational lycées 3 km from the main town, four employers' letters.
    "bmo_projects_per_1000": 55, "bmo_difficulty_rate": 65, "bmo_trend": 8, "catalogue_gap": 50,
    "unemployment_rate": 7.0, "unemployment_trend": 0, "job_seekers_per_1000": 75,
    "vocational_lycees": 2, "lycee_distance_km": 3, "shared_places": 1, "economic_hosts": 0,
    "cnam_distance_km": 60, "population": 50_000, "epci_commitment": 2, "employer_letters": 4,
    "premises_lent": 0,
}  # fmt: skip
TURNKEY_HOSTS = HostSummary(
    lycee_partners=("Lycée Gustave-Eiffel",), shared_places=("Mission locale",)
)

FAB_ID_BASIN = {
    # High and rising unemployment, many young job seekers, NEET and drop-outs, a Mission
    # Locale and premises lent by the town; modest demand.
    "bmo_projects_per_1000": 25, "bmo_difficulty_rate": 45, "bmo_trend": -2, "catalogue_gap": 20,
    "unemployment_rate": 10.5, "unemployment_trend": 0.6, "job_seekers_per_1000": 105,
    "young_job_seekers_share": 22, "neet_share": 20, "dropout_share": 12, "employed_adults": 74,
    "vocational_lycees": 1, "lycee_distance_km": 12, "shared_places": 2, "economic_hosts": 0,
    "cnam_distance_km": 70, "population": 40_000, "epci_commitment": 2, "employer_letters": 1,
    "premises_lent": 1,
}  # fmt: skip
FAB_ID_HOSTS = HostSummary(
    lycee_partners=("Lycée Gustave-Eiffel",),
    shared_places=("Mission locale du Pays de Brie",),
    town_lends_premises=True,
)

PROGRESSIVE_BASIN = {
    # Many employed adults (86 % employment rate at 25-54), a campus whose premises can grow,
    # far from any Cnam site; weaker immediate demand and low unemployment.
    "bmo_projects_per_1000": 18, "bmo_difficulty_rate": 40, "bmo_trend": 2, "catalogue_gap": 15,
    "unemployment_rate": 5.5, "unemployment_trend": -0.3, "job_seekers_per_1000": 55,
    "employed_adults": 86, "vocational_lycees": 1, "lycee_distance_km": 15, "shared_places": 1,
    "economic_hosts": 2, "cnam_distance_km": 75, "population": 90_000, "epci_commitment": 3,
    "employer_letters": 3, "premises_lent": 0,
}  # fmt: skip
# Every concept's constraint passes: the scores decide.
PROGRESSIVE_HOSTS = HostSummary(
    lycee_partners=("Lycée Gustave-Eiffel",),
    shared_places=("France Services",),
    economic_hosts=(("Campus connecté", True),),
)

# A near tie between Fab ID and turnkey (both constraints pass).
BALANCED_BASIN = {
    "bmo_projects_per_1000": 40, "bmo_difficulty_rate": 55, "bmo_trend": 0, "catalogue_gap": 65,
    "unemployment_rate": 8.5, "unemployment_trend": 0.2, "job_seekers_per_1000": 85,
    "vocational_lycees": 2, "lycee_distance_km": 8, "shared_places": 1, "economic_hosts": 0,
    "cnam_distance_km": 50, "population": 55_000, "epci_commitment": 2, "employer_letters": 2,
    "premises_lent": 1,
}  # fmt: skip
BALANCED_HOSTS = HostSummary(
    lycee_partners=("Lycée Gustave-Eiffel",),
    shared_places=("Mission locale",),
    town_lends_premises=True,
)


# --- Normalisation --------------------------------------------------------------------------


def test_normalise_minmax_clips_and_reverses() -> None:
    rule = {"method": "minmax", "low": 15, "high": 60, "reverse": False}
    assert normalise(37.5, rule) == 0.5
    assert normalise(10, rule) == 0.0
    assert normalise(80, rule) == 1.0
    reverse = {"method": "minmax", "low": 0, "high": 30, "reverse": True}
    assert normalise(6, reverse) == pytest.approx(0.8)  # 1 − 6/30


def test_normalise_steps_takes_the_highest_threshold_reached() -> None:
    rule = {"method": "steps", "steps": [[0, 0.0], [1, 0.4], [2, 0.75], [3, 1.0]]}
    assert [normalise(v, rule) for v in (0, 1, 2, 2.5, 3)] == [0.0, 0.4, 0.75, 0.75, 1.0]


def test_normalise_missing_stays_missing() -> None:
    assert normalise(None, {"method": "minmax", "low": 0, "high": 1}) is None
    assert normalise(math.nan, {"method": "minmax", "low": 0, "high": 1}) is None


# --- Scores ---------------------------------------------------------------------------------


def test_score_renormalises_the_weights_of_known_criteria_by_hand() -> None:
    # Known: 37.5 projects per 1,000 (→ 0.5) and 3 vocational lycées (→ 1.0); all else missing.
    scored = score_criteria(
        raw({"bmo_projects_per_1000": 37.5, "vocational_lycees": 3}), DEFAULT_PROFILE
    )
    scores = concept_scores(scored)

    # Turnkey weighs them 14 and 15 points: 100·14/29·0.5 + 100·15/29·1 = 75.862…
    by_code = scored.set_index("criterion")
    assert by_code.loc["bmo_projects_per_1000", contribution_column(TURNKEY)] == pytest.approx(
        100 * 14 / 29 * 0.5
    )
    assert by_code.loc["vocational_lycees", contribution_column(TURNKEY)] == pytest.approx(
        100 * 15 / 29
    )
    assert scores[TURNKEY] == pytest.approx(75.862, abs=1e-3)
    # Fab ID and progressive weigh only the projects (3 points each, 0 on lycées): 0.5 → 50.
    assert scores[FAB_ID] == pytest.approx(50.0)
    assert scores[PROGRESSIVE] == pytest.approx(50.0)
    assert concept_coverage(scored) == {TURNKEY: 0.29, FAB_ID: 0.03, PROGRESSIVE: 0.03}


def test_missing_criterion_is_missing_never_zero() -> None:
    with_missing = score_criteria(
        raw({"bmo_projects_per_1000": 37.5, "unemployment_rate": None}), DEFAULT_PROFILE
    )
    row = with_missing.set_index("criterion").loc["unemployment_rate"].to_dict()

    assert bool(row["missing"]) is True
    assert math.isnan(row["normalised"])
    assert row[contribution_column(FAB_ID)] == 0.0
    # Counting it as 0 would give Fab ID 100·3/15·0.5 = 10; left out, the score is 50.
    assert concept_scores(with_missing)[FAB_ID] == pytest.approx(50.0)


def test_concept_without_any_known_criterion_has_no_score() -> None:
    scores = concept_scores(score_criteria(raw({"vocational_lycees": 2}), DEFAULT_PROFILE))
    assert scores[FAB_ID] is None and scores[PROGRESSIVE] is None
    assert scores[TURNKEY] == pytest.approx(100 * 2 / 3)


def test_unknown_criterion_is_refused() -> None:
    with pytest.raises(ValueError, match="Critère\\(s\\) inconnu\\(s\\) : chomage_jeunes"):
        raw({"chomage_jeunes": 12})


# --- Constraints ----------------------------------------------------------------------------


def test_constraints_with_nothing_confirmed_all_fail_with_their_reason() -> None:
    constraints = constraints_check(HostSummary())

    assert [(c.concept, c.passed) for c in constraints] == [
        (TURNKEY, False),
        (FAB_ID, False),
        (PROGRESSIVE, False),
    ]
    assert "Aucun lycée professionnel ou technologique confirmé" in constraints[0].reason
    assert "(non renseigné)" in constraints[1].reason
    assert "Aucun campus" in constraints[2].reason


def test_fab_id_passes_with_premises_lent_and_progressive_needs_growing_premises() -> None:
    constraints = constraints_check(
        HostSummary(town_lends_premises=True, economic_hosts=(("CCI", False),))
    )
    assert constraints[1].passed is True
    assert "la commune prête des locaux" in constraints[1].reason
    assert constraints[2].passed is False
    assert "ne peuvent pas agrandir les locaux" in constraints[2].reason

    unknown = constraints_check(HostSummary(economic_hosts=(("Pépinière", None),)))[2]
    assert unknown.passed is True and "à vérifier" in unknown.reason


# --- The three hand-made basins ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "hosts", "expected"),
    [
        (TURNKEY_BASIN, TURNKEY_HOSTS, TURNKEY),
        (FAB_ID_BASIN, FAB_ID_HOSTS, FAB_ID),
        (PROGRESSIVE_BASIN, PROGRESSIVE_HOSTS, PROGRESSIVE),
    ],
    ids=["lycee-et-forte-demande", "chomage-et-mission-locale", "actifs-et-campus"],
)
def test_each_hand_made_basin_gets_its_concept_robustly(values, hosts, expected) -> None:  # type: ignore[no-untyped-def]
    result = recommend(raw(values), hosts, DEFAULT_PROFILE)

    assert result.concept == expected
    best = result.scores[expected]
    others = [result.scores[k] for k in CONCEPTS if k != expected]
    assert best is not None
    assert all(best > score + 15 for score in others if score is not None)
    assert result.label == ROBUST
    assert result.robustness == 1.0
    assert result.sensitivity.holds_on_every_drop


def test_turnkey_basin_scores_by_hand() -> None:
    result = recommend(raw(TURNKEY_BASIN), TURNKEY_HOSTS, DEFAULT_PROFILE)
    # Turnkey: Σ w·s over its known criteria, the 5 points on employed adults missing (95 of
    # 100 points known): 14·40/45 + 10·35/40 + 4·18/20 + 10·20/60 + 3·2/6 + 0·0.5 + 3·25/60
    # + 15·2/3 + 8·(1 − 3/30) + 2·0 + 6·50/70 + 4·20_000/70_000 + 6·0.75 + 8·4/5 + 2·0
    # = 63.906 points → × 100 / 95 = 67.27.
    assert result.scores[TURNKEY] == pytest.approx(6390.635 / 95, abs=1e-3)
    assert result.coverage[TURNKEY] == pytest.approx(0.95)
    # The progressive constraint fails (no campus): shown, not recommendable.
    assert result.eligible == {TURNKEY: True, FAB_ID: True, PROGRESSIVE: False}
    assert result.scores[PROGRESSIVE] is not None


def test_weight_change_flips_the_recommendation() -> None:
    basin = raw(BALANCED_BASIN)
    before = recommend(basin, BALANCED_HOSTS, DEFAULT_PROFILE)
    # An administrator gives the lycée partner more weight in the turnkey concept.
    profile = profile_with_weights(
        DEFAULT_PROFILE, {("vocational_lycees", TURNKEY): 40, ("lycee_distance_km", TURNKEY): 20}
    )
    after = recommend(basin, BALANCED_HOSTS, profile)

    assert before.concept == FAB_ID
    assert after.concept == TURNKEY
    # Weighting the public in difficulty more for Fab ID brings it back.
    back = recommend(
        basin,
        BALANCED_HOSTS,
        profile_with_weights(
            profile, {("unemployment_rate", FAB_ID): 40, ("premises_lent", FAB_ID): 40}
        ),
    )
    assert back.concept == FAB_ID


def test_weight_change_on_a_robust_basin_does_not_flip() -> None:
    profile = profile_with_weights(DEFAULT_PROFILE, {("vocational_lycees", TURNKEY): 10})
    assert recommend(raw(PROGRESSIVE_BASIN), PROGRESSIVE_HOSTS, profile).concept == PROGRESSIVE


def test_failing_constraint_excludes_the_best_score() -> None:
    # The progressive basin without its campus: progressive keeps the best score but the
    # recommendation goes to the best concept whose constraint holds.
    hosts = HostSummary(
        lycee_partners=("Lycée Gustave-Eiffel",), shared_places=("France Services",)
    )
    result = recommend(raw(PROGRESSIVE_BASIN), hosts, DEFAULT_PROFILE)

    assert max(result.scores, key=lambda k: result.scores[k] or 0) == PROGRESSIVE
    assert result.concept == TURNKEY
    assert "condition non remplie : Progressif" in result.reasons[0]


def test_no_concept_when_every_constraint_fails() -> None:
    result = recommend(raw(TURNKEY_BASIN), HostSummary(), DEFAULT_PROFILE)

    assert result.concept is None
    assert "Aucun concept ne remplit sa condition" in result.reasons[0]
    # Constraints do not depend on the weights: « none » holds in every draw.
    assert result.robustness == 1.0
    assert result.sensitivity.winner_shares["none"] == 1.0
    document = result.as_document()
    assert document["concept"] is None
    assert set(document["scores"]) == {TURNKEY, FAB_ID, PROGRESSIVE}


# --- Sensitivity ----------------------------------------------------------------------------


def test_monte_carlo_is_deterministic_for_a_seed() -> None:
    scored = score_criteria(raw(BALANCED_BASIN), DEFAULT_PROFILE)
    eligible = dict.fromkeys(CONCEPTS, True)

    first = monte_carlo(scored, eligible, draws=500, spread=0.2, seed=7)
    again = monte_carlo(scored, eligible, draws=500, spread=0.2, seed=7)
    other = monte_carlo(scored, eligible, draws=500, spread=0.2, seed=8)

    assert first == again
    assert first != other  # a near tie: the draws matter
    assert sum(first.values()) == pytest.approx(1.0)
    assert all(round(share * 500) == pytest.approx(share * 500) for share in first.values())
    assert 0 < first[FAB_ID] < 1


def test_monte_carlo_without_spread_always_holds() -> None:
    scored = score_criteria(raw(BALANCED_BASIN), DEFAULT_PROFILE)
    shares = monte_carlo(scored, dict.fromkeys(CONCEPTS, True), draws=50, spread=0.0, seed=1)
    assert shares[FAB_ID] == 1.0


def test_near_tie_is_fragile_with_its_reasons() -> None:
    result = recommend(raw(BALANCED_BASIN), BALANCED_HOSTS, DEFAULT_PROFILE)

    assert result.concept == FAB_ID
    fab_id, turnkey = result.scores[FAB_ID], result.scores[TURNKEY]
    assert fab_id is not None and turnkey is not None
    assert fab_id - turnkey < 1  # 59.2 vs 58.7
    assert result.label == FRAGILE
    assert result.robustness < 0.8
    # 341 of the 500 draws (seed 20260601; 342 before the 21st criterion drew its weight too).
    assert result.robustness == pytest.approx(0.682)
    dropped = {d.source: d for d in result.sensitivity.drops}
    # Without the BMO (its demand values, 0.5-0.63, sit below turnkey's average) or without
    # the declared partners (premises lent: 12 Fab ID points at 1.0), turnkey comes first.
    assert {s: d.concept for s, d in dropped.items() if not d.holds} == {
        "bmo": TURNKEY,
        "partners": TURNKEY,
    }
    assert "Fragile : la recommandation ne tient que dans 68 % des tirages" in result.reasons[-1]


def test_dropping_a_source_reports_the_concept_without_it() -> None:
    result = recommend(raw(TURNKEY_BASIN), TURNKEY_HOSTS, DEFAULT_PROFILE)
    drops = {d.source: d for d in result.sensitivity.drops}

    # Sources present in the basin, in the profile's order; the referential is never dropped.
    assert list(drops) == ["bmo", "chomage_ze", "defm", "catalogue", "lycees", "partners"]
    assert drops["bmo"].criteria == ["bmo_projects_per_1000", "bmo_difficulty_rate", "bmo_trend"]
    assert all(d.concept == TURNKEY and d.holds for d in drops.values())


def test_low_coverage_is_fragile() -> None:
    result = recommend(
        raw({"vocational_lycees": 2, "population": 50_000}), TURNKEY_HOSTS, DEFAULT_PROFILE
    )
    assert result.concept == TURNKEY
    assert result.coverage[TURNKEY] == pytest.approx(0.19)
    assert result.label == FRAGILE
    assert "seuls 19 % de ses poids" in result.reasons[-1]


# --- Profile validation ---------------------------------------------------------------------


def test_profile_errors_name_every_problem() -> None:
    profile = profile_with_weights(DEFAULT_PROFILE, {("population", TURNKEY): -1})
    profile["criteria"]["bmo_trend"]["normalisation"] = {"method": "minmax", "low": 5, "high": 5}
    profile["criteria"]["epci_commitment"]["normalisation"] = {
        "method": "steps",
        "steps": [[2, 0.5], [1, 1.5]],
    }
    profile["sensitivity"]["spread"] = 1.5
    profile["criteria"]["inconnu"] = {}

    problems = profile_errors(profile)

    assert any("critère « population » : poids « turnkey » positif ou nul" in p for p in problems)
    assert any("« high » (5) doit être supérieur à « low » (5)" in p for p in problems)
    assert any("score 1.5 hors de [0, 1]" in p for p in problems)
    assert any("strictement croissants" in p for p in problems)
    assert any("« spread » dans [0, 1[" in p for p in problems)
    assert any("Critère(s) inconnu(s) : inconnu" in p for p in problems)
    assert profile_errors(DEFAULT_PROFILE) == []


def test_invalid_profile_is_refused_before_scoring() -> None:
    profile = profile_with_weights(DEFAULT_PROFILE, {(c, FAB_ID): 0 for c in CRITERION_CODES})
    with pytest.raises(ValueError, match="« fab_id » n'a aucun poids strictement positif"):
        recommend(raw(TURNKEY_BASIN), TURNKEY_HOSTS, profile)


# --- Raw values -----------------------------------------------------------------------------


def test_diagnostic_raw_values_by_hand() -> None:
    document = {
        "years": {
            "2023": {"bmo_projects": 1000, "bmo_projects_per_1000": 20.0},
            "2024": {"bmo_projects": None},
            "2025": {
                "bmo_projects": 1210,
                "bmo_projects_per_1000": 24.2,
                "bmo_difficulty_rate": 0.55,
                "bmo_estimated": False,
            },
        },
        "unemployment": [
            {"period": "2022-T3", "rate": 5.0},
            {"period": "2023-T2", "rate": 5.4},
            {"period": "2023-T3", "rate": 5.6, "estimated": True},
        ],
        "job_seekers": [
            {"period": "2024-11", "value": 3900},
            {"period": "2024-12", "value": 4000},
            {"period": "2025-01", "value": None},
        ],
    }
    values = diagnostic_raw_values(
        document, population=50_000, vintages={"bmo": "2023, 2025", "defm": "2024-12"}
    )

    assert values["bmo_projects_per_1000"]["raw"] == 24.2
    assert values["bmo_difficulty_rate"]["raw"] == pytest.approx(55.0)
    assert values["bmo_trend"]["raw"] == pytest.approx(10.0)  # √(1210/1000) − 1 = +10 % a year
    assert values["unemployment_rate"]["raw"] == 5.6
    assert values["unemployment_trend"]["raw"] == pytest.approx(0.6)  # 2022-T3 → 2023-T3
    assert values["unemployment_rate"]["estimated"] is True
    assert values["job_seekers_per_1000"]["raw"] == 80.0  # 4,000 / 50,000 × 1,000
    assert values["job_seekers_per_1000"]["note"] == "2024-12"
    assert values["bmo_trend"]["vintage"] == "2023, 2025"


def test_diagnostic_raw_values_without_document() -> None:
    assert diagnostic_raw_values(None, population=1000, vintages={}) == {}


def test_gap_value_is_the_mean_of_the_first_paths() -> None:
    values = gap_raw_value([80, 60, 40, 20, 10, 5], top=5, ranked=6)
    assert values["catalogue_gap"]["raw"] == 42.0  # (80 + 60 + 40 + 20 + 10) / 5
    assert gap_raw_value([], top=5, ranked=0) == {}


def test_asset_counts_are_zero_only_once_the_inventory_is_done() -> None:
    common: dict[str, Any] = {
        "lycees_known": True,
        "vocational_lycees": 0,
        "lycees_unknown_flags": 0,
        "nearest_lycee_km": None,
        "shared_places": 0,
        "economic_hosts": 0,
        "epci_level": None,
        "letters": None,
        "premises_lent": None,
    }
    pending = asset_raw_values(**common, inventory_done=False)
    done = asset_raw_values(**common, inventory_done=True)

    assert pending["shared_places"]["raw"] is None
    assert pending["shared_places"]["note"] == "inventaire des structures non terminé"
    assert done["shared_places"]["raw"] == 0.0
    assert done["vocational_lycees"]["raw"] == 0.0
    assert done["employer_letters"]["raw"] is None  # letters not recorded: missing
    assert done["epci_commitment"]["note"] == "non renseigné"


def test_lycees_with_unpublished_paths_make_the_count_missing() -> None:
    values = asset_raw_values(
        lycees_known=True,
        vocational_lycees=0,
        lycees_unknown_flags=4,
        nearest_lycee_km=None,
        shared_places=0,
        economic_hosts=0,
        inventory_done=False,
        epci_level=None,
        letters=None,
        premises_lent=None,
    )
    assert values["vocational_lycees"]["raw"] is None
    assert "4 lycées sans indicateur officiel" in values["vocational_lycees"]["note"]


def test_basin_indicator_weights_communes_by_population_and_falls_back_to_zones() -> None:
    communes = pd.DataFrame(
        {
            "commune_code": ["99001", "99002", "99003"],
            "population": [6000, 3000, 1000],
            "epci_code": ["E1", "E1", "E2"],
            "zone_emploi_code": ["9901", "9901", "9902"],
            "bassin_bmo_code": ["101", "101", "101"],
            "departement_code": ["99", "99", "99"],
            "region_code": ["99", "99", "99"],
        }
    )
    facts = pd.DataFrame(
        [
            ("commune", "99001", "2021", "part_neet", 20.0, "2021"),
            ("commune", "99002", "2021", "part_neet", 10.0, "2021"),
            ("zone_emploi", "9901", "2021", "taux_neet", 15.0, "2021"),
            ("zone_emploi", "9902", "2021", "taux_neet", 25.0, "2021"),
            ("zone_emploi", "9901", "2019", "taux_neet", 99.0, "2019"),
        ],
        columns=["level", "code", "period", "indicator", "value", "vintage"],
    )

    # Communes cover 90 % of the population: (6000·20 + 3000·10) / 9000 = 16.67.
    found = basin_indicator(facts, communes, indicators=["part_neet", "taux_neet"])
    assert found is not None
    assert (found["variant"], found["level"]) == ("part_neet", "commune")
    assert found["value"] == pytest.approx(150_000 / 9000)
    assert found["coverage"] == pytest.approx(0.9)

    # Only the zones: every commune takes its zone's latest value, weighted by population:
    # (9000·15 + 1000·25) / 10000 = 16.
    zones = basin_indicator(facts, communes, indicators=["taux_neet"])
    assert zones is not None
    assert (zones["level"], zones["period"], zones["value"]) == ("zone_emploi", "2021", 16.0)

    assert basin_indicator(facts, communes, indicators=["part_decrocheurs"]) is None
