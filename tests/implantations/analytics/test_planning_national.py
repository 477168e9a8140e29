"""National planning, pure: the selection's bound and gap, coverage counted once per commune,
the table by region and the trade-off curve, on hand-computed cases (issue 16)."""

from __future__ import annotations

import pandas as pd
import pytest

from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_national as nat
from implantations.analytics import planning_selection as psel
from implantations.analytics.planning_national_charts import (
    NOT_RANKED_LABEL,
    national_plan_figure,
    tradeoff_figure,
)

KM_PER_DEG = 111.19508  # one degree of latitude with the haversine's radius


def _candidates() -> pd.DataFrame:
    """Four candidates on the meridian 2°E (min 30 km: A–B 22.2 km and B–C 22.2 km conflict,
    A–C 44.5 km do not):

    | id | lat  | value | cost |
    | A  | 45.0 |  50   | 100  |
    | B  | 45.2 |  40   |  60  |
    | C  | 45.4 |  40   |  60  |
    | D  | 46.0 |  30   |  50  |
    """
    return pd.DataFrame(
        {
            pc.CANDIDATE_ID: ["A", "B", "C", "D"],
            psel.VALUE: [50.0, 40.0, 40.0, 30.0],
            psel.COST: [100.0, 60.0, 60.0, 50.0],
            pc.LATITUDE: [45.0, 45.2, 45.4, 46.0],
            pc.LONGITUDE: [2.0, 2.0, 2.0, 2.0],
        }
    )


def test_budget_and_spacing_greedy_misses_the_optimum_and_the_gap_is_bounded():
    # Budget 120, n 3, 30 km. Greedy: A (100), then B conflicts, C (160 > 120) and D (150 >
    # 120) do not fit → 50. Optimum: B or C with D, cost 110 → 70 (B–C conflict, A + any
    # other is over budget). Greedy gap = 20 / 70.
    selection = psel.sites_select(_candidates(), n=3, budget=120.0, min_km=30.0)

    assert selection.greedy_chosen == ("A",)
    assert selection.greedy_objective == pytest.approx(50.0)
    assert selection.method == psel.METHOD_ILP
    assert selection.objective == pytest.approx(70.0)
    assert selection.cost == pytest.approx(110.0)
    assert set(selection.chosen) in ({"B", "D"}, {"C", "D"})
    assert selection.conflicts == 2
    assert selection.gap == pytest.approx(20 / 70)
    # The solver's dual bound proves the optimum (HiGHS stops within 0.01 %).
    assert selection.bound == pytest.approx(70.0, rel=1e-4)
    assert selection.bound_source == "borne duale du solveur (HiGHS)"
    assert selection.gap_bound is not None and selection.gap_bound <= 1e-4
    assert selection.greedy_gap_bound == pytest.approx(20 / 70, rel=1e-3)
    assert selection.as_dict()["gap_bound"] == pytest.approx(0.0, abs=1e-4)


def test_spacing_alone_picks_a_and_c_and_keeps_b_out():
    # No budget, n 2, 30 km: A + C (44.5 km apart) = 90; A + B would be 90 too but they are
    # 22.2 km apart.
    selection = psel.sites_select(_candidates(), n=2, budget=None, min_km=30.0)

    assert set(selection.chosen) == {"A", "C"}
    assert selection.objective == pytest.approx(90.0)


def test_lp_relaxation_bounds_a_knapsack_by_hand():
    # Values 60 and 50, both cost 100, budget 150, no distance: the relaxation takes all of
    # the first and half of the second (85); the integer optimum is 60.
    frame = pd.DataFrame(
        {
            pc.CANDIDATE_ID: ["x", "y"],
            psel.VALUE: [60.0, 50.0],
            psel.COST: [100.0, 100.0],
            pc.LATITUDE: [45.0, 46.0],
            pc.LONGITUDE: [2.0, 2.0],
        }
    )

    assert psel.lp_bound(frame, n=2, budget=150.0, conflicts=[]) == pytest.approx(85.0)
    assert psel.sites_select(frame, n=2, budget=150.0).objective == pytest.approx(60.0)


