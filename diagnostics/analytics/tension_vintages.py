"""The published tension vintages side by side: one row per bassin BMO × ROME, one column per
indicator and year, an unknown cell saying why (« non publié », « absent », « non renseigné »).

Input: `tensions_published.published_tensions` and `factors_published`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .columns import BASSIN_BMO_CODE, PUBLISHED_TENSION, ROME_CODE, YEAR
from .common import require_columns
from .tensions_published import (
    ABSENT,
    BLANK,
    FACTOR_KEYS,
    NOT_PUBLISHED,
    PUBLISHED_COLUMNS,
    ROME_LABEL,
    VINTAGES,
)


def vintage_column(key: str, year: int) -> str:
    """Column of the side-by-side table: `tension_2021`, `hiring_intensity_2019`…"""
    return f"{key}_{year}"


def _vintages_text(years: Sequence[int], present: Sequence[int]) -> str:
    if len(present) == len(years):
        return "tous" if len(years) > 2 else " et ".join(str(y) for y in years)
    return " et ".join(str(y) for y in present) + " seulement"


def tension_vintages(
    published: pd.DataFrame, *, factors: Mapping[int, Sequence[str]]
) -> pd.DataFrame:
    """The vintages side by side, one row per bassin BMO × ROME present in any vintage.

    Input: `published_tensions`; `factors`: `factors_published` (a year missing there publishes
    no factor). Output columns: bassin_bmo_code, rome_code, rome_label, vintages (« 2019 et
    2021 », « 2021 seulement »…), then per year (ascending) and per indicator (tension, then
    the six factors) `vintage_column(key, year)`: the published 1–5 value (int), or the text
    « non publié » (factor not in this vintage), « absent » (métier not in this vintage for the
    bassin), « non renseigné » (blank cell). Sorted by the last year's tension (strongest
    first, absent last), then the earlier years', then bassin and ROME code."""
    require_columns(published, PUBLISHED_COLUMNS, what="les indicateurs de tension publiés")
    years = sorted(int(y) for y in published[YEAR].unique())
    keys = [BASSIN_BMO_CODE, ROME_CODE]
    base = (
        published.sort_values([*keys, YEAR], ascending=[True, True, False], kind="mergesort")
        .drop_duplicates(keys)[[*keys, ROME_LABEL]]
        .reset_index(drop=True)
    )
    present: dict[tuple[str, str], list[int]] = {}
    for bassin, rome, year in published[[*keys, YEAR]].itertuples(index=False):
        present.setdefault((bassin, rome), []).append(int(year))
    base[VINTAGES] = [
        _vintages_text(years, sorted(present[(b, r)]))
        for b, r in zip(base[BASSIN_BMO_CODE], base[ROME_CODE], strict=True)
    ]
    columns = {PUBLISHED_TENSION: "tension", **FACTOR_KEYS}
    sort_columns: list[str] = []
    index = pd.MultiIndex.from_frame(base[keys])
    for year in years:
        rows = published[published[YEAR] == year].set_index(keys)
        # Once per year, not per indicator: which rows the vintage has, and their values.
        found = index.isin(rows.index).tolist()
        aligned = rows[list(columns)].reindex(index)
        for column, key in columns.items():
            name = vintage_column(key, year)
            if key != "tension" and key not in factors.get(year, []):
                cells: list[Any] = [NOT_PUBLISHED if f else ABSENT for f in found]
            else:
                cells = [
                    (BLANK if pd.isna(v) else int(v)) if f else ABSENT
                    for v, f in zip(aligned[column].tolist(), found, strict=True)
                ]
            base[name] = pd.Series(cells, dtype=object)
            if key == "tension":
                sort_key = f"_sort_{year}"
                base[sort_key] = [-v if isinstance(v, int) else 1 for v in cells]
                sort_columns.insert(0, sort_key)
    base = base.sort_values([*sort_columns, *keys], kind="mergesort").reset_index(drop=True)
    return base.drop(columns=sort_columns)


def vintage_years(vintages: pd.DataFrame) -> list[int]:
    """The years of a `tension_vintages` frame (from its `tension_YYYY` columns)."""
    return sorted(int(c[-4:]) for c in vintages.columns if str(c).startswith("tension_"))
