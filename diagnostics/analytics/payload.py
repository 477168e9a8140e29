"""Tables as JSON: the stored shape of a report's table ({"title", "columns", "labels",
"rows"}), with the decimals kept for each column and the French labels. What the report's table,
the CSV and the XLSX all show."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.column_labels import column_label
from diagnostics.analytics.indicators import TABLE_TITLES

EXTRA_TABLE_TITLES = {
    "communes_map": "Communes du bassin : demandeurs d'emploi pour 1 000 habitants",
    "region_map": "Bassins de la région : taux de chômage",
    "region_map_zones": "Zones d'emploi de la région : taux de chômage",
}


# --- Tables as JSON ---------------------------------------------------------------------------

# Decimals kept for the floats of each column (the report shows these very values).
COUNT_COLUMNS = {
    c.PROJECTS, c.DIFFICULT, c.SEASONAL, c.DIFFICULTY_BASE, c.SEASONAL_BASE, c.VALUE,
    c.DIRECT_VALUE, c.OFFERS, c.JOB_SEEKERS_ABC, c.JOB_SEEKERS_A, c.LOCAL_VALUE,
    c.REFERENCE_VALUE, c.POPULATION, c.ZONE_POPULATION, c.OVERLAP_POPULATION, "bmo_projects",
    "bmo_difficult", "bmo_seasonal", "job_seekers",
}  # fmt: skip
ONE_DECIMAL_COLUMNS = {
    c.RATE, "region_rate", "france_rate", "unemployment_rate", c.PROJECTS_PER_1000,
    "bmo_projects_per_1000", "job_seekers_per_1000", c.START_VALUE, c.END_VALUE, c.CHANGE,
    c.NATIONAL_SHARE, c.INDUSTRY_MIX, c.REGIONAL_SHIFT, c.PERCENTILE,
}  # fmt: skip
# Columns mixing rates (0.6523) and counts row by row keep DEFAULT_DECIMALS (4): value,
# median, region_value (comparison), first/last value and absolute change (changes).
THREE_DECIMAL_COLUMNS = {
    c.LOCATION_QUOTIENT, c.TENSION_INDEX, c.Z_OFFERS_PER_SEEKER, c.Z_EXIT_RATE,
    c.Z_BMO_DIFFICULTY_SHARE, c.OFFERS_PER_SEEKER,
}  # fmt: skip
DEFAULT_DECIMALS = 4
# Prospective (issue 17): estimated populations and job seekers are counts; projections and
# their errors keep two decimals (rates in % and counts alike).
COUNT_COLUMNS |= {
    c.WORKING_AGE, c.SENIORS, c.YOUNG, c.SURPLUS, c.JOB_SEEKERS_CONCERNED, c.TARGET_OFFERS,
}  # fmt: skip
THREE_DECIMAL_COLUMNS |= {c.SEEKERS_PER_OFFER, c.RENEWAL_RATIO}


# Per table: columns whose unit changes row by row (rates and counts mixed).
TABLE_DECIMALS = {
    "comparison": {c.VALUE: DEFAULT_DECIMALS, c.MEDIAN: DEFAULT_DECIMALS},
    "changes": {},
    "prospective_projections": {
        c.OBSERVED: 2,
        c.FORECAST: 2,
        c.LOWER: 2,
        c.UPPER: 2,
    },
    "prospective_backtest": {c.MAE: 3, c.NAIVE_MAE: 3, c.MAPE: 4},
}


def _decimals(column: str, table: str = "") -> int:
    if column in TABLE_DECIMALS.get(table, {}):
        return TABLE_DECIMALS[table][column]
    if column in COUNT_COLUMNS:
        return 0
    if column in ONE_DECIMAL_COLUMNS:
        return 1
    if column in THREE_DECIMAL_COLUMNS:
        return 3
    return DEFAULT_DECIMALS


def json_value(value: Any, decimals: int = DEFAULT_DECIMALS) -> Any:
    """A JSON-safe cell: NA → None, numpy → Python, floats rounded (integers when 0)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if not math.isfinite(number):
            return None
        rounded = round(number, decimals)
        return int(rounded) if decimals == 0 else rounded
    if isinstance(value, (list, tuple)):
        return [json_value(v, decimals) for v in value]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _objects(values: pd.Series) -> list[Any]:
    """The values as Python objects, missing ones as None."""
    converted: Any = values.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    return list(converted)


def _kind(dtype: Any) -> str:
    """« b » (boolean), « i » (integer), « f » (float) or « » (anything else) for `dtype`."""
    if isinstance(dtype, pd.CategoricalDtype):
        if pd.api.types.is_bool_dtype(dtype):
            return "b"
        if pd.api.types.is_integer_dtype(dtype):
            return "i"
        return "f" if pd.api.types.is_float_dtype(dtype) else ""
    kind = getattr(dtype, "kind", "")
    if kind in ("i", "u"):
        return "i"
    return kind if kind in ("b", "f") else ""


