"""The gap analysis on tiny frames, every figure worked out by hand in the comments."""

import math

import pandas as pd
import pytest

from catalogue.analytics import columns as g
from catalogue.analytics.gap import gap_filter, training_gap
from catalogue.analytics.gap_params import NO_BMO_DATA, NO_OCCUPATION, NO_PROJECTS, GapParams
from catalogue.analytics.gap_records import gap_records
from diagnostics.analytics import columns
from diagnostics.analytics.common import NBSP


def paths_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            # id, code, title, sector, concepts, publics, bmo, rome
            (1, "COM-01", "Vente", "Commerce", ("clef_en_main",), ("demandeurs_emploi",),
             ("R1X60", "R1Z60"), ("D1106",)),
            (2, "IND-01", "Soudage", "Industrie", ("clef_en_main", "progressif"), ("salaries",),
             ("D1X33",), ("H2913",)),
            (3, "HOT-01", "Service en salle", "Hôtellerie", ("fab_id",), ("decrocheurs",),
             ("S2X61",), ("G1803",)),
            (4, "ORI-01", "Module DOC", "Orientation", ("fab_id",), ("decrocheurs",), (), ()),
            (5, "AGR-01", "Agroalimentaire", "Agroalimentaire", ("clef_en_main",), ("salaries",),
             ("E3X40",), ()),
        ],
        columns=g.PATH_COLUMNS,
    )  # fmt: skip


def bmo_frame() -> pd.DataFrame:
    rows = [
        # year, métier, projects, difficult, difficulty_base, seasonal, seasonal_base, masked
        (2023, "R1Z60", 80, 40, 80, 10, 80, 0),
        (2025, "R1X60", 100, 60, 100, 20, 100, 1),
        (2024, "D1X33", 40, 30, 40, 0, 40, 0),
        (2025, "D1X33", 50, 45, 50, 0, 50, 0),
        (2025, "S2X61", 200, 120, 200, 180, 200, 0),
        (2025, "A0X40", 300, 10, 300, 0, 300, 0),  # no path leads to it
    ]
    return pd.DataFrame(rows, columns=g.BMO_METIER_COLUMNS)


def metier_tension_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            columns.METIER_CODE: ["R1X60", "D1X33"],
            columns.IN_TENSION: [True, True],
            columns.DURABLE: [False, True],
        }
    )


def rome_tension_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            columns.YEAR: [2019, 2021, 2021, 2021],
            columns.ROME_CODE: ["D1106", "D1106", "H2913", "G1803"],
            columns.JOB_SEEKERS_ABC: [999.0, 120.0, 60.0, 40.0],
            columns.PUBLISHED_TENSION: [1.0, 5.0, 4.0, 5.0],
            columns.WORKING_CONDITIONS: [5.0, 2.0, 3.0, 5.0],
            columns.NON_DURABLE_EMPLOYMENT: [5.0, 3.0, 2.0, 4.0],
        }
    )


def supply_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            g.PATH_ID: [2, None],
            g.BMO_CODES: [(), ("R1X60",)],
            g.ROME_CODES: [(), ()],
            g.PLACES: [10, 25],
        }
    )


@pytest.fixture
def result():
    return training_gap(
        paths_frame(),
        bmo=bmo_frame(),
        metier_tension=metier_tension_frame(),
        rome_tension=rome_tension_frame(),
        supply=supply_frame(),
    )


def line(result, code: str) -> dict:
    lines = result.lines.set_index(g.PATH_CODE)
    return lines.loc[code].to_dict()


def test_training_gap_demand_figures_of_each_path(result) -> None:
    vente, soudage, salle = line(result, "COM-01"), line(result, "IND-01"), line(result, "HOT-01")

    # Vente: 2025 R1X60 only (R1Z60 is the 2023 code) → 100 projects, 60 difficult (60 %),
    # 20 seasonal (20 %), 1 masked cell; trend from 2023 (80): (100 − 80) / 80 = +25 %, across
    # the nomenclature break (R1Z60 → R1X60).
    assert (vente[columns.PROJECTS], vente[columns.DIFFICULT], vente[columns.MASKED_CELLS]) == (
        100,
        60,
        1,
    )
    assert vente[g.DIFFICULTY_RATE] == pytest.approx(0.6)
    assert vente[g.SEASONAL_RATE] == pytest.approx(0.2)
    assert (vente[g.FIRST_YEAR], vente[g.LAST_YEAR]) == (2023, 2025)
    assert vente[g.TREND] == pytest.approx(0.25)
    assert vente[g.TREND_BREAK] is True
    # Only the 2021 tension row counts (the 2019 one has 999 job seekers).
    assert (vente[g.JOB_SEEKERS], vente[g.TENSION], vente[g.TENSION_YEAR]) == (120, 5, 2021)
    assert (vente[g.METIERS_IN_TENSION], vente[g.METIERS_DURABLE]) == (1, 0)

    # Soudage: 2024 → 2025, 40 → 50 projects: +25 %, same nomenclature.
    assert soudage[g.TREND] == pytest.approx(0.25)
    assert soudage[g.TREND_BREAK] is False
    assert soudage[g.DIFFICULTY_RATE] == pytest.approx(45 / 50)
    assert (soudage[g.METIERS_IN_TENSION], soudage[g.METIERS_DURABLE]) == (1, 1)

    # Service en salle: no earlier year, no trend.
    assert salle[columns.PROJECTS] == 200
    assert pd.isna(salle[g.TREND])
    assert salle[g.SEASONAL_RATE] == pytest.approx(0.9)


