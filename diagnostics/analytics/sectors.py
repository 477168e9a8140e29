"""Key sectors: how recruitment needs evolve by sector, and where the job seekers come from.

1. BMO families of métiers (the survey's own grouping, stable across the 2023 → 2025
   campaigns although the métier codes moved from FAP 2009 to FAP 2021): projects of the first
   and last campaign, change and percentage change; the families that grow and shrink the
   most. Totals add published cells only (secret cells stay unknown): a family whose secret
   cells differ between the two campaigns may move for that reason alone, and the table gives
   the secret cells of each end.
2. Job seekers by NAF section of their last employer, for the bassins BMO of the basin
   (France Travail, « demandeurs d'emploi par bassin et secteur »): each section's share beside
   France's; the change between vintages only when more than one vintage is imported (the
   published file is a single snapshot: no evolution is claimed from it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .columns import (
    BASSIN_BMO_CODE,
    CHANGE,
    END_VALUE,
    FAMILY_CODE,
    FAMILY_LABEL,
    FIRST_PERIOD,
    LAST_PERIOD,
    MASKED_CELLS,
    NAF_SECTION,
    PERCENT_CHANGE,
    PROJECTS,
    REFERENCE_SHARE,
    SECTOR_LABEL,
    SHARE,
    START_VALUE,
    VALUE,
    VINTAGE,
    YEAR,
)
from .common import require_columns
from .row_index import RowIndex, row_index

FAMILY_CHANGE_COLUMNS = [
    FAMILY_CODE,
    FAMILY_LABEL,
    FIRST_PERIOD,
    LAST_PERIOD,
    START_VALUE,
    END_VALUE,
    CHANGE,
    PERCENT_CHANGE,
    "start_masked_cells",
    "end_masked_cells",
]
SECTOR_COLUMNS = [NAF_SECTION, SECTOR_LABEL, VINTAGE, VALUE, SHARE, REFERENCE_SHARE]


def family_changes(by_family: pd.DataFrame) -> pd.DataFrame:
    """Projects per BMO family between the first and the last campaign.

    Input: `bmo.bmo_by_family` of the basin (year, family_code, family_label, projects,
    masked_cells). Output: FAMILY_CHANGE_COLUMNS, one row per family present in either
    campaign (an absent family counts 0 projects), sorted by change (largest rise first),
    then code. percent_change is NA when the first campaign had no project. Empty with fewer
    than two campaigns."""
    require_columns(by_family, [YEAR, FAMILY_CODE, PROJECTS], what="les projets par famille")
    years = sorted(int(y) for y in by_family[YEAR].dropna().unique())
    if len(years) < 2:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in FAMILY_CHANGE_COLUMNS})
    first, last = years[0], years[-1]
    # The rows as Python values once (a filter, index and reindex per year and column cost
    # more than the few dozen families they hold).
    year_of = [None if pd.isna(y) else int(y) for y in by_family[YEAR].tolist()]
    code_of = by_family[FAMILY_CODE].tolist()
    label_of = (
        by_family[FAMILY_LABEL].tolist()
        if FAMILY_LABEL in by_family.columns
        else [""] * len(by_family)
    )
    projects = pd.to_numeric(by_family[PROJECTS]).astype("float64").tolist()
    masked = (
        pd.to_numeric(by_family[MASKED_CELLS]).astype("float64").tolist()
        if MASKED_CELLS in by_family.columns
        else [0.0] * len(by_family)
    )
    # The label of a family's latest campaign (the last row of it, as a stable sort by year
    # then « keep last » takes it).
    labels: dict[Any, Any] = {}
    for i in sorted(range(len(by_family)), key=lambda i: (year_of[i] is None, year_of[i] or 0)):
        labels[code_of[i]] = label_of[i]

    def at(year: int, values: list[float]) -> dict[Any, float]:
        return {code_of[i]: values[i] for i in range(len(year_of)) if year_of[i] == year}

    def filled(found: dict[Any, float], code: str) -> float:
        value = found.get(code)
        return 0.0 if value is None or math.isnan(value) else value

    codes = sorted({str(code) for code in code_of})
    starts, ends = at(first, projects), at(last, projects)
    out = pd.DataFrame(
        {
            FAMILY_CODE: codes,
            FAMILY_LABEL: [labels.get(c, "") for c in codes],
            FIRST_PERIOD: str(first),
            LAST_PERIOD: str(last),
            START_VALUE: np.array([filled(starts, c) for c in codes], dtype="float64"),
            END_VALUE: np.array([filled(ends, c) for c in codes], dtype="float64"),
        }
    )
    out[CHANGE] = out[END_VALUE] - out[START_VALUE]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[PERCENT_CHANGE] = np.where(
            out[START_VALUE] > 0, out[CHANGE] / out[START_VALUE] * 100, np.nan
        )
    masked_start, masked_end = at(first, masked), at(last, masked)
    out["start_masked_cells"] = np.array([filled(masked_start, c) for c in codes]).astype("int64")
    out["end_masked_cells"] = np.array([filled(masked_end, c) for c in codes]).astype("int64")
    for column in (START_VALUE, END_VALUE, CHANGE, PERCENT_CHANGE):
        out[column] = out[column].astype("Float64")
    out = out.sort_values([CHANGE, FAMILY_CODE], ascending=[False, True], kind="mergesort")
    return out[FAMILY_CHANGE_COLUMNS].reset_index(drop=True)


def movers(changes: pd.DataFrame, *, n: int = 3) -> dict[str, list[dict[str, Any]]]:
    """The `n` families that grow and the `n` that shrink the most (by change in projects;
    a family with no change is in neither). Input: `family_changes`."""

    # Column by column as Python values (a Series per row cost more than the rest).
    codes = changes[FAMILY_CODE].tolist()
    labels = changes[FAMILY_LABEL].tolist()
    start, end, change, percent = (
        list(changes[column].astype("Float64").to_numpy(dtype=object, na_value=None))  # type: ignore[call-overload]
        for column in (START_VALUE, END_VALUE, CHANGE, PERCENT_CHANGE)
    )

    def entry(i: int) -> dict[str, Any]:
        return {
            "code": str(codes[i]),
            "label": str(labels[i]),
            "start": float(start[i]),
            "end": float(end[i]),
            "change": float(change[i]),
            "percent_change": None if pd.isna(percent[i]) else float(percent[i]),
        }

    # Rising: in the order of `changes` (largest rise first); falling: by change, then code,
    # stably (as the merge sort did).
    rising = [i for i in range(len(codes)) if change[i] is not None and change[i] > 0][:n]
    falling = sorted(
        (i for i in range(len(codes)) if change[i] is not None and change[i] < 0),
        key=lambda i: (change[i], codes[i]),
    )[:n]
    return {"growing": [entry(i) for i in rising], "shrinking": [entry(i) for i in falling]}


@dataclass(frozen=True)
class SectorReference:
    """What `sector_job_seekers` reads of every bassin (the same for every basin): the rows'
    vintages, sections and numeric values as arrays with their positions by bassin, France's
    (sum, vintage total) by vintage and section, and the sections' labels."""

    # The rows' positions by bassin (`row_index`), so a basin's rows are not a scan of all.
    index: RowIndex
    vintages: np.ndarray
    sections: np.ndarray
    amounts: np.ndarray
    france_sums: dict[tuple[Any, Any], tuple[float, float]]
    label_of: dict[Any, Any]
    # The dtypes of the vintage and section columns, kept by the output.
    vintage_dtype: Any
    section_dtype: Any


