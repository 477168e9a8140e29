"""Every basin's BMO totals and unemployment series in grouped passes (issue 16), on the
crosswalks of `analytics.batch`:

- `bmo_basin_frames`: every basin's BMO totals by year, family and métier and its coverage;
- `unemployment_basin_series`: every basin's quarterly unemployment series.

As in `analytics.batch`, each returns per basin exactly what the lone path computes (same rows,
order, dtypes and float bits: `tests/diagnostics/analytics/test_batch.py`), and a lone run calls
them as a batch of one. Split from `analytics.batch` (module size, issue 11).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .batch import BASIN_ID, Crosswalks, split_by_basin
from .bmo import BMO_TOTAL_COLUMNS, bmo_totals
from .columns import (
    BASIN_SHARE,
    BASSIN_BMO_CODE,
    COVERAGE,
    ESTIMATED,
    FAMILY_CODE,
    FAMILY_LABEL,
    MET,
    METIER_CODE,
    METIER_LABEL,
    OVERLAP_POPULATION,
    PERIOD,
    RATE,
    SMET,
    XMET,
    YEAR,
    ZONE_CODE,
    ZONE_EMPLOI_CODE,
    ZONE_SHARE,
    ZONES_USED,
)
from .common import require_columns, shared
from .crosswalk import crosswalk_method
from .labour import UNEMPLOYMENT_SERIES_COLUMNS
from .periods import period_index
from .row_index import RowIndex, row_index

# --- BMO ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BmoBasinFrames:
    """A basin's BMO totals, as `bmo_by_year`, `bmo_by_family` and `bmo_by_metier` give them on
    its apportioned cells, and its coverage per year (share of its population in bassins BMO
    present in the facts)."""

    by_year: pd.DataFrame
    by_family: pd.DataFrame
    by_metier: pd.DataFrame
    coverage: pd.DataFrame


BY_FAMILY_COLUMNS = [YEAR, FAMILY_CODE, FAMILY_LABEL, *BMO_TOTAL_COLUMNS]
BY_METIER_COLUMNS = [YEAR, METIER_CODE, METIER_LABEL, FAMILY_CODE, FAMILY_LABEL, *BMO_TOTAL_COLUMNS]


def _apportioned(
    bmo: pd.DataFrame,
    zone_codes: pd.Series,
    weights: pd.DataFrame,
    *,
    exact: bool,
    index: RowIndex | None = None,
) -> pd.DataFrame:
    """The BMO cells of every basin of `weights` (basin_id, zone_code, zone_share, basin_share),
    each cell in the order of `bmo`, counts × zone_share unless `exact`. `index`: `bmo`'s rows
    by bassin (`row_index`), which locates the bassins' cells without scanning the frame."""
    if index is None:
        on = np.flatnonzero(zone_codes.isin(weights[ZONE_CODE]).to_numpy())
    else:
        on = index.of(weights[ZONE_CODE].tolist())
    keyed = bmo.take(on).assign(**{ZONE_CODE: zone_codes.take(on)}, _row=on)
    joined = keyed.merge(weights, on=ZONE_CODE, how="inner", sort=False)
    joined = joined.sort_values([BASIN_ID, "_row"], kind="mergesort").reset_index(drop=True)
    if not exact:
        weight = joined[ZONE_SHARE].astype("Float64")
        for column in (MET, XMET, SMET):
            joined[column] = joined[column].astype("Float64") * weight
    return joined


def bmo_basin_frames(
    bmo: pd.DataFrame,
    *,
    crosswalks: Crosswalks,
    france_cache: dict[Hashable, Any] | None = None,
) -> dict[int, BmoBasinFrames]:
    """Every basin's BMO totals in three grouped passes (exact basins, whose counts stay
    integers, and estimated ones are totalled apart). `crosswalks`: on the bassin BMO zoning;
    `france_cache`: a dict keeping `bmo`'s bassin codes as text and its rows by bassin
    (`common.shared`), for a caller whose frame lives longer than one call."""
    require_columns(
        bmo, [YEAR, BASSIN_BMO_CODE, METIER_CODE, MET, XMET, SMET], what="les faits BMO"
    )
    zone_codes, index = shared(
        france_cache,
        ("bmo_bassins", BASSIN_BMO_CODE),
        bmo,
        lambda: (
            bmo[BASSIN_BMO_CODE].astype(str),
            None if france_cache is None else row_index(bmo, BASSIN_BMO_CODE),
        ),
    )
    labels_family = [FAMILY_LABEL] if FAMILY_LABEL in bmo.columns else []
    labels_metier = [c for c in (METIER_LABEL, FAMILY_CODE, FAMILY_LABEL) if c in bmo.columns]
    out: dict[int, BmoBasinFrames] = {}
    for exact in (True, False):
        chosen = [k for k, cw in crosswalks.by_basin.items() if cw.exact is exact]
        if not chosen:
            continue
        facts = _apportioned(bmo, zone_codes, crosswalks.weights(chosen), exact=exact, index=index)
        by_year = bmo_totals(facts, by=[BASIN_ID, YEAR])
        by_family = bmo_totals(facts, by=[BASIN_ID, YEAR, FAMILY_CODE], labels=labels_family)
        by_metier = bmo_totals(facts, by=[BASIN_ID, YEAR, METIER_CODE], labels=labels_metier)
        for frame in (by_family, by_metier):
            for column in (METIER_LABEL, FAMILY_CODE, FAMILY_LABEL):
                if column not in frame.columns:
                    frame[column] = pd.NA
        present = facts[[BASIN_ID, YEAR, ZONE_CODE, BASIN_SHARE]].drop_duplicates(
            [BASIN_ID, YEAR, ZONE_CODE]
        )
        present = present.assign(**{BASIN_SHARE: present[BASIN_SHARE].astype("Float64")})
        coverage = (
            present.groupby([BASIN_ID, YEAR], sort=True)[BASIN_SHARE]
            .sum()
            .rename(COVERAGE)
            .reset_index()
        )
        ids = sorted(chosen)
        years = split_by_basin(by_year, [YEAR, *BMO_TOTAL_COLUMNS], ids)
        families = split_by_basin(by_family, BY_FAMILY_COLUMNS, ids)
        metiers = split_by_basin(by_metier, BY_METIER_COLUMNS, ids)
        coverages = split_by_basin(coverage, [YEAR, COVERAGE], ids)
        for basin_id in ids:
            out[basin_id] = BmoBasinFrames(
                by_year=years[basin_id],
                by_family=families[basin_id],
                by_metier=metiers[basin_id],
                coverage=coverages[basin_id],
            )
    return out