def test_training_gap_supply_counts_direct_and_overlapping_offers(result) -> None:
    # Offer of path 2 (10 places) → soudage; free offer on R1X60 (25 places) → vente.
    assert (line(result, "COM-01")[g.PLACES], line(result, "COM-01")[g.OFFERS_COUNT]) == (25, 1)
    assert (line(result, "IND-01")[g.PLACES], line(result, "IND-01")[g.OFFERS_COUNT]) == (10, 1)
    assert line(result, "HOT-01")[g.PLACES] == 0
    # Coverage = places / projects: 25 / 100 and 10 / 50.
    assert line(result, "COM-01")[g.COVERAGE] == pytest.approx(0.25)
    assert line(result, "IND-01")[g.COVERAGE] == pytest.approx(0.2)
    assert line(result, "HOT-01")[g.COVERAGE] == 0


def test_training_gap_components_and_scores_by_hand(result) -> None:
    vente, soudage, salle = line(result, "COM-01"), line(result, "IND-01"), line(result, "HOT-01")
    # max projects 200 → c_projects 100/200, 50/200, 200/200.
    assert [vente[g.C_PROJECTS], soudage[g.C_PROJECTS], salle[g.C_PROJECTS]] == [0.5, 0.25, 1.0]
    # trend +25 % capped at ±50 % → (0.25 + 0.5) / 1.0 = 0.75.
    assert vente[g.C_TREND] == pytest.approx(0.75)
    assert math.isnan(salle[g.C_TREND])
    # max job seekers 120 → 1, 60/120, 40/120.
    assert salle[g.C_JOB_SEEKERS] == pytest.approx(1 / 3)
    # tension (t − 1) / 4: 5 → 1, 4 → 0.75.
    assert soudage[g.C_TENSION] == pytest.approx(0.75)

    # Vente: .35×.5 + .25×.6 + .10×.75 + .15×1 + .15×1 = .70 ; score 100 × .70 × (1 − .25) = 52.5
    assert vente[g.DEMAND_SCORE] == pytest.approx(0.70)
    assert vente[g.SCORE] == pytest.approx(52.5)
    # Soudage: .35×.25 + .25×.9 + .10×.75 + .15×.5 + .15×.75 = .575 ; 100 × .575 × .8 = 46
    assert soudage[g.DEMAND_SCORE] == pytest.approx(0.575)
    assert soudage[g.SCORE] == pytest.approx(46.0)
    # Salle: no trend, weights rescaled over .90: (.35 + .25×.6 + .15/3 + .15) / .90 = .7 / .9
    assert salle[g.DEMAND_SCORE] == pytest.approx(0.7 / 0.9)
    assert salle[g.SCORE] == pytest.approx(100 * 0.7 / 0.9)


def test_training_gap_ranking_puts_not_the_lever_after_the_others(result) -> None:
    ranked = result.lines[[g.RANK, g.PATH_CODE, g.FLAGGED]].to_dict("list")

    # Salle has the highest score (77.8) but working conditions 5/5, non-durable jobs 4/5 and
    # 90 % seasonal projects: training is not the lever, it comes after the others.
    assert ranked[g.PATH_CODE] == ["COM-01", "IND-01", "HOT-01", "AGR-01", "ORI-01"]
    assert ranked[g.RANK][:3] == [1, 2, 3]
    assert pd.isna(ranked[g.RANK][3]) and pd.isna(ranked[g.RANK][4])
    assert ranked[g.FLAGGED] == [False, False, True, False, False]
    assert line(result, "HOT-01")[g.FLAG_REASONS] == [
        "conditions de travail contraignantes (facteur Dares 5,0/5)",
        "emplois peu durables (facteur Dares 4,0/5)",
        f"forte saisonnalité (90{NBSP}% des projets saisonniers)",
    ]


def test_training_gap_path_without_occupation_is_kept_with_the_reason(result) -> None:
    doc = line(result, "ORI-01")

    assert pd.isna(doc[g.RANK]) and pd.isna(doc[g.SCORE])
    assert doc[g.EXCLUDED_REASON] == NO_OCCUPATION
    assert doc[g.EXPLANATION] == NO_OCCUPATION
    # A path whose métiers have no data in the basin is kept too, with its own reason.
    assert line(result, "AGR-01")[g.EXCLUDED_REASON] == NO_PROJECTS.format(year=2025)
    assert line(result, "AGR-01")[g.EXPLANATION] == (
        "Aucun projet de recrutement recensé par l'enquête BMO 2025 pour ses métiers dans ce "
        "bassin : pas de besoin mesuré."
    )