def sector_reference(frame: pd.DataFrame) -> SectorReference:
    require_columns(
        frame,
        [BASSIN_BMO_CODE, VINTAGE, NAF_SECTION, SECTOR_LABEL, VALUE],
        what="les demandeurs par secteur",
    )
    rows = frame.assign(_v=pd.to_numeric(frame[VALUE], errors="coerce").astype("float64"))
    labels = rows.drop_duplicates([NAF_SECTION], keep="last").set_index(NAF_SECTION)[SECTOR_LABEL]
    france = rows.groupby(SECTOR_KEYS, sort=True)["_v"].sum(min_count=1).rename("_f").reset_index()
    france["_t"] = france.groupby(VINTAGE)["_f"].transform("sum")
    return SectorReference(
        index=row_index(rows, BASSIN_BMO_CODE),
        vintages=rows[VINTAGE].to_numpy(dtype=object),
        sections=rows[NAF_SECTION].to_numpy(dtype=object),
        amounts=rows["_v"].to_numpy(dtype="float64"),
        france_sums={
            (v, n): (f, t)
            for v, n, f, t in zip(
                france[VINTAGE].tolist(),
                france[NAF_SECTION].tolist(),
                france["_f"].tolist(),
                france["_t"].tolist(),
                strict=True,
            )
        },
        label_of=dict(zip(labels.index.tolist(), labels.tolist(), strict=True)),
        vintage_dtype=rows[VINTAGE].dtype,
        section_dtype=rows[NAF_SECTION].dtype,
    )


