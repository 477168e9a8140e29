"""The programme's pure computations (issue 18): pipeline, targets of a scope, timeline,
breakdowns and the map's insets, on tiny frames counted by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from implantations.analytics import programme as pg
from implantations.analytics import programme_charts as pc


def basins(rows: list[tuple[int, str, bool, bool, bool]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=pg.PIPELINE_BASIN_COLUMNS)


def projects(rows: list[tuple[str, str, str, str, str | None]]) -> pd.DataFrame:
    """(region, concept, status, study started, opened) → PROJECT_COLUMNS."""
    records = [
        (i, f"P{i}", i, f"B{i}", region, f"R{region}", concept, status,
         pd.Timestamp(started), pd.Timestamp(opened) if opened else pd.NaT, 48.0, 2.0)
        for i, (region, concept, status, started, opened) in enumerate(rows, start=1)
    ]  # fmt: skip
    return pd.DataFrame.from_records(records, columns=pg.PROJECT_COLUMNS)


def targets(rows: list[tuple[int, str, str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=pg.TARGET_COLUMNS)


PROJECTS = projects(
    [
        ("A", "turnkey", "etude", "2025-03-01", None),
        ("A", "fab_id", "ouverture", "2024-01-10", "2025-09-01"),
        ("B", "fab_id", "auto_portage", "2023-02-01", "2024-09-02"),
        ("B", "progressive", "convention", "2024-05-05", None),
        # Opened in 2024, then sent back to the convention stage: no longer open.
        ("A", "turnkey", "convention", "2024-01-01", "2024-06-01"),
    ]
)


def test_pipeline_counts_each_item_once_at_its_furthest_stage() -> None:
    frame = basins(
        [
            (1, "A", True, False, False),  # diagnosed
            (2, "A", True, True, False),  # recommended
            (3, "A", False, True, False),  # recommended without a finished diagnostic
            (4, "A", True, True, True),  # counted through its project
            (5, "B", False, False, False),  # not in the programme yet
        ]
    )

    out = pg.pipeline_counts(frame, PROJECTS)

    assert out[pg.STAGE].tolist() == list(pg.STAGE_CODES)
    assert out[pg.AT_STAGE].tolist() == [1, 2, 1, 2, 1, 1]
    # Reached: this stage and the later ones (8 = 1 + 2 + 5 projects).
    assert out[pg.REACHED].tolist() == [8, 7, 5, 4, 2, 1]


def test_pipeline_counts_refuses_an_unknown_status() -> None:
    with pytest.raises(ValueError, match="Statut de projet inconnu"):
        pg.pipeline_counts(basins([]), projects([("A", "turnkey", "ferme", "2024-01-01", None)]))


TARGETS = targets(
    [
        (2025, "", "", 10, 4),
        (2025, "A", "", 5, 2),
        (2025, "B", "", 3, 1),
        (2026, "A", "", 8, 6),
        (2026, "B", "", 4, 2),
        (2026, "A", "fab_id", 3, 3),
        (2026, "A", "turnkey", 2, 1),
    ]
)


def test_target_for_prefers_the_scope_row_then_sums_the_finer_rows() -> None:
    assert pg.target_for(TARGETS, year=2025) == (10, 4)  # its own row, not 5 + 3
    assert pg.target_for(TARGETS, year=2026) == (12, 8)  # no national row: A + B
    assert pg.target_for(TARGETS, year=2026, region="A") == (8, 6)
    assert pg.target_for(TARGETS, year=2026, region="A", concept="fab_id") == (3, 3)
    # A concept over the whole programme: the regions' rows of that concept.
    assert pg.target_for(TARGETS, year=2026, concept="fab_id") == (3, 3)
    assert pg.target_for(TARGETS, year=2026, region="B", concept="fab_id") is None
    assert pg.target_for(TARGETS, year=2024) is None


def test_programme_timeline_cumulates_launched_and_open_against_the_targets() -> None:
    out = pg.programme_timeline(PROJECTS, TARGETS, years=[2026, 2023, 2024, 2025])

    assert out[pg.YEAR].tolist() == [2023, 2024, 2025, 2026]
    assert out[pg.PLANNED_ACTUAL].tolist() == [1, 4, 5, 5]
    # The project sent back to « convention » never counts as open.
    assert out[pg.OPEN_ACTUAL].tolist() == [0, 1, 2, 2]
    assert out[pg.PLANNED_TARGET].tolist() == [pd.NA, pd.NA, 10, 12]
    assert out[pg.OPEN_TARGET].tolist() == [pd.NA, pd.NA, 4, 8]
    assert out[pg.OPEN_SHARE].tolist() == [pd.NA, pd.NA, 0.5, 0.25]


def test_programme_timeline_of_a_region() -> None:
    mine = PROJECTS[PROJECTS[pg.REGION_CODE] == "A"]

    out = pg.programme_timeline(mine, TARGETS, years=[2025, 2026], region="A")

    assert out[pg.PLANNED_ACTUAL].tolist() == [3, 3]
    assert out[pg.OPEN_ACTUAL].tolist() == [1, 1]
    assert out[pg.OPEN_TARGET].tolist() == [2, 6]


def test_programme_breakdown_by_concept_and_by_region() -> None:
    mine = PROJECTS[PROJECTS[pg.REGION_CODE] == "A"]
    by_concept = pg.programme_breakdown(
        mine, TARGETS, by=pg.CONCEPT, keys=["turnkey", "fab_id", "progressive"], year=2026,
        region="A",
    )  # fmt: skip
    assert by_concept[pg.PLANNED_ACTUAL].tolist() == [2, 1, 0]
    assert by_concept[pg.OPEN_ACTUAL].tolist() == [0, 1, 0]
    assert by_concept[pg.OPEN_TARGET].tolist() == [1, 3, pd.NA]

    by_region = pg.programme_breakdown(
        PROJECTS, TARGETS, by=pg.REGION_CODE, keys=["A", "B"], year=2025
    )
    assert by_region[pg.PLANNED_ACTUAL].tolist() == [3, 2]
    assert by_region[pg.OPEN_ACTUAL].tolist() == [1, 1]
    assert by_region[pg.OPEN_SHARE].tolist() == [0.5, 1.0]


def test_programme_map_figure_draws_overseas_sites_in_an_inset() -> None:
    map_projects = pd.DataFrame.from_records(
        [
            ("Site de Chaumont", "Chaumont", "ouverture", "44", 48.11, 5.14),
            ("Site de Saint-Pierre", "Saint-Pierre", "etude", "04", -21.34, 55.48),
            ("Sans position", "—", "etude", "44", None, None),
        ],
        columns=pc.MAP_PROJECT_COLUMNS,
    )
    sites = pd.DataFrame.from_records(
        [("Cnam Grand Est", "Centre régional", "44", 48.69, 6.18)], columns=pc.MAP_SITE_COLUMNS
    )
    outlines = pd.DataFrame(columns=pc.MAP_OUTLINE_COLUMNS)

    figure = pc.programme_map_figure(
        map_projects, sites, outlines, status_labels={"etude": "Étude", "ouverture": "Ouverture"}
    )

    layout = figure.to_plotly_json()["layout"]
    assert layout["meta"]["without_position"] == 1
    assert [a["text"] for a in layout["annotations"]] == ["La Réunion"]
    assert layout["xaxis2"]["domain"] == [0.0, 0.18]
    by_name = {t.name: t for t in figure.data if t.name}
    assert list(by_name["Projet : Étude"].x) == [55.48]
    assert by_name["Projet : Étude"].xaxis == "x2"
    assert by_name["Projet : Ouverture"].xaxis == "x"
    assert list(by_name["Sites Cnam existants"].y) == [48.69]


def test_programme_timeline_figure_has_bars_and_target_lines() -> None:
    timeline = pg.programme_timeline(PROJECTS, TARGETS, years=[2025, 2026])

    figure = pc.programme_timeline_figure(timeline)

    names = [t.name for t in figure.data]
    assert names == [
        "Projets lancés (réalisé)", "Sites ouverts (réalisé)", "Objectif de projets lancés",
        "Objectif de sites ouverts",
    ]  # fmt: skip
    assert list(figure.data[3].y) == [4, 8]
