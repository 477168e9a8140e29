"""The published tension rows as JSON records (API, document) and as they are stored in a run's
document (one list of values per record, `published_tension_rows`), and back.

Input: `tensions_published.published_tensions`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .columns import (
    BASSIN_BMO_CODE,
    JOB_SEEKERS_ABC,
    OFFERS,
    PUBLISHED_TENSION,
    ROME_CODE,
    YEAR,
)
from .common import require_columns
from .tensions_published import FACTOR_KEYS, PUBLISHED_COLUMNS, ROME_LABEL


def _int(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def _float(value: Any, decimals: int = 2) -> float | None:
    return None if pd.isna(value) else round(float(value), decimals)


def published_tension_records(published: pd.DataFrame) -> list[dict[str, Any]]:
    """One JSON entry per published row: {"year", "bassin_bmo", "rome", "label", "tension",
    "factors": {key: 1–5 or None}, "offers", "job_seekers_abc"} (None = unknown: blank cell or
    factor not published by the vintage, see `factors_published`). Input: `published_tensions`."""
    require_columns(published, PUBLISHED_COLUMNS, what="les indicateurs de tension publiés")
    records = []
    for values in published.to_dict("records"):
        records.append(
            {
                "year": int(values[YEAR]),
                "bassin_bmo": str(values[BASSIN_BMO_CODE]),
                "rome": str(values[ROME_CODE]),
                "label": values[ROME_LABEL] or None,
                "tension": _int(values[PUBLISHED_TENSION]),
                "factors": {key: _int(values[column]) for column, key in FACTOR_KEYS.items()},
                "offers": _float(values[OFFERS]),
                "job_seekers_abc": _float(values[JOB_SEEKERS_ABC]),
            }
        )
    return records


RECORD_COLUMNS = [
    "year",
    "bassin_bmo",
    "rome",
    "label",
    "tension",
    *FACTOR_KEYS.values(),
    "offers",
    "job_seekers_abc",
]


def published_tension_rows(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The records of `published_tension_records` as stored in a run's document: one list of
    values per record under the names of `RECORD_COLUMNS` ({"columns", "rows"}), a third of
    the size of the records (the names are written once, not in each of the ≈ 200 records of a
    basin). `published_tension_records_of` gives the records back."""
    return {
        "columns": list(RECORD_COLUMNS),
        "rows": [
            [
                r["year"],
                r["bassin_bmo"],
                r["rome"],
                r["label"],
                r["tension"],
                *(r["factors"][key] for key in FACTOR_KEYS.values()),
                r["offers"],
                r["job_seekers_abc"],
            ]
            for r in records
        ],
    }


def published_tension_records_of(stored: Any) -> list[dict[str, Any]]:
    """The records (shape of `published_tension_records`) of a run's document key
    `tensions_published`: the rows of `published_tension_rows`, or the list of records that
    runs stored before it (returned as it is)."""
    if not stored:
        return []
    if isinstance(stored, list):
        return stored
    index = {name: i for i, name in enumerate(stored["columns"])}
    factors = [(key, index[key]) for key in FACTOR_KEYS.values()]
    return [
        {
            "year": row[index["year"]],
            "bassin_bmo": row[index["bassin_bmo"]],
            "rome": row[index["rome"]],
            "label": row[index["label"]],
            "tension": row[index["tension"]],
            "factors": {key: row[i] for key, i in factors},
            "offers": row[index["offers"]],
            "job_seekers_abc": row[index["job_seekers_abc"]],
        }
        for row in stored["rows"]
    ]