def test_gap_bound_of_a_selection_stopped_before_the_optimum():
    # A kept solution of 60 with a bound of 85 is at most 25 / 85 = 29.41 % below the optimum.
    selection = psel.Selection(
        method=psel.METHOD_GREEDY, chosen=("x",), objective=60.0, cost=100.0,
        greedy_chosen=("x",), greedy_objective=60.0, ilp_chosen=None, ilp_objective=None,
        ilp_status="pas de solution", ilp_optimal=False, mip_gap=None, gap=None, n=2,
        budget=150.0, min_km=0.0, conflicts=0, bound=85.0,
        bound_source="relaxation linéaire (HiGHS)",
    )  # fmt: skip

    assert selection.gap_bound == pytest.approx(25 / 85)
    assert selection.as_dict()["gap_bound"] == pytest.approx(0.294118)


def _weights() -> pd.DataFrame:
    return pd.DataFrame(
        {
            pc.COMMUNE_CODE: ["a1", "a2", "c1", "x1"],
            pc.REGION_CODE: ["R1", "R1", "R2", "R2"],
            pc.POPULATION: [100.0, 50.0, 30.0, 820.0],
            pc.PROJECTS: [10.0, 5.0, 3.0, 32.0],
        }
    )


def _membership() -> pd.DataFrame:
    # A and C share a2 (a registered basin overlapping a zone): counted once.
    return pd.DataFrame(
        {
            pc.CANDIDATE_ID: ["A", "A", "C", "C", "D"],
            pc.COMMUNE_CODE: ["a1", "a2", "c1", "a2", "x1"],
        }
    )


def test_coverage_counts_each_commune_once():
    covered = nat.coverage(_membership(), _weights(), ["A", "C"])

    # a1 + a2 + c1 = 180 of 1,000 inhabitants; 18 of 50 projects.
    assert covered.population == pytest.approx(180.0)
    assert covered.population_share == pytest.approx(0.18)
    assert covered.projects_share == pytest.approx(0.36)


def test_commune_weights_share_a_bassins_projects_by_population():
    communes = pd.DataFrame(
        {
            pc.COMMUNE_CODE: ["c1", "c2", "c3", "c4"],
            pc.NAME: ["Un", "Deux", "Trois", "Quatre"],
            pc.POPULATION: pd.array([300, 100, 50, None], dtype="Int64"),
            pc.LATITUDE: [45.0] * 4,
            pc.LONGITUDE: [2.0] * 4,
            pc.ZONE_EMPLOI_CODE: ["z"] * 4,
            pc.BASSIN_BMO_CODE: ["b1", "b1", "b2", "b1"],
            pc.REGION_CODE: ["R1"] * 4,
        }
    )
    totals = pd.DataFrame(
        {
            pc.BASSIN_BMO_CODE: ["b1"],
            pc.PROJECTS: [40],
            pc.DIFFICULT: [10],
            pc.DIFFICULTY_BASE: [40],
            pc.YEAR: [2025],
        }
    )

    out = nat.commune_weights(communes, bmo_totals=totals)

    # b1: 400 inhabitants known → c1 3/4 of 40, c2 1/4; c3's bassin has no figure; c4 has no
    # population (counted 0).
    assert out[pc.PROJECTS].tolist() == pytest.approx([30.0, 10.0, 0.0, 0.0])
    assert out[pc.POPULATION].tolist() == pytest.approx([300.0, 100.0, 50.0, 0.0])


def test_region_table_by_hand():
    candidates = pd.DataFrame(
        {
            pc.CANDIDATE_ID: ["A", "C", "D"],
            pc.REGION_CODE: ["R1", "R2", "R2"],
            nat.REGION: ["Région Un", "Région Deux", "Région Deux"],
            nat.RANKED: [True, True, False],
            nat.SELECTED: [True, True, False],
            nat.COST: [100.0, 60.0, 50.0],
        }
    )

    out = nat.region_table(candidates, membership=_membership(), weights=_weights())

    assert out[nat.REGION].tolist() == ["Région Deux", "Région Un"]
    deux, un = out.to_dict("records")
    assert (deux[nat.CANDIDATES], deux[nat.RANKED], deux[nat.CHOSEN]) == (2, 1, 1)
    assert deux[nat.COST] == pytest.approx(60.0)
    # R2: c1 (30) covered of 850; R1: a1 + a2 (150) of 150 — a2 reached through C counts for
    # R1, where the commune is.
    assert deux[nat.POPULATION_SHARE] == pytest.approx(30 / 850)
    assert deux[nat.PROJECTS_SHARE] == pytest.approx(3 / 35)
    assert un[nat.POPULATION_SHARE] == pytest.approx(1.0)
    assert un[nat.COST] == pytest.approx(100.0)


