"""The BMO section's tables for many basins at once (analytics.bmo_section_tables): worked out
by hand on the world of test_batch.py, and each basin's tables equal to those the per-basin
functions give it (with_projects_per_1000, tension_metiers, suppress_small, top_metiers).

Basin 1 = bassin BMO 4418 (16 000 inhabitants, exact); basin 2 = zone d'emploi 4404 (20 000
inhabitants, estimated: all of 4418 and 4/9 of 4419); basin 3 = commune 52004 (5 000, 5/9 of
4419, estimated).
"""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics.analytics import columns as c
from diagnostics.analytics.batch import basin_crosswalks
from diagnostics.analytics.batch_totals import bmo_basin_frames
from diagnostics.analytics.bmo import tension_metiers, top_metiers, with_projects_per_1000
from diagnostics.analytics.bmo_section_tables import bmo_section_tables
from diagnostics.analytics.diagnostic_params import DiagnosticParams
from diagnostics.analytics.secrecy import suppress_small
from tests.diagnostics.analytics.test_batch import COMMUNES, MEMBERSHIPS, bmo_facts

PARAMS = DiagnosticParams(tension_threshold=0.3, tension_min_projects=20, top_n=1)
YEARS = [2024, 2025]
POPULATIONS = {1: 16_000, 2: 20_000, 3: 5_000}


def _grouped():
    walks = basin_crosswalks(COMMUNES, memberships=MEMBERSHIPS, zoning="bassin_bmo")
    frames = bmo_basin_frames(bmo_facts(), crosswalks=walks)
    estimated = {b: not walks.by_basin[b].exact for b in MEMBERSHIPS}
    tables = bmo_section_tables(
        frames, estimated=estimated, populations=POPULATIONS, years=YEARS, params=PARAMS
    )
    return frames, estimated, tables


def test_bmo_section_tables_worked_out_by_hand():
    _, estimated, tables = _grouped()

    assert estimated == {1: False, 2: True, 3: True}
    one = tables[1].by_year.set_index(c.YEAR)
    assert one.loc[2025, c.PROJECTS_PER_1000] == pytest.approx(150 * 1000 / 16_000)
    assert c.SUPPRESSED not in one.columns and not one[c.ESTIMATED].any()
    # Basin 3: 40 × 5/9 = 22.2 projects in 2025, 10 × 5/9 = 5.6 difficult, 0 seasonal (kept).
    three = tables[3].by_year.set_index(c.YEAR)
    assert three.loc[2025, c.PROJECTS] == pytest.approx(40 * 5 / 9)
    assert three.loc[2025, c.SEASONAL] == 0 and three[c.ESTIMATED].all()
    # 2024: 30 × 5/9 = 16.7 projects, 10 × 5/9 = 5.6 difficult: both shown (≥ 5).
    assert not three[c.SUPPRESSED].any()
    # Métiers in tension (rate ≥ 0.3, base ≥ 20): basin 1 A1Z40 (60/100 in 2025, 40/80 in 2024),
    # durable; basin 3 A1Z40 10/40 = 0.25 in 2025 and 10/30 = 0.33 in 2024 with a base of
    # 16.7 < 20: none.
    assert tables[1].tension[c.METIER_CODE].tolist() == ["A1Z40"]
    assert bool(tables[1].tension[c.DURABLE].iloc[0])
    assert tables[3].tension.empty
    assert tables[1].top_projects[c.METIER_CODE].tolist() == ["A1Z40"]


def test_bmo_section_tables_equal_the_per_basin_functions():
    frames, estimated, tables = _grouped()

    for basin_id in MEMBERSHIPS:
        frame = frames[basin_id]
        by_year = with_projects_per_1000(frame.by_year, population=POPULATIONS[basin_id])
        by_year = by_year.merge(frame.coverage, on=c.YEAR, how="left")
        by_year[c.COVERAGE] = by_year[c.COVERAGE].astype("Float64").fillna(0.0)
        by_year[c.ESTIMATED] = estimated[basin_id]
        by_family, by_metier = frame.by_family, frame.by_metier
        tension = tension_metiers(
            by_metier,
            threshold=PARAMS.tension_threshold,
            min_projects=PARAMS.tension_min_projects,
            min_years=PARAMS.tension_min_years,
            years=YEARS,
        )
        if estimated[basin_id]:
            counts = [c.PROJECTS, c.DIFFICULT, c.SEASONAL]
            by_year = suppress_small(by_year, columns=counts, threshold=PARAMS.bmo_threshold)
            by_family = suppress_small(by_family, columns=counts, threshold=PARAMS.bmo_threshold)
            by_metier = suppress_small(by_metier, columns=counts, threshold=PARAMS.bmo_threshold)
            tension = suppress_small(
                tension, columns=[c.PROJECTS, c.DIFFICULT], threshold=PARAMS.bmo_threshold
            )
        got = tables[basin_id]
        pd.testing.assert_frame_equal(got.by_year, by_year, check_exact=True)
        pd.testing.assert_frame_equal(got.by_family, by_family, check_exact=True)
        pd.testing.assert_frame_equal(got.by_metier, by_metier, check_exact=True)
        if tension.empty:
            assert got.tension.empty
        else:
            pd.testing.assert_frame_equal(got.tension, tension, check_exact=True)
        for measure, table in (("projects", got.top_projects), ("difficult", got.top_difficult)):
            lone = top_metiers(by_metier, year=2025, measure=measure, n=PARAMS.top_n)
            pd.testing.assert_frame_equal(table, lone, check_exact=True)
