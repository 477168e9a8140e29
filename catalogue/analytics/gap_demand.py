"""The demand of each training path read from a diagnostic run's tables (BMO projects and their
trend, métiers en tension, job seekers and DARES tension per ROME code) and its local supply
(places of the offers that cover it). Called by `gap.training_gap`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.analytics.columns import (
    DIFFICULT,
    DIFFICULTY_BASE,
    DURABLE,
    IN_TENSION,
    JOB_SEEKERS_ABC,
    LACK_OF_LABOUR,
    MASKED_CELLS,
    METIER_CODE,
    NON_DURABLE_EMPLOYMENT,
    PROJECTS,
    PUBLISHED_TENSION,
    ROME_CODE,
    SEASONAL,
    SEASONAL_BASE,
    WORKING_CONDITIONS,
    YEAR,
)
from diagnostics.analytics.common import require_columns

from .columns import (
    BMO_CODES,
    BMO_METIER_COLUMNS,
    DIFFICULTY_RATE,
    FIRST_YEAR,
    JOB_SEEKERS,
    LAST_YEAR,
    METIER_TENSION_COLUMNS,
    METIERS_DURABLE,
    METIERS_IN_TENSION,
    METIERS_MATCHED,
    OFFERS_COUNT,
    PATH_ID,
    PLACES,
    PROJECTS_FIRST,
    ROME_CODES,
    ROME_MATCHED,
    ROME_TENSION_COLUMNS,
    SEASONAL_RATE,
    SUPPLY_COLUMNS,
    TENSION,
    TENSION_YEAR,
    TREND,
    TREND_BREAK,
)

# --------------------------------------------------------------------------------------------
# Helpers


def code_tuple(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        return tuple(v for v in value.replace(",", "|").split("|") if v)
    return tuple(str(v) for v in value)


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="Float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("Float64")


def _pairs(paths: pd.DataFrame, codes_column: str, code_name: str) -> pd.DataFrame:
    rows = [
        (path_id, code)
        for path_id, codes in zip(paths[PATH_ID], paths[codes_column], strict=True)
        for code in code_tuple(codes)
    ]
    return pd.DataFrame(rows, columns=[PATH_ID, code_name])


def _legacy(code: str) -> bool:
    """A 2023 BMO code (FAP 2009-based): `Z` in third position."""
    return len(code) >= 3 and code[2] == "Z"


def is_known(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


# --------------------------------------------------------------------------------------------
# Demand


def bmo_demand(paths: pd.DataFrame, bmo: pd.DataFrame | None) -> pd.DataFrame:
    """Per path: last year, projects, difficult, rates, masked cells, trend."""
    out = pd.DataFrame({PATH_ID: paths[PATH_ID]}).set_index(PATH_ID)
    for column in (
        LAST_YEAR, PROJECTS, DIFFICULT, DIFFICULTY_RATE, SEASONAL_RATE, SEASONAL_BASE,
        MASKED_CELLS, FIRST_YEAR, PROJECTS_FIRST, TREND,
    ):  # fmt: skip
        out[column] = np.nan
    out[TREND_BREAK] = False
    out[METIERS_MATCHED] = 0
    if bmo is None or bmo.empty:
        return out
    require_columns(bmo, BMO_METIER_COLUMNS, what="les projets de recrutement par métier")
    frame = pd.DataFrame(
        {
            YEAR: pd.to_numeric(bmo[YEAR]).astype("int64"),
            METIER_CODE: bmo[METIER_CODE].astype(str),
        }
    )
    for column in (PROJECTS, DIFFICULT, DIFFICULTY_BASE, SEASONAL, SEASONAL_BASE, MASKED_CELLS):
        frame[column] = _numeric(bmo, column).to_numpy(dtype="float64", na_value=np.nan)
    last_year = int(frame[YEAR].max())
    joined = _pairs(paths, BMO_CODES, METIER_CODE).merge(frame, on=METIER_CODE, how="inner")
    if joined.empty:
        return out
    joined["_legacy"] = joined[METIER_CODE].map(_legacy)
    sums = [PROJECTS, DIFFICULT, DIFFICULTY_BASE, SEASONAL, SEASONAL_BASE, MASKED_CELLS]
    last = joined[joined[YEAR] == last_year]
    grouped = last.groupby(PATH_ID, sort=True)
    totals = grouped[sums].sum(min_count=1)  # NA when no cell of the path is published
    index = totals.index
    out.loc[index, LAST_YEAR] = last_year
    out.loc[index, METIERS_MATCHED] = grouped[METIER_CODE].nunique()
    out.loc[index, PROJECTS] = totals[PROJECTS]
    out.loc[index, DIFFICULT] = totals[DIFFICULT]
    base = totals[DIFFICULTY_BASE].where(totals[DIFFICULTY_BASE] > 0)
    out.loc[index, DIFFICULTY_RATE] = totals[DIFFICULT] / base
    seasonal_base = totals[SEASONAL_BASE].where(totals[SEASONAL_BASE] > 0)
    out.loc[index, SEASONAL_RATE] = totals[SEASONAL] / seasonal_base
    out.loc[index, SEASONAL_BASE] = totals[SEASONAL_BASE]
    out.loc[index, MASKED_CELLS] = totals[MASKED_CELLS]

    # Trend: from the first earlier year where the path's métiers have projects.
    published = joined[joined[PROJECTS].notna()]
    per_year = published.groupby([PATH_ID, YEAR], sort=True).agg(
        projects=(PROJECTS, "sum"), any_legacy=("_legacy", "max"), all_legacy=("_legacy", "min")
    )
    earlier = per_year[
        (per_year.index.get_level_values(YEAR) < last_year) & (per_year["projects"] > 0)
    ].reset_index()
    first = earlier.drop_duplicates(PATH_ID, keep="first").set_index(PATH_ID)
    first = first[first.index.isin(out.index[out[PROJECTS].notna()])]
    if len(first):
        out.loc[first.index, FIRST_YEAR] = first[YEAR]
        out.loc[first.index, PROJECTS_FIRST] = first["projects"]
        out.loc[first.index, TREND] = (out.loc[first.index, PROJECTS] - first["projects"]) / first[
            "projects"
        ]
        # The BMO nomenclature(s) of the published cells, in the first and the last year.
        nomenclature = ["any_legacy", "all_legacy"]
        at_last = per_year.xs(last_year, level=YEAR)[nomenclature]
        both = first[nomenclature].merge(
            at_last, left_index=True, right_index=True, suffixes=("", "_last")
        )
        changed = (both["any_legacy"] != both["any_legacy_last"]) | (
            both["all_legacy"] != both["all_legacy_last"]
        )
        out.loc[changed.index, TREND_BREAK] = changed.astype(bool)
    return out


def paths_metier_tension(paths: pd.DataFrame, tension: pd.DataFrame | None) -> pd.DataFrame:
    out = pd.DataFrame({PATH_ID: paths[PATH_ID]}).set_index(PATH_ID)
    out[METIERS_IN_TENSION] = 0
    out[METIERS_DURABLE] = 0
    if tension is None or tension.empty:
        return out
    require_columns(tension, METIER_TENSION_COLUMNS, what="les métiers en tension")
    frame = pd.DataFrame(
        {
            METIER_CODE: tension[METIER_CODE].astype(str),
            IN_TENSION: tension[IN_TENSION].astype("boolean").fillna(False).astype(bool),
            DURABLE: tension[DURABLE].astype("boolean").fillna(False).astype(bool),
        }
    )
    joined = _pairs(paths, BMO_CODES, METIER_CODE).merge(frame, on=METIER_CODE, how="inner")
    if joined.empty:
        return out
    counts = joined.groupby(PATH_ID)[[IN_TENSION, DURABLE]].sum()
    out.loc[counts.index, METIERS_IN_TENSION] = counts[IN_TENSION].astype(int)
    out.loc[counts.index, METIERS_DURABLE] = counts[DURABLE].astype(int)
    return out


def rome_demand(paths: pd.DataFrame, tension: pd.DataFrame | None) -> pd.DataFrame:
    """Per path: job seekers on its ROME codes, mean published tension and mean factors."""
    out = pd.DataFrame({PATH_ID: paths[PATH_ID]}).set_index(PATH_ID)
    factors = (WORKING_CONDITIONS, NON_DURABLE_EMPLOYMENT, LACK_OF_LABOUR)
    for column in (TENSION_YEAR, JOB_SEEKERS, TENSION, *factors):
        out[column] = np.nan
    out[ROME_MATCHED] = 0
    if tension is None or tension.empty:
        return out
    require_columns(tension, ROME_TENSION_COLUMNS, what="les indicateurs de tension par ROME")
    years = pd.to_numeric(tension[YEAR])
    last_year = int(years.max())
    rows = tension[years == last_year]
    frame = pd.DataFrame({ROME_CODE: rows[ROME_CODE].astype(str)})
    for column in (JOB_SEEKERS_ABC, PUBLISHED_TENSION, *factors):
        frame[column] = _numeric(rows, column).to_numpy(dtype="float64", na_value=np.nan)
    joined = _pairs(paths, ROME_CODES, ROME_CODE).merge(frame, on=ROME_CODE, how="inner")
    if joined.empty:
        return out
    grouped = joined.groupby(PATH_ID, sort=True)
    index = grouped.size().index
    out.loc[index, TENSION_YEAR] = last_year
    out.loc[index, ROME_MATCHED] = grouped[ROME_CODE].nunique()
    out.loc[index, JOB_SEEKERS] = grouped[JOB_SEEKERS_ABC].sum(min_count=1)
    out.loc[index, TENSION] = grouped[PUBLISHED_TENSION].mean()
    for column in factors:
        out.loc[index, column] = grouped[column].mean()
    return out


def paths_supply(paths: pd.DataFrame, supply: pd.DataFrame | None) -> pd.DataFrame:
    out = pd.DataFrame({PATH_ID: paths[PATH_ID]}).set_index(PATH_ID)
    out[PLACES] = 0.0
    out[OFFERS_COUNT] = 0
    if supply is None or supply.empty:
        return out
    require_columns(supply, SUPPLY_COLUMNS, what="l'offre locale de formation")
    offers = [
        (
            None if pd.isna(path_id) else path_id,
            {f"b:{c}" for c in code_tuple(bmo)} | {f"r:{c}" for c in code_tuple(rome)},
            float(places) if not pd.isna(places) else 0.0,
        )
        for path_id, bmo, rome, places in zip(
            supply[PATH_ID], supply[BMO_CODES], supply[ROME_CODES], supply[PLACES], strict=True
        )
    ]
    for path_id, bmo, rome in zip(paths[PATH_ID], paths[BMO_CODES], paths[ROME_CODES], strict=True):
        codes = {f"b:{c}" for c in code_tuple(bmo)} | {f"r:{c}" for c in code_tuple(rome)}
        covering = [
            places
            for offer_path, offer_codes, places in offers
            if offer_path == path_id or (codes & offer_codes)
        ]
        out.loc[path_id, PLACES] = float(sum(covering))
        out.loc[path_id, OFFERS_COUNT] = len(covering)
    return out
