"""Replacement needs (diagnostics.analytics.replacement): two départements, hand-computed."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics.analytics import columns as c
from diagnostics.analytics import replacement as rp


def population_age() -> pd.DataFrame:
    # Per département and year, the populations of the bands that matter (others 0 or absent):
    # 20-24, 25-29 (young), 30-54 spread on 30, 55-59, 60-64 (seniors), 65 (out of 20-64).
    data = {
        ("52", 2011): {20: 100, 25: 100, 30: 500, 55: 100, 60: 100, 65: 900},
        ("52", 2021): {20: 80, 25: 70, 30: 450, 55: 150, 60: 150, 65: 900},
        ("35", 2011): {20: 300, 25: 300, 30: 1200, 55: 100, 60: 100, 65: 900},
        ("35", 2021): {20: 300, 25: 300, 30: 1200, 55: 200, 60: 200, 65: 900},
    }
    rows = []
    for (dept, year), bands in data.items():
        for age, value in bands.items():
            rows.append((year, dept, "ensemble", age, float(value)))
            rows.append((year, dept, "hommes", age, float(value) / 2))
    return pd.DataFrame(rows, columns=c.POPULATION_AGE_COLUMNS)


def test_departement_shares_by_legal_population():
    communes = pd.DataFrame(
        {
            c.COMMUNE_CODE: ["52001", "52002", "35001", "35002"],
            c.POPULATION: [300, 700, 100, 900],
            c.DEPARTEMENT_CODE: ["52", "52", "35", "35"],
        }
    )
    assert rp.departement_shares(communes, codes=["52001", "35002"]) == {"35": 0.9, "52": 0.3}


def test_replacement_frame_basin_region_france():
    out = rp.replacement_frame(population_age(), shares={"52": 0.5}, region_departements=["52"])
    basin_2021 = out[(out[c.YEAR] == 2021) & (out[c.AREA] == "basin")].iloc[0]
    # 52 in 2021: 20-64 = 80+70+450+150+150 = 900, ×0.5 = 450; seniors 300×0.5 = 150.
    assert basin_2021[c.WORKING_AGE] == 450.0
    assert basin_2021[c.SENIORS] == 150.0
    assert basin_2021[c.SENIOR_SHARE] == pytest.approx(1 / 3)
    assert basin_2021[c.RENEWAL_RATIO] == pytest.approx(150 / 300)  # young 150 for 300 seniors
    assert bool(basin_2021[c.ESTIMATED]) is True
    france_2021 = out[(out[c.YEAR] == 2021) & (out[c.AREA] == "france")].iloc[0]
    # France 2021: 20-64 = 900 + (300+300+1200+200+200 = 2200) = 3100; seniors 300 + 400 = 700.
    assert france_2021[c.SENIOR_SHARE] == pytest.approx(700 / 3100)
    assert bool(france_2021[c.ESTIMATED]) is False
    assert out[c.AREA].tolist() == ["basin", "region", "france"] * 2


def test_replacement_summary_change_in_points():
    out = rp.replacement_frame(population_age(), shares={"52": 1.0}, region_departements=["52"])
    summary = {s["area"]: s for s in rp.replacement_summary(out)}
    # 52: 2011 = 200 / 900 = 22.2 %, 2021 = 300 / 900 = 33.3 %: +11.1 points.
    assert summary["basin"]["change_points"] == pytest.approx((300 / 900 - 200 / 900) * 100)
    assert summary["basin"]["from_year"] == 2011
    assert summary["basin"]["label"] == "Bassin (estimé)"


def test_missing_band_leaves_the_year_unknown():
    frame = population_age()
    frame.loc[
        (frame[c.YEAR] == 2011) & (frame[c.AGE_MIN] == 55) & (frame[c.DEPARTEMENT_CODE] == "52"),
        c.POPULATION,
    ] = None
    out = rp.replacement_frame(frame, shares={"52": 1.0}, region_departements=["52"])
    row = out[(out[c.YEAR] == 2011) & (out[c.AREA] == "basin")].iloc[0]
    assert pd.isna(row[c.SENIOR_SHARE])


def test_departement_absent_a_year_counts_nothing_and_a_weighted_sum_per_year():
    # 35 has no row in 2001; 52 has. The basin (0.5 of 52, 0.25 of 35) gets, in 2001, 52's
    # half alone; in 2011, both départements weighted.
    frame = population_age()
    extra = pd.DataFrame(
        [(2001, "52", "ensemble", age, 100.0) for age in (20, 25, 30, 55, 60, 65)],
        columns=c.POPULATION_AGE_COLUMNS,
    )
    frame = pd.concat([extra, frame], ignore_index=True)
    bands = rp.departement_bands(frame[frame[c.SEX] == "ensemble"])
    assert bands.years.tolist() == [2001, 2011, 2021]
    assert bands.present[bands.codes["35"]].tolist() == [False, True, True]
    out = rp.replacement_frame(
        frame, shares={"52": 0.5, "35": 0.25}, region_departements=["52", "35"]
    )
    basin = out[out[c.AREA] == "basin"].set_index(c.YEAR)
    # 2001: 52 has 20-64 = 500 (20, 25, 30, 55, 60), ×0.5 = 250; seniors 200 × 0.5 = 100.
    assert basin.loc[2001, c.WORKING_AGE] == 250.0
    assert basin.loc[2001, c.SENIORS] == 100.0
    # 2011: 52 = 900 × 0.5 = 450; 35 = 2000 × 0.25 = 500: 950.
    assert basin.loc[2011, c.WORKING_AGE] == 950.0
    assert basin.loc[2011, c.YOUNG] == pytest.approx(200 * 0.5 + 600 * 0.25)
    # Given the bands already computed, the same frame without reading the rows again.
    again = rp.replacement_frame(
        None, shares={"52": 0.5, "35": 0.25}, region_departements=["52", "35"], bands=bands
    )
    pd.testing.assert_frame_equal(again, out)
