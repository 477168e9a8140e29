"""Labour-market series of a basin: unemployment rate (INSEE, per zone d'emploi, quarterly) and
job seekers (France Travail DEFM, per commune / département, monthly)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .columns import (
    CATEGORY,
    COMMUNE_CODE,
    COMPLETE,
    COVERAGE,
    COVERED_COMMUNES,
    DEPARTEMENT_CODE,
    DIRECT_VALUE,
    ESTIMATED,
    GEO_CODE,
    LEVEL,
    LEVEL_COMMUNE,
    LEVEL_DEPARTEMENT,
    MASKED_CELLS,
    PERIOD,
    PERIODS,
    POPULATION,
    RATE,
    VALUE,
    YEAR,
    YEAR_ON_YEAR,
    ZONE_EMPLOI_CODE,
    ZONES_USED,
)
from .common import format_percent, list_examples, require_columns
from .crosswalk import Crosswalk, move_rates
from .periods import period_index, period_kind, period_year, periods_per_year

UNEMPLOYMENT_SERIES_COLUMNS = [PERIOD, RATE, ESTIMATED, COVERAGE, ZONES_USED]
JOB_SEEKERS_SERIES_COLUMNS = [
    PERIOD,
    VALUE,
    DIRECT_VALUE,
    ESTIMATED,
    COVERAGE,
    COVERED_COMMUNES,
    MASKED_CELLS,
]


def unemployment_series(rates: pd.DataFrame, *, crosswalk: Crosswalk) -> tuple[pd.DataFrame, str]:
    """Quarterly unemployment rate of the basin.

    Input columns of `rates`: zone_emploi_code, period ("2023-T3"), rate (%). `crosswalk` is
    the basin on the zone d'emploi zoning.
    Output columns: period, rate (population-weighted across zones, see
    `crosswalk.move_rates`), estimated, coverage, zones_used; sorted by period. The string is
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
    kind = period_kind(series[PERIOD].iloc[0])
    expected = periods_per_year(kind)
    work = pd.DataFrame(
        {
            YEAR: series[PERIOD].map(period_year).astype("int64"),
            "_v": pd.to_numeric(series[value]).astype("Float64"),
            "_e": (
                series[ESTIMATED].astype(bool)
                if ESTIMATED in series.columns
                else pd.Series(False, index=series.index)
            ),
        }
    )
    out = (
        work.groupby(YEAR, sort=True)
        .agg(_v=("_v", "mean"), _n=("_v", "count"), _e=("_e", "any"))
        .reset_index()
    )
    return pd.DataFrame(
        {
            YEAR: out[YEAR].astype("int64"),
            value: out["_v"].astype("Float64"),
            PERIODS: out["_n"].astype("Int64"),
            COMPLETE: (out["_n"] == expected).astype(bool),
            ESTIMATED: out["_e"].astype(bool),
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
    """Monthly job seekers of the basin from commune figures, completed from the départements.

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
    require_columns(
        seekers, [LEVEL, GEO_CODE, PERIOD, CATEGORY, VALUE], what="les demandeurs d'emploi"
    )
    require_columns(
        communes,
        [COMMUNE_CODE, POPULATION, DEPARTEMENT_CODE],
        what="la table de passage des communes",
    )
    codes = sorted({str(c) for c in basin_communes})
    if not codes:
        raise ValueError("Le bassin ne contient aucune commune.")
    table = communes[[COMMUNE_CODE, POPULATION, DEPARTEMENT_CODE]].assign(
        **{COMMUNE_CODE: communes[COMMUNE_CODE].astype(str)}
    )
    unknown = sorted(set(codes) - set(table.loc[table[COMMUNE_CODE].isin(codes), COMMUNE_CODE]))
    if unknown:
        raise ValueError(
            "Communes du bassin absentes de la table de passage : " + list_examples(unknown)
        )
    table = table.assign(_in=table[COMMUNE_CODE].isin(codes))
    departements = sorted(table.loc[table["_in"], DEPARTEMENT_CODE].dropna().astype(str).unique())
    table = table[table[DEPARTEMENT_CODE].astype(str).isin(departements)]
    table = table.copy()
    table[DEPARTEMENT_CODE] = table[DEPARTEMENT_CODE].astype(str)
    table[POPULATION] = pd.to_numeric(table[POPULATION]).astype("Float64").fillna(0.0)
    basin_population = float(table.loc[table["_in"], POPULATION].sum())

    rows = seekers[seekers[CATEGORY].astype(str) == category]
    level = rows[LEVEL].astype(str)
    commune_rows = rows[level == LEVEL_COMMUNE]
    commune_values = commune_rows.assign(**{GEO_CODE: commune_rows[GEO_CODE].astype(str)})
    commune_values = commune_values[commune_values[GEO_CODE].isin(table[COMMUNE_CODE])]
    dep_rows = rows[(level == LEVEL_DEPARTEMENT) & rows[GEO_CODE].astype(str).isin(departements)]
    periods = sorted(
        set(commune_values[PERIOD].astype(str)) | set(dep_rows[PERIOD].astype(str)),
        key=period_index,
    )
    columns = JOB_SEEKERS_SERIES_COLUMNS
    if not periods:
        return pd.DataFrame({c: [] for c in columns}), (
            "Aucune donnée de demandeurs d'emploi pour les communes et départements du bassin."
        )

    # Published commune values (NA = masked, treated as unpublished).
    masked = commune_values[commune_values[VALUE].isna() & commune_values[GEO_CODE].isin(codes)]
    masked_per_period = masked.groupby(masked[PERIOD].astype(str))[GEO_CODE].nunique()
    published = commune_values[commune_values[VALUE].notna()]
    published = pd.DataFrame(
        {
            COMMUNE_CODE: published[GEO_CODE].to_numpy(),
            PERIOD: published[PERIOD].astype(str).to_numpy(),
            "_v": published[VALUE].to_numpy(dtype="float64", na_value=0.0),
        }
    ).merge(table[[COMMUNE_CODE, DEPARTEMENT_CODE, POPULATION, "_in"]], on=COMMUNE_CODE)
    published["_pop"] = published[POPULATION].to_numpy(dtype="float64", na_value=0.0)
    published["_in_v"] = published["_v"].where(published["_in"], 0.0)
    published["_in_pop"] = published["_pop"].where(published["_in"], 0.0)
    published["_in_n"] = published["_in"].astype("int64")

    # Per period: the basin's published communes (exact part).
    per_period = (
        published.groupby(PERIOD)[["_in_v", "_in_pop", "_in_n"]]
        .sum()
        .reindex(periods, fill_value=0)
    )
    # Per département and period: what the published communes account for.
    per_dep = published.groupby([DEPARTEMENT_CODE, PERIOD])[["_v", "_pop", "_in_pop"]].sum()
    grid = pd.MultiIndex.from_product([departements, periods], names=[DEPARTEMENT_CODE, PERIOD])
    per_dep = per_dep.reindex(grid, fill_value=0.0).reset_index()
    dep_values = pd.DataFrame(
        {
            DEPARTEMENT_CODE: dep_rows[GEO_CODE].astype(str).to_numpy(),
            PERIOD: dep_rows[PERIOD].astype(str).to_numpy(),
            "_dep": dep_rows[VALUE].to_numpy(dtype="float64", na_value=np.nan),
        }
    ).drop_duplicates([DEPARTEMENT_CODE, PERIOD])
    per_dep = per_dep.merge(dep_values, on=[DEPARTEMENT_CODE, PERIOD], how="left")
    dep_population = table.groupby(DEPARTEMENT_CODE)[POPULATION].sum().astype("float64")
    basin_dep_population = (
        table[table["_in"]].groupby(DEPARTEMENT_CODE)[POPULATION].sum().astype("float64")
    )
    unpublished_dep = per_dep[DEPARTEMENT_CODE].map(dep_population).fillna(0.0) - per_dep["_pop"]
    unpublished_basin = (
        per_dep[DEPARTEMENT_CODE].map(basin_dep_population).fillna(0.0) - per_dep["_in_pop"]
    )
    needed = unpublished_basin > 0
    usable = needed & per_dep["_dep"].notna() & (unpublished_dep > 0)
    residual = (per_dep["_dep"] - per_dep["_v"]).clip(lower=0.0)
    share = (unpublished_basin / unpublished_dep.where(unpublished_dep > 0)).fillna(0.0)
    per_dep = per_dep.assign(
        _estimate=(residual * share).where(usable, 0.0),
        _usable=usable.astype("int64"),
        _missing=(needed & ~usable).astype("int64"),
    )
    completion = per_dep.groupby(PERIOD)[["_estimate", "_usable", "_missing"]].sum()
    completion = completion.reindex(periods, fill_value=0)

    direct = per_period["_in_v"].to_numpy(dtype="float64")
    covered_communes = per_period["_in_n"].to_numpy(dtype="int64")
    estimate = completion["_estimate"].to_numpy(dtype="float64")
    estimated = completion["_usable"].to_numpy() > 0
    incomplete = completion["_missing"].to_numpy() > 0
    coverage = (
        per_period["_in_pop"].to_numpy(dtype="float64") / basin_population
        if basin_population > 0
        else np.zeros(len(periods))
    )
    has_direct = covered_communes > 0
    value = np.where(has_direct | estimated, direct + estimate, np.nan)
    any_estimated = bool(estimated.any())
    out = pd.DataFrame(
        {
            PERIOD: periods,
            VALUE: pd.array(value, dtype="Float64"),
            DIRECT_VALUE: pd.Series(np.where(has_direct, direct, np.nan), dtype="Float64")
            .round()
            .astype("Int64")
            .array,
            ESTIMATED: estimated | incomplete,
            COVERAGE: pd.array(coverage, dtype="Float64"),
            COVERED_COMMUNES: pd.array(covered_communes, dtype="Int64"),
            MASKED_CELLS: pd.array(
                masked_per_period.reindex(periods, fill_value=0).to_numpy(), dtype="Int64"
            ),
        }
    )
    if not any_estimated:
        out[VALUE] = out[VALUE].round().astype("Int64")
    min_coverage = float(coverage.min()) if len(coverage) else 0.0
    return out, _job_seekers_method(any_estimated, min_coverage, category)


def _job_seekers_method(estimated: bool, coverage: float, category: str) -> str:
    label = "A, B, C" if category == "ABC" else category
    if not estimated and coverage >= 0.9995:
        return (
            f"Demandeurs d'emploi (catégories {label}) : somme des chiffres publiés pour chaque "
            "commune du bassin."
        )
    if not estimated:
        return (
            f"Demandeurs d'emploi (catégories {label}) : somme des communes publiées, qui ne "
            f"couvrent que {format_percent(coverage)} de la population du bassin ; aucun chiffre "
            "départemental ne permet de compléter : valeur partielle."
        )
    return (
        f"Demandeurs d'emploi (catégories {label}) : somme des communes publiées (au moins "
        f"{format_percent(coverage)} de la population du bassin), complétée pour les autres "
        "communes par le reste de leur département (chiffre départemental moins ses communes "
        "publiées) réparti au prorata de la population : valeur estimée."
    )
