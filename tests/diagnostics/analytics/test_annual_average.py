"""Annual averages computed in one loop (issue 16, engine speed) equal the grouped pandas mean
they replaced, to the bit (pandas adds with Kahan compensation; so does the loop): the former
formula is kept here as the reference and both run on seeded random series."""

import numpy as np
import pandas as pd
import pytest

from diagnostics.analytics.labour import annual_average
from diagnostics.analytics.periods import period_year


def _reference(series, *, value, expected):
    work = pd.DataFrame(
        {
            "year": series["period"].map(period_year).astype("int64"),
            "_v": pd.to_numeric(series[value]).astype("Float64"),
            "_e": series["estimated"].astype(bool)
            if "estimated" in series.columns
            else pd.Series(False, index=series.index),
        }
    )
    out = (
        work.groupby("year", sort=True)
        .agg(_v=("_v", "mean"), _n=("_v", "count"), _e=("_e", "any"))
        .reset_index()
    )
    return pd.DataFrame(
        {
            "year": out["year"].astype("int64"),
            value: out["_v"].astype("Float64"),
            "periods": out["_n"].astype("Int64"),
            "complete": (out["_n"] == expected).astype(bool),
            "estimated": out["_e"].astype(bool),
        }
    )


@pytest.mark.parametrize("monthly", [True, False])
def test_annual_average_equals_the_grouped_mean_to_the_bit(monthly):
    rng = np.random.default_rng(7)
    for trial in range(40):
        if monthly:
            periods = [f"{y}-{m:02d}" for y in range(2012, 2025) for m in range(1, 13)]
        else:
            periods = [f"{y}-T{q}" for y in range(2003, 2025) for q in range(1, 5)]
        periods = [p for p in periods if rng.random() < 0.9]
        values = [
            None if rng.random() < 0.1 else float(rng.random() * 20 + rng.integers(0, 5000))
            for _ in periods
        ]
        series = pd.DataFrame({"period": periods, "value": pd.array(values, dtype="Float64")})
        if trial % 2:
            series["estimated"] = rng.random(len(series)) < 0.3

        table = annual_average(series, value="value")

        expected = _reference(series, value="value", expected=12 if monthly else 4)
        pd.testing.assert_frame_equal(table, expected, check_exact=True)


def test_annual_average_of_a_year_without_known_value_is_unknown():
    series = pd.DataFrame(
        {"period": ["2023-T1", "2024-T1", "2024-T2"], "rate": pd.array([None, 7.0, 8.0], "Float64")}
    )

    table = annual_average(series, value="rate")

    assert table["year"].tolist() == [2023, 2024]
    assert pd.isna(table["rate"].iloc[0]) and table["rate"].iloc[1] == 7.5
    assert table["periods"].tolist() == [0, 2]
