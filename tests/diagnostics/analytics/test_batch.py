"""Grouped per-basin passes (diagnostics.analytics.batch and batch_totals): the figures worked out by hand, and
every basin's frames equal to the lone functions' figure for figure.

Communes (the world of tests/factories/diagnostic_runs.py):

    commune  population  zone d'emploi  bassin BMO
    52001    10 000      4404           4418
    52002     6 000      4404           4418
    52003     4 000      4404           4419
    52004     5 000      4405           4419

Basin 1 = {52001, 52002}: exactly bassin BMO 4418. Basin 2 = zone d'emploi 4404 (20 000
inhabitants): all of 4418 and 4 000 of the 9 000 inhabitants of 4419 (weight 4/9).
BMO 2025: 4418 A1Z40 100/60/10, A1Z41 secret, B1Z40 50/secret/5; 4419 A1Z40 40/10/0.
→ basin 1: 150 projects (integers); basin 2: 150 + 40 × 4/9 = 167.78 projects.
"""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics.analytics import columns as c
from diagnostics.analytics.batch import Crosswalks, basin_crosswalks
from diagnostics.analytics.batch_totals import bmo_basin_frames, unemployment_basin_series
from diagnostics.analytics.bmo import bmo_by_family, bmo_by_metier, bmo_by_year
from diagnostics.analytics.crosswalk import basin_crosswalk
from diagnostics.analytics.crosswalk_moves import apportion_counts
from diagnostics.analytics.labour import unemployment_series

COMMUNES = pd.DataFrame(
    {
        c.COMMUNE_CODE: ["52001", "52002", "52003", "52004"],
        c.POPULATION: pd.array([10_000, 6_000, 4_000, 5_000], dtype="Int64"),
        c.ZONE_EMPLOI_CODE: ["4404", "4404", "4404", "4405"],
        c.BASSIN_BMO_CODE: ["4418", "4418", "4419", "4419"],
        c.EPCI_CODE: ["E1", "E1", "E2", "E2"],
        c.DEPARTEMENT_CODE: ["52"] * 4,
        c.REGION_CODE: ["44"] * 4,
    }
)
MEMBERSHIPS = {1: ["52001", "52002"], 2: ["52001", "52002", "52003"], 3: ["52004"]}


def bmo_facts() -> pd.DataFrame:
    rows = [
        (2025, "4418", "A1Z40", "Agriculteurs", "A", "Agriculture", 100, 60, 10),
        (2025, "4418", "A1Z41", "Maraîchers", "A", "Agriculture", None, None, None),
        (2025, "4418", "B1Z40", "Maçons", "B", "Bâtiment", 50, None, 5),
        (2025, "4419", "A1Z40", "Agriculteurs", "A", "Agriculture", 40, 10, 0),
        (2024, "4418", "A1Z40", "Agriculteurs", "A", "Agriculture", 80, 40, 8),
        (2024, "4419", "A1Z40", "Agriculteurs", "A", "Agriculture", 30, 10, 0),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            c.YEAR, c.BASSIN_BMO_CODE, c.METIER_CODE, c.METIER_LABEL, c.FAMILY_CODE,
            c.FAMILY_LABEL, c.MET, c.XMET, c.SMET,
        ],
    )  # fmt: skip
    for column in (c.MET, c.XMET, c.SMET):
        frame[column] = frame[column].astype("Int64")
    return frame


def rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c.ZONE_EMPLOI_CODE: ["4404", "4404", "4405", "4405"],
            c.PERIOD: ["2023-T4", "2024-T1", "2023-T4", "2024-T1"],
            c.RATE: pd.array([6.0, 5.5, 8.0, None], dtype="Float64"),
        }
    )