SECTOR_KEYS = [VINTAGE, NAF_SECTION]


def sector_job_seekers(
    frame: pd.DataFrame, *, bassins: Sequence[str], reference: SectorReference | None = None
) -> pd.DataFrame:
    """Job seekers of the basin's bassins BMO by NAF section, with France's shares.

    Input: SECTOR_JOB_SEEKERS (bassin_bmo_code, vintage, naf_section, sector_label, value;
    every bassin, for France). Output: SECTOR_COLUMNS, one row per vintage and section (the
    « unknown activity » section is kept, its code empty), share = the section's part of the
    bassins' job seekers of that vintage, reference_share = the same for France; sorted by
    vintage, then value (largest first), then section. `reference`: `sector_reference(frame)`
    when already computed (shared by the basins of a national batch)."""
    if reference is None:
        reference = sector_reference(frame)
    positions = reference.index.of(bassins)
    # The basin's sums by (vintage, section), its rows added in their order (a group whose
    # values are all unknown stays unknown, as `sum(min_count=1)`).
    sums: dict[tuple[Any, Any], float] = {}
    for vintage, section, value in zip(
        reference.vintages[positions].tolist(),
        reference.sections[positions].tolist(),
        reference.amounts[positions].tolist(),
        strict=True,
    ):
        before = sums.setdefault((vintage, section), math.nan)
        if not math.isnan(value):
            sums[(vintage, section)] = value if math.isnan(before) else before + value
    if not sums:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in SECTOR_COLUMNS})
    keys = sorted(sums)
    values = [sums[key] for key in keys]
    totals: dict[Any, float] = {}
    for (vintage, _section), value in zip(keys, values, strict=True):
        totals[vintage] = totals.get(vintage, 0.0) + (0.0 if math.isnan(value) else value)
    nan = math.nan
    shares = [
        value / totals[key[0]] if totals[key[0]] > 0 else nan
        for key, value in zip(keys, values, strict=True)
    ]
    france = [reference.france_sums.get(key, (nan, nan)) for key in keys]
    references = [f / t if t > 0 else nan for f, t in france]

    def rank(i: int) -> tuple[Any, ...]:
        # By vintage, then value (largest first, unknown last), then section.
        unknown = math.isnan(values[i])
        return (keys[i][0], unknown, 0.0 if unknown else -values[i], keys[i][1])

    order = sorted(range(len(keys)), key=rank)
    label_of = reference.label_of
    labels = [label_of.get(keys[i][1]) for i in order]
    return pd.DataFrame(
        {
            NAF_SECTION: pd.Series([keys[i][1] for i in order], dtype=reference.section_dtype),
            SECTOR_LABEL: pd.Series(
                ["" if label is None or pd.isna(label) else label for label in labels],
                dtype=object,
            ),
            VINTAGE: pd.Series([keys[i][0] for i in order], dtype=reference.vintage_dtype),
            VALUE: pd.array([values[i] for i in order], dtype="Float64"),
            SHARE: pd.array([shares[i] for i in order], dtype="Float64"),
            REFERENCE_SHARE: pd.array([references[i] for i in order], dtype="Float64"),
        }
    )
