"""JSON-safe records of the diagnostic document: scalars cleaned (NA → None, numpy → Python,
floats rounded where asked) and frames turned into lists of dicts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------
# JSON helpers


def json_scalar(value: Any, decimals: int | None = None) -> Any:
    """A JSON-safe scalar: NA / NaN → None, numpy → Python, floats rounded to `decimals`."""
    # The Python types most cells are, first, by exact type (what the checks below give them).
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if math.isnan(float(value)) or math.isinf(float(value)):
            return None
        if decimals is None:
            return float(value)
        rounded = round(float(value), decimals)
        return int(rounded) if decimals == 0 else rounded
    if isinstance(value, int):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value if isinstance(value, (str, list, dict)) else str(value)


def frame_records(
    frame: pd.DataFrame, columns: Mapping[str, str], decimals: Mapping[str, int] | None = None
) -> list[dict[str, Any]]:
    """Rows of `frame` as dicts: {json key: value} for `columns` (frame column → key)."""
    decimals = decimals or {}
    # Only the columns asked for are turned into Python values (the frames carry many more),
    # column by column (`to_dict("records")` boxes every cell through pandas).
    none = [None] * len(frame)
    cleaned = [
        (
            key,
            [json_scalar(v, decimals.get(column)) for v in frame[column].tolist()]
            if column in frame.columns
            else none,
        )
        for column, key in columns.items()
    ]
    return [{key: values[i] for key, values in cleaned} for i in range(len(frame))]


def frame_to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Any frame as JSON-safe records (for the API and the exports)."""
    return [{str(k): json_scalar(v) for k, v in row.items()} for row in frame.to_dict("records")]