def test_training_gap_explanation_is_built_from_the_components(result) -> None:
    assert line(result, "COM-01")[g.EXPLANATION] == (
        "100 projets de recrutement en 2025 dans son métier BMO, en hausse de "
        f"25{NBSP}% depuis 2023 (nomenclature des métiers BMO changée entre les deux enquêtes), "
        f"dont 60{NBSP}% jugés difficiles ; 1 métier en tension ; 120 demandeurs d'emploi inscrits "
        "sur ses codes ROME en 2021 ; tension Dares 5,0/5 ; 25 places de formation déjà offertes "
        f"localement (1 offre), soit 25{NBSP}% des projets. 1 cellule BMO secrète non comptée."
    )
    assert line(result, "HOT-01")[g.EXPLANATION].endswith(
        "La formation n'est pas le levier : conditions de travail contraignantes (facteur Dares "
        "5,0/5), emplois peu durables (facteur Dares 4,0/5), forte saisonnalité "
        f"(90{NBSP}% des projets saisonniers)."
    )


def test_training_gap_estimated_basin_says_environ() -> None:
    result = training_gap(paths_frame(), bmo=bmo_frame(), estimated=True)

    assert line(result, "IND-01")[g.EXPLANATION].startswith("environ 50 projets".capitalize())
    assert "estimés" in result.method


def test_gap_filter_ranks_again_within_concept_and_public(result) -> None:
    turnkey = gap_filter(result.lines, concept="clef_en_main")
    progressive = gap_filter(result.lines, concept="progressif")
    dropouts = gap_filter(result.lines, public="decrocheurs")

    assert turnkey[[g.PATH_CODE, g.RANK]].to_numpy().tolist() == [
        ["COM-01", 1],
        ["IND-01", 2],
        ["AGR-01", pd.NA],
    ]
    assert progressive[[g.PATH_CODE, g.RANK]].to_numpy().tolist() == [["IND-01", 1]]
    assert dropouts[g.PATH_CODE].tolist() == ["HOT-01", "ORI-01"]
    assert dropouts[g.RANK].iloc[0] == 1
    # Scores are not normalised again: the same as in the full list.
    assert progressive[g.SCORE].iloc[0] == pytest.approx(46.0)


def test_training_gap_weights_change_the_ranking() -> None:
    # Only the job seekers count: vente (120) before soudage (60).
    only_seekers = GapParams(weights={g.C_JOB_SEEKERS: 1.0})
    # Only the difficulty: soudage (90 %) before vente (60 %).
    only_difficulty = GapParams(weights={g.C_DIFFICULTY: 1.0})
    bmo, rome = bmo_frame(), rome_tension_frame()

    by_seekers = training_gap(paths_frame(), params=only_seekers, bmo=bmo, rome_tension=rome)
    by_difficulty = training_gap(paths_frame(), params=only_difficulty, bmo=bmo, rome_tension=rome)

    assert by_seekers.lines[g.PATH_CODE].tolist()[:2] == ["COM-01", "IND-01"]
    assert by_difficulty.lines[g.PATH_CODE].tolist()[:2] == ["IND-01", "COM-01"]


def test_training_gap_without_demand_data_keeps_every_path_unranked() -> None:
    result = training_gap(paths_frame())

    assert result.lines[g.RANK].isna().all()
    assert set(result.lines[g.EXCLUDED_REASON]) == {NO_BMO_DATA, NO_OCCUPATION}
    assert len(result.warnings) == 2


def test_training_gap_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="Colonnes manquantes dans les parcours : rome_codes"):
        training_gap(paths_frame().drop(columns=[g.ROME_CODES]))
    with pytest.raises(ValueError, match="Identifiants de parcours en double"):
        training_gap(pd.concat([paths_frame(), paths_frame().head(1)]))
    with pytest.raises(ValueError, match="inconnue.*c_salaire"):
        GapParams(weights={"c_salaire": 1.0})
    with pytest.raises(ValueError, match="somme des poids"):
        GapParams(weights={g.C_PROJECTS: 0.0})


def test_gap_records_are_json_safe(result) -> None:
    records = gap_records(result.lines)
    vente = next(r for r in records if r[g.PATH_CODE] == "COM-01")
    doc = next(r for r in records if r[g.PATH_CODE] == "ORI-01")

    assert vente[g.CONCEPTS] == ["clef_en_main"]
    assert (vente[g.RANK], vente[g.SCORE], vente[g.JOB_SEEKERS]) == (1, 52.5, 120)
    assert (doc[g.RANK], doc[g.SCORE]) == (None, None)