def test_crosswalks_equal_the_lone_crosswalks():
    for zoning in ("bassin_bmo", "zone_emploi", "epci"):
        walks = basin_crosswalks(COMMUNES, memberships=MEMBERSHIPS, zoning=zoning)
        for basin_id, codes in MEMBERSHIPS.items():
            lone = basin_crosswalk(COMMUNES, basin_communes=codes, zoning=zoning)
            got = walks.by_basin[basin_id]
            pd.testing.assert_frame_equal(got.zones, lone.zones, check_exact=True)
            fields = ("zoning", "basin_population", "basin_communes", "unzoned_population",
                      "unzoned_communes", "unknown_population_communes")  # fmt: skip
            assert [getattr(got, f) for f in fields] == [getattr(lone, f) for f in fields]


def test_crosswalk_weights_worked_out_by_hand():
    walk = basin_crosswalks(COMMUNES, memberships=MEMBERSHIPS, zoning="bassin_bmo").by_basin[2]
    zones = walk.zones.set_index(c.ZONE_CODE)
    assert zones.loc["4418", c.ZONE_SHARE] == 1.0
    assert zones.loc["4419", c.ZONE_SHARE] == pytest.approx(4 / 9)
    assert zones.loc["4419", c.BASIN_SHARE] == pytest.approx(0.2)
    assert not walk.exact


def test_a_basin_with_an_unknown_commune_fails_alone():
    walks = basin_crosswalks(
        COMMUNES, memberships={**MEMBERSHIPS, 4: ["52001", "99999"]}, zoning="bassin_bmo"
    )
    assert set(walks.by_basin) == {1, 2, 3}
    assert "99999" in walks.errors[4]


def test_bmo_frames_worked_out_by_hand_and_equal_to_lone():
    walks = basin_crosswalks(COMMUNES, memberships=MEMBERSHIPS, zoning="bassin_bmo")
    frames = bmo_basin_frames(bmo_facts(), crosswalks=walks)

    exact = frames[1].by_year.set_index(c.YEAR)
    assert exact.loc[2025, c.PROJECTS] == 150 and exact[c.PROJECTS].dtype == "Int64"
    assert exact.loc[2025, c.MASKED_CELLS] == 1
    estimated = frames[2].by_year.set_index(c.YEAR)
    assert estimated.loc[2025, c.PROJECTS] == pytest.approx(150 + 40 * 4 / 9)
    assert frames[2].coverage.set_index(c.YEAR)[c.COVERAGE].to_dict() == pytest.approx(
        {2024: 1.0, 2025: 1.0}
    )
    for basin_id, codes in MEMBERSHIPS.items():
        lone = basin_crosswalk(COMMUNES, basin_communes=codes, zoning="bassin_bmo")
        facts = apportion_counts(bmo_facts(), crosswalk=lone, value_columns=[c.MET, c.XMET, c.SMET])
        got = frames[basin_id]
        pd.testing.assert_frame_equal(got.by_year, bmo_by_year(facts), check_exact=True)
        pd.testing.assert_frame_equal(got.by_family, bmo_by_family(facts), check_exact=True)
        pd.testing.assert_frame_equal(got.by_metier, bmo_by_metier(facts), check_exact=True)


def test_unemployment_series_equal_the_lone_series():
    walks = basin_crosswalks(COMMUNES, memberships=MEMBERSHIPS, zoning="zone_emploi")
    series = unemployment_basin_series(rates(), crosswalks=walks)

    # Basin 2 is exactly zone 4404: its published rate, not estimated.
    two = series[2][0].set_index(c.PERIOD)
    assert two.loc["2024-T1", c.RATE] == 5.5 and not two[c.ESTIMATED].any()
    for basin_id, codes in MEMBERSHIPS.items():
        lone = basin_crosswalk(COMMUNES, basin_communes=codes, zoning="zone_emploi")
        frame, method = unemployment_series(rates(), crosswalk=lone)
        pd.testing.assert_frame_equal(series[basin_id][0], frame, check_exact=True)
        assert series[basin_id][1] == method


def test_crosswalks_of_lone_crosswalks_give_the_same_weights():
    walks = basin_crosswalks(COMMUNES, memberships=MEMBERSHIPS, zoning="bassin_bmo")
    lone = Crosswalks.of("bassin_bmo", walks.by_basin)
    pd.testing.assert_frame_equal(lone.weights(), walks.weights(), check_exact=True)
