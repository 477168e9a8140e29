"""BMO indicators on hand-made cells (NA = secret cell `*`)."""

import pandas as pd
import pytest

from diagnostics.analytics.bmo import (
    bmo_by_family,
    bmo_by_metier,
    bmo_by_year,
    bmo_rollup,
    bmo_totals,
    tension_metiers,
    top_metiers,
    with_projects_per_1000,
)
from diagnostics.analytics.columns import (
    BASSIN_BMO_CODE,
    CELLS,
    DIFFICULT,
    DIFFICULTY_BASE,
    DIFFICULTY_MASKED_CELLS,
    DIFFICULTY_RATE,
    DURABLE,
    FAMILY_CODE,
    FAMILY_LABEL,
    IN_TENSION,
    MASKED_CELLS,
    MET,
    METIER_CODE,
    METIER_LABEL,
    PROJECTS,
    PROJECTS_PER_1000,
    PUBLISHED_CELLS,
    SEASONAL,
    SEASONAL_BASE,
    SEASONAL_MASKED_CELLS,
    SEASONAL_RATE,
    SMET,
    XMET,
    YEAR,
    YEARS_IN_TENSION,
    YEARS_OBSERVED,
)

NA = None


def cells(rows: list[tuple]) -> pd.DataFrame:
    """(year, bassin, métier, family, met, xmet, smet) → a BMO fact frame."""
    frame = pd.DataFrame(
        rows, columns=[YEAR, BASSIN_BMO_CODE, METIER_CODE, FAMILY_CODE, MET, XMET, SMET]
    )
    for column in (MET, XMET, SMET):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    frame[METIER_LABEL] = frame[METIER_CODE].map(
        {"M1": "Cuisiniers", "M2": "Serveurs", "M3": "Soudeurs", "M4": "Maçons"}
    )
    frame[FAMILY_LABEL] = frame[FAMILY_CODE].map({"V": "Vente", "I": "Industrie"})
    return frame


# Two bassins, three métiers, one secret cell: the example of the brief.
BRIEF = [
    (2025, "B1", "M1", "V", 30, 20, 5),
    (2025, "B1", "M2", "V", NA, NA, NA),  # `*`: never 0, counted as masked
    (2025, "B2", "M3", "I", 12, 6, NA),
]


def test_bmo_totals_sums_published_cells_and_counts_masked_ones():
    totals = bmo_totals(cells(BRIEF), by=[YEAR])

    row = totals.iloc[0]
    # Σmet = 30 + 12 = 42, one masked met cell.
    assert row[PROJECTS] == 42
    assert row[CELLS] == 3
    assert row[PUBLISHED_CELLS] == 2
    assert row[MASKED_CELLS] == 1
    # Σxmet over cells with both published = 20 + 6 = 26 → 26 / 42 = 0.619…
    assert row[DIFFICULT] == 26
    assert row[DIFFICULTY_BASE] == 42
    assert row[DIFFICULTY_RATE] == pytest.approx(26 / 42)
    assert row[DIFFICULTY_MASKED_CELLS] == 1
    # Seasonal: only B1/M1 has smet and met published: 5 / 30 = 0.1667; 2 cells left out.
    assert row[SEASONAL] == 5
    assert row[SEASONAL_BASE] == 30
    assert row[SEASONAL_RATE] == pytest.approx(5 / 30)
    assert row[SEASONAL_MASKED_CELLS] == 2
    assert totals[PROJECTS].dtype == "Int64"


def test_bmo_totals_rate_ignores_cells_whose_numerator_is_masked():
    rows = [*BRIEF, (2025, "B2", "M4", "I", 8, NA, 8)]

    row = bmo_totals(cells(rows), by=[YEAR]).iloc[0]

    # Projects 30 + 12 + 8 = 50, but M4's xmet is secret: the difficulty rate stays
    # 26 / 42 (not 26 / 50, which would bias it downwards). Seasonal: (5 + 8) / (30 + 8).
    assert row[PROJECTS] == 50
    assert row[DIFFICULTY_RATE] == pytest.approx(26 / 42)
    assert row[DIFFICULTY_MASKED_CELLS] == 2
    assert row[SEASONAL_RATE] == pytest.approx(13 / 38)


def test_bmo_totals_all_masked_group_is_unknown_not_zero():
    rows = [*BRIEF, (2025, "B3", "M2", "V", NA, NA, NA)]

    totals = bmo_totals(cells(rows), by=[BASSIN_BMO_CODE])

    b3 = totals.set_index(BASSIN_BMO_CODE).loc["B3"]
    assert pd.isna(b3[PROJECTS])
    assert pd.isna(b3[DIFFICULTY_RATE])
    assert b3[MASKED_CELLS] == 1


def test_bmo_totals_apportioned_float_counts_stay_float():
    frame = cells(BRIEF)
    frame[MET] = frame[MET].astype("Float64") * 0.5
    frame[XMET] = frame[XMET].astype("Float64") * 0.5
    frame[SMET] = frame[SMET].astype("Float64") * 0.5

    row = bmo_totals(frame, by=[YEAR]).iloc[0]

    # Halved counts: 21 projects, 13 difficult; the rate is unchanged (13 / 21 = 26 / 42).
    assert row[PROJECTS] == pytest.approx(21.0)
    assert row[DIFFICULTY_RATE] == pytest.approx(26 / 42)


