"""The skills gap's lines as JSON-safe records (for the API, the exports and the pages) and the
components of a line with their labels and weights."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics.columns import (
    DIFFICULT,
    MASKED_CELLS,
    NON_DURABLE_EMPLOYMENT,
    PROJECTS,
    WORKING_CONDITIONS,
)

from .columns import (
    COMPONENT_LABELS_FR,
    COMPONENTS,
    COVERAGE,
    DEMAND_SCORE,
    DIFFICULTY_RATE,
    JOB_SEEKERS,
    PLACES,
    PROJECTS_FIRST,
    SCORE,
    SEASONAL_RATE,
    TENSION,
    TREND,
)

# --------------------------------------------------------------------------------------------
# JSON


def _json_value(value: Any, decimals: int | None = None) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return None
        return round(number, decimals) if decimals is not None else number
    return value


DECIMALS = {
    SCORE: 1,
    DEMAND_SCORE: 4,
    COVERAGE: 4,
    DIFFICULTY_RATE: 4,
    SEASONAL_RATE: 4,
    TREND: 4,
    TENSION: 2,
    WORKING_CONDITIONS: 2,
    NON_DURABLE_EMPLOYMENT: 2,
    JOB_SEEKERS: 0,
    PROJECTS: 1,
    DIFFICULT: 1,
    PROJECTS_FIRST: 1,
    PLACES: 0,
    MASKED_CELLS: 0,
    **dict.fromkeys(COMPONENTS, 4),
}
INTEGERS = {JOB_SEEKERS, PLACES, MASKED_CELLS}


def gap_records(
    lines: pd.DataFrame, *, columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The lines as JSON-safe dicts (tuples → lists, NA → None, floats rounded)."""
    records = []
    for row in lines.to_dict("records"):
        record: dict[str, Any] = {}
        for key in columns or lines.columns:
            value = _json_value(row.get(key), DECIMALS.get(key))
            if key in INTEGERS and isinstance(value, float):
                value = int(value)
            record[key] = value
        records.append(record)
    return records


def components_of(
    record: Mapping[str, Any], weights: Mapping[str, float]
) -> Iterable[dict[str, Any]]:
    """(label, value, weight) of each component of a line, for the pages."""
    for component in COMPONENTS:
        yield {
            "code": component,
            "label": COMPONENT_LABELS_FR[component],
            "value": record.get(component),
            "weight": float(weights.get(component, 0.0)),
        }
