"""Regional planning, pure: candidates, need moved through the communes, programme fit, and the
choice of sites (greedy vs integer programming) — on hand-made instances worked out below."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from implantations.analytics import planning as p
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_fit as pfit
from implantations.analytics import planning_selection

# One degree of latitude along a meridian, with the haversine's Earth radius (6371.0088 km).
KM_PER_DEG_LAT = math.pi * 6371.0088 / 180  # 111.195 km


def communes_frame() -> pd.DataFrame:
    """c1 (1,000 hab., ZE Z1, bassin B1, région 44), c2 (3,000, Z1, B2, 44), c3 (1,000, Z2, B2,
    27): the two zonings do not nest."""
    return pd.DataFrame(
        [
            ("c1", "Un", 1000, 48.0, 5.0, "Z1", "B1", "44"),
            ("c2", "Deux", 3000, 48.1, 5.1, "Z1", "B2", "44"),
            ("c3", "Trois", 1000, 48.2, 5.2, "Z2", "B2", "27"),
        ],
        columns=pc.COMMUNE_COLUMNS,
    )


def bmo_totals() -> pd.DataFrame:
    return pd.DataFrame(
        [("B1", 100, 40, 80, 2025), ("B2", 200, 30, 150, 2025)], columns=pc.BMO_TOTAL_COLUMNS
    )


def unemployment() -> pd.DataFrame:
    return pd.DataFrame(
        [("Z1", 8.0, "2023-T3"), ("Z2", 12.0, "2023-T3")], columns=pc.UNEMPLOYMENT_LATEST_COLUMNS
    )


# --- Candidates -----------------------------------------------------------------------------------
def test_zone_members_keeps_zones_whose_main_town_is_in_the_region():
    # Z1's main town is c2 (3,000, région 44): kept. Z2's is c3 (région 27): not kept.
    # B2's main town is c2 (44): kept with its commune c3 of région 27.
    ze = p.zone_members(communes_frame(), level="zone_emploi", region_code="44")
    bmo = p.zone_members(communes_frame(), level="bassin_bmo", region_code="44")

    assert ze.to_numpy().tolist() == [["Z1", "c1"], ["Z1", "c2"]]
    assert bmo.to_numpy().tolist() == [["B1", "c1"], ["B2", "c2"], ["B2", "c3"]]


def test_zone_members_unknown_level_is_refused():
    with pytest.raises(ValueError, match="Niveau inconnu : « epci »"):
        p.zone_members(communes_frame(), level="epci", region_code="44")


def test_candidate_summary_population_and_main_town():
    members = p.zone_members(communes_frame(), level="bassin_bmo", region_code="44")

    summary = p.candidate_summary(members, communes_frame())

    assert summary[
        [pc.CANDIDATE_ID, pc.POPULATION, pc.COMMUNES_COUNT, pc.MAIN_TOWN]
    ].to_numpy().tolist() == [
        ["B1", 1000, 1, "Un"],
        ["B2", 4000, 2, "Deux"],
    ]


def test_candidate_summary_given_main_town_wins():
    members = p.zone_members(communes_frame(), level="bassin_bmo", region_code="44")

    summary = p.candidate_summary(members, communes_frame(), main_towns={"B2": "c3"})

    assert summary.set_index(pc.CANDIDATE_ID).loc["B2", pc.MAIN_TOWN] == "Trois"


def test_with_nearest_site_distance_along_a_meridian():
    candidates = pd.DataFrame(
        {pc.CANDIDATE_ID: ["A", "B"], pc.LATITUDE: [48.0, None], pc.LONGITUDE: [5.0, None]}
    )
    sites = pd.DataFrame([("Loin", 49.0, 5.0), ("Près", 48.5, 5.0)], columns=pc.SITE_POINT_COLUMNS)

    out = p.with_nearest_site(candidates, sites)

    assert out[pc.NEAREST_SITE].iloc[0] == "Près"
    assert out[pc.NEAREST_SITE_KM].iloc[0] == pytest.approx(0.5 * KM_PER_DEG_LAT, abs=1e-6)
    assert pd.isna(out[pc.NEAREST_SITE_KM].iloc[1])


# --- Need ---------------------------------------------------------------------------------------
def test_candidate_need_moves_bmo_and_unemployment_through_the_communes():
    # By zone d'emploi. Z1 = c1 (B1, 1,000) + c2 (B2, 3,000); bassin populations B1 = 1,000,
    # B2 = 4,000, so Z1 takes all of B1 and 3/4 of B2:
    #   projects = 100 + 0.75 × 200 = 250 → 250 × 1000 / 4,000 = 62.5 per 1,000;
    #   difficulty = (40 + 0.75 × 30) / (80 + 0.75 × 150) = 62.5 / 192.5 = 0.324675…
    # Z2 = c3 (1/4 of B2): projects 50 → 50 per 1,000; difficulty 7.5 / 37.5 = 0.2.
    communes = communes_frame()
    members = pd.DataFrame(
        {pc.CANDIDATE_ID: ["Z1", "Z1", "Z2"], pc.COMMUNE_CODE: ["c1", "c2", "c3"]}
    )

    need = p.candidate_need(members, communes, bmo_totals=bmo_totals(), unemployment=unemployment())

    by_id = need.set_index(pc.CANDIDATE_ID)
    assert by_id.loc["Z1", pc.PROJECTS] == pytest.approx(250.0)
    assert by_id.loc["Z1", pc.PROJECTS_PER_1000] == pytest.approx(62.5)
    assert by_id.loc["Z1", pc.DIFFICULTY_RATE] == pytest.approx(62.5 / 192.5)
    assert by_id.loc["Z1", pc.UNEMPLOYMENT_RATE] == pytest.approx(8.0)
    assert by_id.loc["Z2", pc.PROJECTS_PER_1000] == pytest.approx(50.0)
    assert by_id.loc["Z2", pc.DIFFICULTY_RATE] == pytest.approx(0.2)
    assert by_id.loc["Z2", pc.UNEMPLOYMENT_RATE] == pytest.approx(12.0)
    assert by_id.loc["Z1", pc.UNEMPLOYMENT_PERIOD] == "2023-T3"
    assert by_id.loc["Z1", pc.BMO_YEAR] == 2025


def test_candidate_need_unemployment_of_a_bassin_is_population_weighted():
    # B2 = c2 (Z1 at 8 %, 3,000 hab.) + c3 (Z2 at 12 %, 1,000): (8 × 3000 + 12 × 1000) / 4000 = 9.
    members = pd.DataFrame({pc.CANDIDATE_ID: ["B2", "B2"], pc.COMMUNE_CODE: ["c2", "c3"]})

    need = p.candidate_need(
        members, communes_frame(), bmo_totals=bmo_totals(), unemployment=unemployment()
    )

    assert need[pc.UNEMPLOYMENT_RATE].iloc[0] == pytest.approx(9.0)
    assert need[pc.PROJECTS_PER_1000].iloc[0] == pytest.approx(50.0)


def test_candidate_need_without_facts_is_unknown_not_zero():
    members = pd.DataFrame({pc.CANDIDATE_ID: ["Z1"], pc.COMMUNE_CODE: ["c1"]})

    need = p.candidate_need(
        members,
        communes_frame(),
        bmo_totals=pd.DataFrame(columns=pc.BMO_TOTAL_COLUMNS),
        unemployment=pd.DataFrame(columns=pc.UNEMPLOYMENT_LATEST_COLUMNS),
    )

    assert need[pc.UNEMPLOYMENT_RATE].isna().all()
    assert need[pc.PROJECTS_PER_1000].isna().all()
    assert need[pc.DIFFICULTY_RATE].isna().all()


# --- Fit ------------------------------------------------------------------------------------------
def fit_input() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("X", 50_000, 20_000, 100.0, 10.0, 40.0, 0.6),
            ("Y", 150_000, 120_000, 25.0, 6.0, 20.0, 0.4),
            ("Z", 20_000, 5_000, None, 8.0, 30.0, 0.5),
        ],
        columns=pc.FIT_INPUT_COLUMNS,
    )


def test_programme_fit_ranking_worked_by_hand():
    # Weights 0.3 / 0.5 / 0.2; far_km = 50.
    # X: population and main town within bounds → éligibilité 1; every need indicator is the
    #    highest → besoin 1; 100 km ≥ 50 → éloignement 1; fit 100.
    # Y: 100,000/150,000 = 0.6667 and 100,000/120,000 = 0.8333 → éligibilité 0.75; every
    #    indicator the lowest → besoin 0; 25/50 = 0.5; fit = 100 × (0.225 + 0 + 0.1) = 32.5.
    # Z: 20,000/30,000 = 0.6667 and 5,000/10,000 = 0.5 → 0.58333; each indicator halfway →
    #    besoin 0.5; no Cnam site known → éloignement missing, weights renormalised:
    #    fit = 100 × (0.3 × 0.58333 + 0.5 × 0.5) / 0.8 = 53.125.
    fit = pfit.programme_fit(fit_input())

    assert fit[pc.CANDIDATE_ID].tolist() == ["X", "Z", "Y"]
    assert fit[pc.RANK].tolist() == [1, 2, 3]
    assert fit[pc.FIT].tolist() == pytest.approx([100.0, 53.125, 32.5])
    by_id = fit.set_index(pc.CANDIDATE_ID)
    assert by_id.loc["Y", pc.ELIGIBILITY_SCORE] == pytest.approx(0.75)
    assert by_id.loc["Y", pc.ACCESS_SCORE] == pytest.approx(0.5)
    assert by_id.loc["Z", pc.NEED_SCORE] == pytest.approx(0.5)
    assert by_id[pc.ELIGIBLE].tolist() == [True, False, False]
    assert by_id.loc["Z", pc.MISSING] == "éloignement"
    assert by_id.loc["X", pc.MISSING] == ""


def test_programme_fit_weights_flip_the_ranking():
    # Only the distance counts: X 1.0 → 100, Y 0.5 → 50, Z has no distance → no fit, last.
    fit = pfit.programme_fit(fit_input(), weights=pfit.FitWeights(eligibility=0, need=0, access=1))

    assert fit[pc.CANDIDATE_ID].tolist() == ["X", "Y", "Z"]
    assert fit[pc.FIT].iloc[1] == pytest.approx(50.0)
    assert pd.isna(fit[pc.FIT].iloc[2])


def test_programme_fit_refuses_negative_weights_and_missing_columns():
    with pytest.raises(ValueError, match="Poids négatifs : besoin"):
        pfit.programme_fit(fit_input(), weights=pfit.FitWeights(need=-1))
    with pytest.raises(
        ValueError, match="Colonnes manquantes dans les candidats : difficulty_rate"
    ):
        pfit.programme_fit(fit_input().drop(columns=[pc.DIFFICULTY_RATE]))


def test_band_score():
    assert pfit.band_score(15_000, 30_000, 100_000) == pytest.approx(0.5)
    assert pfit.band_score(200_000, 30_000, 100_000) == pytest.approx(0.5)
    assert pfit.band_score(30_000, 30_000, 100_000) == 1.0
    assert pfit.band_score(None, 30_000, 100_000) is None


# --- Selection ------------------------------------------------------------------------------------
def selection_frame(rows: list[tuple[str, float, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=planning_selection.SELECTION_INPUT_COLUMNS)


def line_instance() -> pd.DataFrame:
    """Three main towns on the meridian 5°E: B at 48.00°N, A 0.27° north (30.0 km), C 0.54°
    north (60.0 km from B). Values A 10, B 7, C 7; cost 1 each."""
    return selection_frame(
        [
            ("A", 10.0, 1.0, 48.27, 5.0),
            ("B", 7.0, 1.0, 48.00, 5.0),
            ("C", 7.0, 1.0, 48.54, 5.0),
        ]
    )


def test_greedy_is_suboptimal_with_the_distance_and_the_ilp_finds_the_optimum():
    # min 40 km, n = 2. A-B and A-C are 30.0 km apart (< 40: conflicts), B-C 60.0 km (allowed).
    # Greedy takes A (10), then B and C both conflict with A: 10.
    # Feasible sets: {A} 10, {B} 7, {C} 7, {B, C} 14 → optimum 14 = B + C.
    # Gap = (14 − 10) / 14 = 0.285714…
    selection = planning_selection.sites_select(line_instance(), n=2, min_km=40)

    assert selection.conflicts == 2
    assert selection.greedy_chosen == ("A",)
    assert selection.greedy_objective == pytest.approx(10.0)
    assert selection.ilp_chosen == ("B", "C")
    assert selection.ilp_objective == pytest.approx(14.0)
    assert selection.ilp_optimal is True
    assert selection.method == planning_selection.METHOD_ILP
    assert selection.chosen == ("B", "C")
    assert selection.objective == pytest.approx(14.0)
    assert selection.gap == pytest.approx(4 / 14)
    assert selection.mip_gap == pytest.approx(0.0, abs=1e-9)


def test_distance_constraint_below_threshold_lets_greedy_take_the_best_pair():
    # min 25 km: no pair is closer than 30 km, so both methods take A + one of B/C (17).
    # Greedy tie between B and C (value 7, cost 1): the smaller id, B.
    selection = planning_selection.sites_select(line_instance(), n=2, min_km=25)

    assert selection.conflicts == 0
    assert selection.greedy_chosen == ("A", "B")
    assert selection.objective == pytest.approx(17.0)
    assert selection.gap == pytest.approx(0.0)


def test_conflict_pairs_by_distance():
    frame = planning_selection._check_selection(line_instance(), n=1, budget=None, min_km=31)
    # Sorted as given: A (0), B (1), C (2); A-B and A-C are 30.0 km apart.
    assert planning_selection.conflict_pairs(frame, min_km=31) == [(0, 1), (0, 2)]
    assert planning_selection.conflict_pairs(frame, min_km=61) == [(0, 1), (0, 2), (1, 2)]
    assert planning_selection.conflict_pairs(frame, min_km=29) == []


def test_greedy_is_suboptimal_with_the_budget_and_the_ilp_finds_the_optimum():
    # Budget 100, n = 3, towns far apart. A: value 10, cost 100; B and C: value 6, cost 50.
    # Greedy takes A (spends 100), then B and C no longer fit: 10.
    # Optimum: B + C = 12 for a cost of 100 (A + anything exceeds the budget).
    # Gap = (12 − 10) / 12 = 1/6.
    frame = selection_frame(
        [
            ("A", 10.0, 100.0, 45.0, 1.0),
            ("B", 6.0, 50.0, 47.0, 3.0),
            ("C", 6.0, 50.0, 49.0, 5.0),
        ]
    )

    selection = planning_selection.sites_select(frame, n=3, budget=100, min_km=40)

    assert selection.greedy_chosen == ("A",)
    assert selection.chosen == ("B", "C")
    assert selection.cost == pytest.approx(100.0)
    assert selection.gap == pytest.approx(1 / 6)


def test_count_limit_and_site_over_budget_alone():
    # n = 1: the best value that fits. D costs 500 > budget 300 on its own: excluded and said.
    frame = selection_frame(
        [
            ("A", 10.0, 200.0, 45.0, 1.0),
            ("B", 8.0, 100.0, 47.0, 3.0),
            ("D", 50.0, 500.0, 49.0, 5.0),
        ]
    )

    selection = planning_selection.sites_select(frame, n=1, budget=300)

    assert selection.chosen == ("A",)
    assert selection.excluded == {"D": "coût supérieur au budget à lui seul"}
    assert selection.gap == pytest.approx(0.0)


def test_unlocated_candidate_is_left_out_when_distances_matter():
    frame = selection_frame([("A", 10.0, 1.0, None, None), ("B", 5.0, 1.0, 48.0, 5.0)])

    selection = planning_selection.sites_select(frame, n=2, min_km=10)

    assert selection.chosen == ("B",)
    assert selection.excluded == {"A": "ville principale sans coordonnées"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "Le nombre de sites doit être au moins 1 \\(reçu : 0\\)"),
        ({"n": 2, "budget": -5}, "Le budget doit être positif ou nul \\(reçu : -5\\)"),
        ({"n": 2, "min_km": -1}, "La distance minimale doit être positive ou nulle"),
    ],
)
def test_selection_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        planning_selection.sites_select(line_instance(), **kwargs)


def test_selection_bad_costs_are_named():
    frame = selection_frame([("A", 10.0, -1.0, 48.0, 5.0), ("B", 5.0, None, 48.0, 5.0)])

    with pytest.raises(ValueError, match="Coût manquant ou négatif pour : A, B"):
        planning_selection.sites_select(frame, n=1)


def test_selection_with_no_candidate():
    selection = planning_selection.sites_select(selection_frame([]), n=3)

    assert selection.chosen == ()
    assert selection.objective == 0.0
    assert selection.gap == 0.0