def column_values(values: pd.Series, decimals: int) -> list[Any]:
    """A column as JSON-safe Python values, converted column-wise (a row-by-row conversion
    costs a third of a run's time on the big tables)."""
    # Straight to numpy: a national batch converts ~250 columns per basin, and the Series
    # operations (to_numeric, where, round) cost more than the conversion itself. The dtype is
    # told by its kind (what `is_bool_dtype`, `is_integer_dtype` and `is_float_dtype` decide
    # for numpy and nullable dtypes, without their generic dispatch); a categorical, whose
    # kind does not say it, goes through them.
    dtype = values.dtype
    kind = _kind(dtype)
    if kind == "b":
        return [None if v is None else bool(v) for v in _objects(values)]
    if kind == "i":
        if isinstance(dtype, np.dtype):  # numpy integers: never missing
            return [int(v) for v in values.tolist()]
        return [None if v is None else int(v) for v in _objects(values)]
    if kind == "f":
        return _floats(values.to_numpy(dtype="float64", na_value=np.nan), decimals)
    # Text columns: a str is its own JSON value (`json_value` would return `str(value)`).
    return [v if type(v) is str else json_value(v, decimals) for v in values.tolist()]


def _masked_values(array: Any, convert: Any) -> list[Any] | None:
    """A nullable (masked) integer or boolean array as Python values, missing ones None: its
    values and mask read directly (None when the array does not expose them)."""
    data, mask = getattr(array, "_data", None), getattr(array, "_mask", None)
    if not isinstance(data, np.ndarray) or not isinstance(mask, np.ndarray):
        return None
    values = data.tolist()
    if mask.any():
        return [None if m else convert(v) for v, m in zip(values, mask.tolist(), strict=True)]
    return values


def _floats(numbers: np.ndarray, decimals: int) -> list[Any]:
    """float64 values rounded to `decimals` (integers when 0), non-finite ones None."""
    numbers = np.round(np.where(np.isfinite(numbers), numbers, np.nan), decimals)
    return [None if math.isnan(v) else (int(v) if decimals == 0 else v) for v in numbers.tolist()]


def _array_values(array: Any, decimals: int) -> list[Any] | None:
    """`column_values` for a column as stored (a numpy array of booleans, integers or floats,
    a nullable integer, float or boolean array, or an array of text), without a Series; None
    for any other array (the Series path converts it)."""
    if isinstance(array, np.ndarray):
        kind = array.dtype.kind
        if kind in ("b", "i", "u"):
            return array.tolist()  # Python bools and ints, never missing
        if kind == "f":
            return _floats(array.astype("float64", copy=False), decimals)
        return None
    if isinstance(array, pd.arrays.IntegerArray):
        return _masked_values(array, int)
    if isinstance(array, pd.arrays.BooleanArray):
        return _masked_values(array, bool)
    if isinstance(array, pd.arrays.FloatingArray):
        return _floats(array.to_numpy(dtype="float64", na_value=np.nan), decimals)
    if isinstance(array, pd.arrays.StringArray):
        # A str is its own JSON value (`json_value` would return `str(value)`).
        return [v if type(v) is str else json_value(v, decimals) for v in array.tolist()]
    return None


def _columns(frame: pd.DataFrame) -> list[Any]:
    """The frame's columns as stored (numpy or pandas arrays), without a Series per column
    (None where the frame does not give them so)."""
    get = getattr(frame, "_get_column_array", None)
    if get is None:
        return [None] * frame.shape[1]
    return [get(i) for i in range(frame.shape[1])]


def table_payload(name: str, frame: pd.DataFrame) -> dict[str, Any]:
    """{"title", "columns", "labels", "rows"}: what the report's table, the CSV and the XLSX
    all show (internal helper columns starting with `_` are left out)."""
    # Columns taken by position, as stored: a Series per column costs more than converting
    # most of them (`_array_values`); the others go through `column_values`.
    arrays = _columns(frame)
    # A name given twice shows the values of its last column (as a lookup by name did).
    position = {str(col): i for i, col in enumerate(frame.columns)}
    columns = [str(col) for col in frame.columns if not str(col).startswith("_")]
    values: list[list[Any]] = []
    for col in columns:
        i, decimals = position[col], _decimals(col, name)
        array = arrays[i]
        converted = None if array is None else _array_values(array, decimals)
        if converted is None:
            converted = column_values(frame.iloc[:, i], decimals)
        values.append(converted)
    rows = [list(row) for row in zip(*values, strict=True)] if columns else []
    return {
        "title": TABLE_TITLES.get(name) or EXTRA_TABLE_TITLES.get(name) or name,
        "columns": columns,
        "labels": [column_label(col) for col in columns],
        "rows": rows,
    }