def test_bmo_by_family_and_metier_carry_labels():
    rows = [*BRIEF, (2024, "B1", "M1", "V", 10, 9, 1)]

    by_family = bmo_by_family(cells(rows))
    by_metier = bmo_by_metier(cells(rows))

    assert by_family[[YEAR, FAMILY_CODE, FAMILY_LABEL, PROJECTS]].to_numpy().tolist() == [
        [2024, "V", "Vente", 10],
        [2025, "I", "Industrie", 12],
        [2025, "V", "Vente", 30],
    ]
    assert by_metier[[YEAR, METIER_CODE, METIER_LABEL, FAMILY_CODE]].to_numpy().tolist() == [
        [2024, "M1", "Cuisiniers", "V"],
        [2025, "M1", "Cuisiniers", "V"],
        [2025, "M2", "Serveurs", "V"],
        [2025, "M3", "Soudeurs", "I"],
    ]
    # M2 in 2025 is only a secret cell.
    assert pd.isna(by_metier[PROJECTS].iloc[2])
    assert by_metier[MASKED_CELLS].tolist() == [0, 0, 1, 0]


def test_bmo_rollup_equals_direct_totals():
    rows = [*BRIEF, (2025, "B2", "M4", "I", 8, NA, 8), (2024, "B1", "M1", "V", 10, 9, 1)]
    frame = cells(rows)

    rolled = bmo_rollup(bmo_by_family(frame), by=[YEAR])

    pd.testing.assert_frame_equal(rolled, bmo_by_year(frame))


def test_with_projects_per_1000():
    totals = bmo_by_year(cells(BRIEF))

    # 42 projects for 6 000 inhabitants = 7 per 1 000.
    assert with_projects_per_1000(totals, population=6000)[PROJECTS_PER_1000].tolist() == [7.0]
    assert with_projects_per_1000(totals, population=None)[PROJECTS_PER_1000].isna().all()


def test_top_metiers_orders_by_measure_then_code():
    rows = [
        (2025, "B1", "M1", "V", 30, 10, 0),
        (2025, "B1", "M2", "V", 50, 5, 0),
        (2025, "B1", "M3", "I", 30, 25, 0),
        (2025, "B1", "M4", "I", NA, NA, NA),
        (2024, "B1", "M4", "I", 99, 99, 0),
    ]
    by_metier = bmo_by_metier(cells(rows))

    by_projects = top_metiers(by_metier, year=2025, measure="projects", n=3)
    by_difficult = top_metiers(by_metier, year=2025, measure="difficult", n=2)

    # 50 (M2), then the tie at 30 broken by code (M1 before M3); M4 is secret in 2025.
    assert by_projects[METIER_CODE].tolist() == ["M2", "M1", "M3"]
    assert by_difficult[METIER_CODE].tolist() == ["M3", "M1"]


def by_metier_frame(rows: list[tuple]) -> pd.DataFrame:
    """(year, métier, projects, difficult) → a `bmo_by_metier`-like frame (base = projects)."""
    frame = pd.DataFrame(rows, columns=[YEAR, METIER_CODE, PROJECTS, DIFFICULT])
    frame[METIER_LABEL] = "Métier " + frame[METIER_CODE]
    frame[FAMILY_CODE] = "V"
    frame[FAMILY_LABEL] = "Vente"
    frame[DIFFICULTY_BASE] = frame[PROJECTS]
    frame[DIFFICULTY_RATE] = frame[DIFFICULT] / frame[PROJECTS]
    return frame


def test_tension_metiers_threshold_minimum_and_durability():
    frame = by_metier_frame(
        [
            # M1: 80 %, 75 %, 72 % with ≥ 20 projects every year → durable tension.
            (2023, "M1", 100, 80),
            (2024, "M1", 100, 75),
            (2025, "M1", 100, 72),
            # M2: 50 % then 90 % in 2025 → in tension in 2025 only.
            (2023, "M2", 40, 20),
            (2025, "M2", 30, 27),
            # M3: 95 % but 10 projects only → too few to say.
            (2025, "M3", 10, 9),
            # M4: exactly 70 % with exactly 20 projects → in tension (bounds included).
            (2025, "M4", 20, 14),
            # M5: in tension in 2023 and 2024, absent in 2025 → listed, not in tension now.
            (2023, "M5", 50, 45),
            (2024, "M5", 50, 40),
        ]
    )

    result = tension_metiers(frame)

    assert result[METIER_CODE].tolist() == ["M1", "M2", "M4", "M5"]
    assert result[IN_TENSION].tolist() == [True, True, True, False]
    assert result[DURABLE].tolist() == [True, False, False, False]
    assert result[YEARS_IN_TENSION].tolist() == [3, 1, 1, 2]
    assert result[YEARS_OBSERVED].tolist() == [3, 2, 1, 2]
    # Values of the last year (2025): M1 72 / 100.
    assert result[DIFFICULTY_RATE].iloc[0] == pytest.approx(0.72)
    assert result[PROJECTS].tolist()[:3] == [100, 30, 20]
    assert result[YEAR].unique().tolist() == [2025]


def test_tension_metiers_needs_two_years_to_be_durable():
    frame = by_metier_frame([(2025, "M1", 100, 90)])

    result = tension_metiers(frame)

    assert result[IN_TENSION].tolist() == [True]
    assert result[DURABLE].tolist() == [False]


def test_tension_metiers_absent_year_breaks_durability():
    frame = by_metier_frame([(2023, "M1", 100, 90), (2025, "M1", 100, 90)])

    # The source covers 2023, 2024 and 2025: M1 has no 2024 figure → not durable.
    result = tension_metiers(frame, years=[2023, 2024, 2025])

    assert result[DURABLE].tolist() == [False]
    assert result[YEARS_IN_TENSION].tolist() == [2]


def test_bmo_totals_names_missing_columns():
    with pytest.raises(ValueError, match="Colonnes manquantes dans les faits BMO : xmet"):
        bmo_totals(cells(BRIEF).drop(columns=[XMET]), by=[YEAR])
