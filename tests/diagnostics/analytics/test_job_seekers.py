"""Job seekers of many basins at once (analytics.job_seekers): each basin's series in one
grouped pass equals its series alone (`labour.job_seekers_series`), and the figures are worked
out by hand on the world of test_indicators_labour.py (département 52: a 6 000 published,
b 1 000, c 3 000, d 8 000 published; département 10: e 2 000)."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics.analytics.columns import MASKED_CELLS, PERIOD, VALUE
from diagnostics.analytics.job_seekers import NO_DATA, job_seekers_basin_series
from diagnostics.analytics.labour import job_seekers_series
from tests.diagnostics.analytics.test_indicators_labour import communes, seekers  # noqa: F401

MEMBERSHIPS = {1: ["a", "b", "c"], 2: ["d", "e"], 3: ["b"], 4: ["a", "d"], 5: ["e"]}


def data() -> pd.DataFrame:
    return seekers(
        [
            ("commune", "a", "2024-01", 500),
            ("commune", "d", "2024-01", 700),
            ("departement", "52", "2024-01", 1500),
            ("departement", "10", "2024-01", 300),
            ("commune", "a", "2024-02", 510),
            ("commune", "d", "2024-02", None),
            ("departement", "52", "2024-02", 1520),
            ("departement", "52", "2024-02", 9999),  # duplicate: the first row counts
        ]
    )


def test_job_seekers_of_many_basins_equal_each_basin_alone(communes):  # noqa: F811
    grouped = job_seekers_basin_series(data(), communes=communes, memberships=MEMBERSHIPS)

    assert not grouped.errors
    for basin_id, codes in MEMBERSHIPS.items():
        frame, method = job_seekers_series(data(), communes=communes, basin_communes=codes)
        pd.testing.assert_frame_equal(grouped.by_basin[basin_id][0], frame, check_exact=True)
        assert grouped.by_basin[basin_id][1] == method


def test_job_seekers_of_many_basins_worked_out_by_hand(communes):  # noqa: F811
    grouped = job_seekers_basin_series(
        data(), communes=communes, memberships={**MEMBERSHIPS, 6: ["zz"], 7: []}
    )

    # Basin 3 = {b}: 2024-01 residual 300 over b + c (4 000) → 300 × 1 000 / 4 000 = 75;
    # 2024-02 d masked → 1 010 over b, c, d (12 000) → 1 010 × 1 000 / 12 000.
    three = grouped.by_basin[3][0]
    assert three[VALUE].tolist() == pytest.approx([75.0, 1010 * 1000 / 12000])
    # Basin 2 = {d, e}: d's 700 + e's share of 10's residual (300, e alone) = 1 000 in
    # 2024-01; 2024-02: d masked (counted), 52's residual share of d 1 010 × 8 000 / 12 000,
    # and 10 has no figure that month (incomplete).
    two = grouped.by_basin[2][0].set_index(PERIOD)
    assert two.loc["2024-01", VALUE] == pytest.approx(1000.0)
    assert two.loc["2024-02", VALUE] == pytest.approx(1010 * 8000 / 12000)
    assert two[MASKED_CELLS].tolist() == [0, 1]
    assert (
        "zz" in grouped.errors[6] and grouped.errors[7] == "Le bassin ne contient aucune commune."
    )


def test_job_seekers_of_a_basin_without_rows_say_so(communes):  # noqa: F811
    grouped = job_seekers_basin_series(
        data()[data()[VALUE].isna()].iloc[0:0], communes=communes, memberships={5: ["e"]}
    )

    frame, method = grouped.by_basin[5]
    assert frame.empty and method == NO_DATA