# --- Unemployment ---------------------------------------------------------------------------


def _rate_zone_codes(rates: pd.DataFrame) -> pd.Series:
    """The zone codes of `rates` as text, once checked for duplicated zone × period rows."""
    duplicated = rates.duplicated([ZONE_EMPLOI_CODE, PERIOD])
    if duplicated.any():
        first = rates.loc[duplicated, [ZONE_EMPLOI_CODE, PERIOD]].iloc[0].tolist()
        raise ValueError(
            f"Plusieurs valeurs pour une même zone et période : {first} "
            f"({int(duplicated.sum())} doublon(s))"
        )
    return rates[ZONE_EMPLOI_CODE].astype(str)


def unemployment_basin_series(
    rates: pd.DataFrame,
    *,
    crosswalks: Crosswalks,
    france_cache: dict[Hashable, Any] | None = None,
) -> dict[int, tuple[pd.DataFrame, str]]:
    """`labour.unemployment_series` for every basin (crosswalks on the zone d'emploi zoning):
    the population-weighted quarterly rate of each basin, with its method sentence.
    `france_cache`: a dict keeping the check of `rates` (`common.shared`)."""
    require_columns(rates, [ZONE_EMPLOI_CODE, PERIOD, RATE], what="les taux de chômage")
    zone_codes = shared(france_cache, "rate_zone_codes", rates, lambda: _rate_zone_codes(rates))
    weights = crosswalks.weights()
    on = zone_codes.isin(weights[ZONE_CODE]).to_numpy()
    keyed = rates[on].assign(**{ZONE_CODE: zone_codes[on]}, _row=np.flatnonzero(on))
    joined = keyed.merge(weights, on=ZONE_CODE, how="inner", sort=False)
    joined = joined.sort_values([BASIN_ID, "_row"], kind="mergesort").reset_index(drop=True)
    rate = pd.to_numeric(joined[RATE]).astype("Float64")
    present = rate.notna()
    weight = joined[OVERLAP_POPULATION].astype("Float64").where(present, 0)
    work = joined[[BASIN_ID, PERIOD]].assign(_wr=(rate * weight).fillna(0), _w=weight)
    sums = work.groupby([BASIN_ID, PERIOD], sort=True, dropna=False)[["_wr", "_w"]].sum()
    sums = sums.reset_index()
    sums[RATE] = (sums["_wr"] / sums["_w"].where(sums["_w"] > 0)).astype("Float64")
    used = joined.loc[present, [BASIN_ID, PERIOD, ZONE_CODE, BASIN_SHARE]].drop_duplicates(
        [BASIN_ID, PERIOD, ZONE_CODE]
    )
    coverage = (
        used.groupby([BASIN_ID, PERIOD], sort=True, dropna=False)
        .agg(**{COVERAGE: (BASIN_SHARE, "sum"), ZONES_USED: (ZONE_CODE, "nunique")})
        .reset_index()
    )
    merged = sums.merge(coverage, on=[BASIN_ID, PERIOD], how="left")
    merged[COVERAGE] = merged[COVERAGE].astype("Float64").fillna(0.0)
    merged[ZONES_USED] = merged[ZONES_USED].astype("Int64").fillna(0)
    # Periods in time order within each basin (as `labour.unemployment_series` sorts them).
    periods = merged[PERIOD].drop_duplicates()
    rank = pd.Series(periods.map(period_index).to_numpy(), index=periods.to_numpy())
    merged = (
        merged.assign(_order=merged[PERIOD].map(rank).to_numpy())
        .sort_values([BASIN_ID, "_order"], kind="mergesort")
        .reset_index(drop=True)
    )
    ids = sorted(crosswalks.by_basin)
    parts = split_by_basin(merged, [PERIOD, RATE, COVERAGE, ZONES_USED], ids)
    out: dict[int, tuple[pd.DataFrame, str]] = {}
    for basin_id in ids:
        cw = crosswalks.by_basin[basin_id]
        frame = parts[basin_id]
        frame.insert(2, ESTIMATED, cw.single_zone is None)
        min_coverage = float(frame[COVERAGE].min()) if len(frame) else 0.0
        method = crosswalk_method(
            cw, measure="rate", source="le taux de chômage", coverage=min_coverage
        )
        out[basin_id] = (frame[UNEMPLOYMENT_SERIES_COLUMNS], method)
    return out
