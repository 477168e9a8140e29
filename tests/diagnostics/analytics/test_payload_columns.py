"""JSON columns of the stored tables (analytics.payload.column_values): every dtype the engine
produces, converted straight from numpy, gives the values the Series-based conversion gave."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from diagnostics.analytics.payload import column_values, table_payload


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


MORE_COLUMNS = [
    *COLUMNS,
    pd.Series([1, 2, 3], dtype="uint8"),
    pd.Series([1.5, 2.5, np.nan], dtype="float32"),
    pd.Series([True, None, False], dtype="boolean"),
    pd.Series([None, None], dtype="Int64"),
    pd.Series(["a", None, "c"], dtype="str"),
    pd.Series(["a", None, 3], dtype=object),
    pd.Series(pd.Categorical(["x", "y", None])),
    pd.Series(pd.to_datetime(pd.Series(["2024-01-01", None]))),
]


@pytest.mark.parametrize("values", MORE_COLUMNS)
def test_a_table_converts_each_column_as_column_values_does(values):
    """`table_payload` reads the columns as stored (no Series per column): the same values,
    of the same types, as `column_values` on the column."""
    frame = pd.DataFrame({"figure": values.reset_index(drop=True), "_hidden": range(len(values))})
    rows = table_payload("x", frame)["rows"]
    got = [row[0] for row in rows]
    expected = column_values(frame["figure"], 4)  # 4 decimals: a column of no known unit
    assert got == expected
    assert [type(v) for v in got] == [type(v) for v in expected]


def test_a_name_given_twice_shows_its_last_column():
    frame = pd.DataFrame([[1, 2.5, "a"]], columns=["x", "x", "y"])
    payload = table_payload("x", frame)
    assert payload["columns"] == ["x", "x", "y"]
    assert payload["rows"] == [[2.5, 2.5, "a"]]
