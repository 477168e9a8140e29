"""Labour-market series of a basin: unemployment rate (INSEE, per zone d'emploi, quarterly) and
job seekers (France Travail DEFM, per commune / département, monthly)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .columns import (
    COMPLETE,
    COVERAGE,
    ESTIMATED,
    PERIOD,
    PERIODS,
    RATE,
    YEAR,
    YEAR_ON_YEAR,
    ZONE_EMPLOI_CODE,
    ZONES_USED,
)
from .common import require_columns
from .crosswalk import Crosswalk
from .crosswalk_moves import move_rates
from .job_seekers import job_seekers_basin_series
from .periods import period_index, period_kind, period_year, periods_per_year

UNEMPLOYMENT_SERIES_COLUMNS = [PERIOD, RATE, ESTIMATED, COVERAGE, ZONES_USED]


def unemployment_series(rates: pd.DataFrame, *, crosswalk: Crosswalk) -> tuple[pd.DataFrame, str]:
    """Quarterly unemployment rate of the basin.

    Input columns of `rates`: zone_emploi_code, period ("2023-T3"), rate (%). `crosswalk` is
    the basin on the zone d'emploi zoning.
    Output columns: period, rate (population-weighted across zones, see
    `crosswalk_moves.move_rates`), estimated, coverage, zones_used; sorted by period. The string is
    the method in French.
    """
    require_columns(rates, [ZONE_EMPLOI_CODE, PERIOD, RATE], what="les taux de chômage")
    if crosswalk.zoning != "zone_emploi":
        raise ValueError("Le taux de chômage se transpose depuis les zones d'emploi.")
    frame, method = move_rates(
        rates, crosswalk=crosswalk, value_column=RATE, by=[PERIOD], source="le taux de chômage"
    )
    return _sort_periods(frame)[UNEMPLOYMENT_SERIES_COLUMNS], method


def _sort_periods(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame.reset_index(drop=True)
    order = frame[PERIOD].map(period_index)
    return (
        frame.assign(_order=order)
        .sort_values("_order", kind="mergesort")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def annual_average(series: pd.DataFrame, *, value: str) -> pd.DataFrame:
    """Annual mean of a quarterly or monthly series (a rate, or a stock such as job seekers).

    Input columns: period, `value`, and optionally estimated. Output columns: year, `value`
    (mean of the known periods of the year, Float64), periods (how many were known), complete
    (all 4 quarters / 12 months known), estimated (any period estimated). Sorted by year.
    """
    require_columns(series, [PERIOD, value], what="la série")
    columns = [YEAR, value, PERIODS, COMPLETE, ESTIMATED]
    if series.empty:
        return pd.DataFrame({c: [] for c in columns})
    expected = periods_per_year(period_kind(series[PERIOD].iloc[0]))
    values = pd.to_numeric(series[value]).astype("Float64")
    numbers = values.to_numpy(dtype="float64", na_value=0.0).tolist()
    missing = values.isna().to_numpy().tolist()
    estimated = (
        series[ESTIMATED].astype(bool).tolist()
        if ESTIMATED in series.columns
        else [False] * len(series)
    )
    # Per year, in the rows' order: count, compensated sum and « any estimated », the way
    # pandas' grouped mean adds (Kahan summation), so the means are the same to the bit; a
    # loop over ≤ 300 periods costs less than the grouped frame did.
    groups: dict[int, list[Any]] = {}
    for period, number, unknown, flag in zip(
        series[PERIOD].tolist(), numbers, missing, estimated, strict=True
    ):
        group = groups.setdefault(period_year(period), [0, 0.0, 0.0, False])
        group[3] = group[3] or bool(flag)
        if unknown:
            continue
        group[0] += 1
        y = number - group[2]
        t = group[1] + y
        compensation = t - group[1] - y
        group[2] = 0.0 if compensation != compensation else compensation
        group[1] = t
    years = sorted(groups)
    counts = [groups[y][0] for y in years]
    means = [groups[y][1] / groups[y][0] if groups[y][0] else None for y in years]
    return pd.DataFrame(
        {
            YEAR: pd.array(years, dtype="int64"),
            value: pd.array(means, dtype="Float64"),
            PERIODS: pd.array(counts, dtype="Int64"),
            COMPLETE: np.array([n == expected for n in counts], dtype=bool),
            ESTIMATED: np.array([groups[y][3] for y in years], dtype=bool),
        }
    )


def year_on_year(series: pd.DataFrame, *, value: str) -> pd.DataFrame:
    """Add year_on_year = value / value one year before − 1 (same quarter or month; NA when
    that period is missing or 0). Input columns: period, `value`. Rows keep their order."""
    require_columns(series, [PERIOD, value], what="la série")
    if series.empty:
        return series.assign(**{YEAR_ON_YEAR: pd.array([], dtype="Float64")})
    step = periods_per_year(period_kind(series[PERIOD].iloc[0]))
    positions = [period_index(p) for p in series[PERIOD]]
    values = pd.to_numeric(series[value]).astype("Float64")
    lookup = {i: v for i, v in zip(positions, values, strict=True) if not pd.isna(v)}
    previous = pd.Series(
        pd.array([lookup.get(i - step) for i in positions], dtype="Float64"), index=series.index
    )
    change = (values / previous.where(previous > 0) - 1).astype("Float64")
    return series.assign(**{YEAR_ON_YEAR: change})


def job_seekers_series(
    seekers: pd.DataFrame,
    *,
    communes: pd.DataFrame,
    basin_communes: Iterable[str],
    category: str = "ABC",
) -> tuple[pd.DataFrame, str]:
    """Monthly job seekers of the basin from commune figures, completed from the départements
    (`job_seekers.job_seekers_basin_series` with this basin alone).

    France Travail publishes communes above a size threshold (here ≥ 5 000 inhabitants) and
    every département. For each month, the basin gets the sum of its published communes
    (exact) plus, for each département it touches, the département's residual — its figure
    minus its published communes — apportioned by the population of the basin's unpublished
    communes over that of all the département's unpublished communes (estimated). A masked
    commune value (NA) counts as unpublished. A residual below 0 (communes matched wrongly
    upstream) is taken as 0.

    Input columns of `seekers`: level, geo_code, period ("2024-01"), category, value (Int64;
    NA = masked). Levels other than commune and département are ignored. `communes`: the
    crosswalk (commune_code, population, departement_code), holding every commune of the
    départements concerned. `category` filters the rows ("ABC" or "A").
    Output columns: period, value (Float64 when estimated, Int64 otherwise), direct_value (Σ of
    the basin's published communes), estimated (a residual share was added), coverage (share of
    the basin's population in published communes), covered_communes, masked_cells (basin
    communes whose value is masked that month); sorted by period.
    """
    series = job_seekers_basin_series(
        seekers, communes=communes, memberships={0: list(basin_communes)}, category=category
    )
    if 0 in series.errors:
        raise ValueError(series.errors[0])
    return series.by_basin[0]
