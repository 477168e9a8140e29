"""JSON columns of the stored tables (analytics.payload.column_values): every dtype the engine
produces, converted straight from numpy, gives the values the Series-based conversion gave."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from diagnostics.analytics.payload import column_values


def series_based(values: pd.Series, decimals: int) -> list:
    """The previous conversion (pandas operations), kept here as the reference."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return [None if pd.isna(v) else bool(v) for v in values.tolist()]
    if pd.api.types.is_integer_dtype(dtype):
        return [None if pd.isna(v) else int(v) for v in values.tolist()]
    numbers = pd.to_numeric(values).astype("float64")
    numbers = numbers.where(np.isfinite(numbers)).round(decimals)
    return [None if math.isnan(v) else (int(v) if decimals == 0 else v) for v in numbers.tolist()]


COLUMNS = [
    pd.Series([True, False, None], dtype="boolean"),
    pd.Series([True, False, True]),
    pd.Series([1, None, 3], dtype="Int64"),
    pd.Series([1, 2, 3], dtype="int64"),
    pd.Series([0.123456, None, 2.5, 1 / 3], dtype="Float64"),
    pd.Series([0.125, np.inf, np.nan, -2.675]),
    pd.Series([167.7777, 4.5, 5.5, 0.0], dtype="Float64"),
]


@pytest.mark.parametrize("values", COLUMNS)
@pytest.mark.parametrize("decimals", [0, 1, 3, 4])
def test_columns_convert_as_before(values, decimals):
    got = column_values(values, decimals)
    expected = series_based(values, decimals)
    assert got == expected
    assert [type(v) for v in got] == [type(v) for v in expected]


def test_a_float_column_rounds_to_its_decimals():
    assert column_values(pd.Series([167.7777, None], dtype="Float64"), 0) == [168, None]
    assert column_values(pd.Series([0.61234, np.inf]), 4) == [0.6123, None]