def test_tradeoff_curve_along_the_budget_by_hand():
    # Budget 120 → points at 30, 60, 90, 120, 150, 180 and 240 (n 3, 30 km):
    # 30 nothing affordable; 60 and 90 one of B/C (40); 120 B or C + D (70); 150 A + D (80);
    # 180 A + C (90); 240 A + C + D (120).
    curve = nat.tradeoff_curve(
        _candidates(),
        membership=_membership(),
        weights=_weights(),
        n=3,
        budget=120.0,
        min_km=30.0,
    )

    assert curve[nat.STEP].tolist() == [30.0, 60.0, 90.0, 120.0, 150.0, 180.0, 240.0]
    assert curve[nat.OBJECTIVE].tolist() == pytest.approx([0, 40, 40, 70, 80, 90, 120])
    assert curve[nat.SITES].tolist() == [0, 1, 1, 2, 2, 2, 3]
    assert curve[nat.CURRENT].tolist() == [False, False, False, True, False, False, False]
    # At 240: every commune of A, C and D → all the population.
    assert curve[nat.POPULATION_SHARE].iloc[-1] == pytest.approx(1.0)
    assert curve[nat.POPULATION_SHARE].iloc[0] == pytest.approx(0.0)


def test_tradeoff_without_budget_varies_the_number_of_sites():
    axis, steps = nat.tradeoff_steps(n=3, budget=None)
    curve = nat.tradeoff_curve(
        _candidates(), membership=_membership(), weights=_weights(), n=3, budget=None, min_km=30
    )

    assert axis == nat.AXIS_N and steps == [1.0, 2.0, 3.0]
    # 1 site: A (50); 2: A + C (90); 3: A + C + D (120).
    assert curve[nat.OBJECTIVE].tolist() == pytest.approx([50, 90, 120])
    figure = tradeoff_figure(curve)
    assert figure.layout.xaxis.title.text == "nombre de sites au plus"
    assert [t.name for t in figure.data][:2] == [
        "Population couverte",
        "Projets de recrutement couverts (BMO)",
    ]


def _square(lon: float, lat: float) -> dict[str, object]:
    ring = [[lon, lat], [lon + 0.2, lat], [lon + 0.2, lat + 0.2], [lon, lat + 0.2], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_national_map_puts_sites_on_their_map_or_inset():
    frame = pd.DataFrame(
        {
            "code": ["A", "R"],
            pc.NAME: ["Alpha", "Réunion"],
            "region_code": ["44", "04"],
            "geometry": [_square(5.0, 48.0), _square(55.4, -21.2)],
            pc.FIT: [80.0, 60.0],
            pc.LATITUDE: [48.1, -21.1],
            pc.LONGITUDE: [5.1, 55.5],
            "selected": [True, True],
            "ranked": [True, False],
        }
    )
    sites = pd.DataFrame({pc.NAME: ["Cnam"], pc.LATITUDE: [10.0], pc.LONGITUDE: [-60.0]})

    figure = national_plan_figure(frame, sites=sites)

    stars = [t for t in figure.data if t.name == "Sites proposés"]
    # One star on the metropolitan map (axis x), one on La Réunion's inset (x2).
    assert sorted((t.xaxis, len(t.x)) for t in stars) == [("x", 1), ("x2", 1)]
    # The site far from every drawn basin falls on no map.
    assert figure.layout.meta["off_map"] == 1
    # A candidate that is not ranked is grey, named as such, not coloured by its fit.
    assert NOT_RANKED_LABEL in {t.name for t in figure.data}
