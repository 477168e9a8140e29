"""Monthly job seekers of many basins at once (issue 16), from the commune figures France
Travail publishes, completed from the départements.

`job_seekers_basin_series` computes every basin of a batch in grouped passes keyed by
`basin_id` (one merge of the published commune values with the basins' départements, one
group-by per total); `labour.job_seekers_series` is this function with one basin, so a basin's
series in a batch is its series alone, figure for figure (the totals of a basin are summed over
the same rows in the same order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .columns import (
    CATEGORY,
    COMMUNE_CODE,
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
    POPULATION,
    VALUE,
)
from .common import format_percent, list_examples, require_columns
from .periods import period_index

BASIN_ID = "basin_id"
JOB_SEEKERS_SERIES_COLUMNS = [
    PERIOD,
    VALUE,
    DIRECT_VALUE,
    ESTIMATED,
    COVERAGE,
    COVERED_COMMUNES,
    MASKED_CELLS,
]
NO_DATA = "Aucune donnée de demandeurs d'emploi pour les communes et départements du bassin."


@dataclass
class JobSeekersSeries:
    """{basin id: (series, method)} and the basins that could not be placed (French error)."""

    by_basin: dict[int, tuple[pd.DataFrame, str]] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)


def job_seekers_basin_series(
    seekers: pd.DataFrame,
    *,
    communes: pd.DataFrame,
    memberships: Mapping[int, Iterable[str]],
    category: str = "ABC",
) -> JobSeekersSeries:
    """`labour.job_seekers_series` (see its docstring for the method, the input and output
    columns) for every basin of `memberships` ({basin id: commune codes}). `seekers` must hold
    the rows of every département the basins touch and of their communes."""
    require_columns(
        seekers, [LEVEL, GEO_CODE, PERIOD, CATEGORY, VALUE], what="les demandeurs d'emploi"
    )
    require_columns(
        communes,
        [COMMUNE_CODE, POPULATION, DEPARTEMENT_CODE],
        what="la table de passage des communes",
    )
    out = JobSeekersSeries()
    table = communes[[COMMUNE_CODE, POPULATION, DEPARTEMENT_CODE]].assign(
        **{COMMUNE_CODE: communes[COMMUNE_CODE].astype(str)}
    )
    pairs_rows: list[tuple[int, str]] = []
    for basin_id, codes in memberships.items():
        listed = sorted({str(c) for c in codes})
        if not listed:
            out.errors[basin_id] = "Le bassin ne contient aucune commune."
        pairs_rows.extend((basin_id, code) for code in listed)
    pairs = pd.DataFrame(pairs_rows, columns=[BASIN_ID, COMMUNE_CODE])
    known = pairs[COMMUNE_CODE].isin(table[COMMUNE_CODE])
    for key, missing in pairs[~known].groupby(BASIN_ID, sort=True)[COMMUNE_CODE]:
        out.errors[int(str(key))] = "Communes du bassin absentes de la table de passage : " + (
            list_examples(sorted(missing))
        )
    pairs = pairs[known & ~pairs[BASIN_ID].isin(list(out.errors))]
    if pairs.empty:
        return out

    # The départements of each basin, and every commune of them (the basin's flagged _in).
    located = pairs.merge(table, on=COMMUNE_CODE, how="inner", sort=False)
    basin_deps = (
        pd.DataFrame(
            {
                BASIN_ID: located[BASIN_ID].to_numpy(),
                DEPARTEMENT_CODE: located[DEPARTEMENT_CODE],
            }
        )
        .dropna()
        .astype({DEPARTEMENT_CODE: str})
        .drop_duplicates()
        .sort_values([BASIN_ID, DEPARTEMENT_CODE], kind="mergesort")
        .reset_index(drop=True)
    )
    scope = table.assign(**{DEPARTEMENT_CODE: table[DEPARTEMENT_CODE].astype(str)})
    scope = scope[scope[DEPARTEMENT_CODE].isin(basin_deps[DEPARTEMENT_CODE])]
    scope[POPULATION] = pd.to_numeric(scope[POPULATION]).astype("Float64").fillna(0.0)
    members = basin_deps.merge(scope, on=DEPARTEMENT_CODE, how="inner", sort=False)
    inside = pairs.assign(_in=True)
    members = members.merge(inside, on=[BASIN_ID, COMMUNE_CODE], how="left", sort=False)
    members["_in"] = members["_in"].fillna(False).astype(bool)
    basin_population = members[members["_in"]].groupby(BASIN_ID)[POPULATION].sum()

    # The seekers' rows of each basin (in the order of `seekers`).
    rows = seekers[seekers[CATEGORY].astype(str) == category]
    level = rows[LEVEL].astype(str)
    commune_rows = rows[level == LEVEL_COMMUNE]
    commune_rows = pd.DataFrame(
        {
            COMMUNE_CODE: commune_rows[GEO_CODE].astype(str).to_numpy(),
            PERIOD: commune_rows[PERIOD].astype(str).to_numpy(),
            VALUE: commune_rows[VALUE].to_numpy(),
            "_row": np.arange(len(commune_rows)),
        }
    )
    values = commune_rows.merge(
        members[[BASIN_ID, COMMUNE_CODE, DEPARTEMENT_CODE, POPULATION, "_in"]],
        on=COMMUNE_CODE,
        how="inner",
        sort=False,
    ).sort_values([BASIN_ID, "_row"], kind="mergesort")
    dep_rows = rows[level == LEVEL_DEPARTEMENT]
    dep_values = (
        pd.DataFrame(
            {
                DEPARTEMENT_CODE: dep_rows[GEO_CODE].astype(str).to_numpy(),
                PERIOD: dep_rows[PERIOD].astype(str).to_numpy(),
                "_dep": dep_rows[VALUE].to_numpy(dtype="float64", na_value=np.nan),
                "_row": np.arange(len(dep_rows)),
            }
        )
        .merge(basin_deps, on=DEPARTEMENT_CODE, how="inner", sort=False)
        .sort_values([BASIN_ID, "_row"], kind="mergesort")
    )

    # Periods of each basin: those of its communes' and départements' rows, in time order.
    periods_of: dict[int, list[str]] = {}
    for frame in (values, dep_values):
        for basin_key, found in frame.groupby(BASIN_ID, sort=False)[PERIOD].unique().items():
            periods_of.setdefault(int(str(basin_key)), []).extend(found)
    ids = sorted(int(b) for b in basin_deps[BASIN_ID].unique())
    for basin_id in ids:
        periods_of[basin_id] = sorted(set(periods_of.get(basin_id, [])), key=period_index)
    for basin_id in sorted(int(b) for b in pairs[BASIN_ID].unique()):
        if not periods_of.get(basin_id):
            out.by_basin[basin_id] = (
                pd.DataFrame({c: [] for c in JOB_SEEKERS_SERIES_COLUMNS}),
                NO_DATA,
            )
    ids = [b for b in ids if periods_of[b]]
    if not ids:
        return out
    grid = pd.DataFrame([(b, p) for b in ids for p in periods_of[b]], columns=[BASIN_ID, PERIOD])
    index = pd.MultiIndex.from_frame(grid)

    # Published commune values (NA = masked, treated as unpublished).
    masked = values[values[VALUE].isna() & values["_in"]]
    masked_cells = masked.groupby([BASIN_ID, PERIOD])[COMMUNE_CODE].nunique()
    published = values[values[VALUE].notna()]
    published = pd.DataFrame(
        {
            BASIN_ID: published[BASIN_ID].to_numpy(),
            DEPARTEMENT_CODE: published[DEPARTEMENT_CODE].to_numpy(),
            PERIOD: published[PERIOD].to_numpy(),
            "_v": published[VALUE].to_numpy(dtype="float64", na_value=0.0),
            "_pop": published[POPULATION].to_numpy(dtype="float64", na_value=0.0),
            "_in": published["_in"].to_numpy(),
        }
    )
    published["_in_v"] = published["_v"].where(published["_in"], 0.0)
    published["_in_pop"] = published["_pop"].where(published["_in"], 0.0)
    published["_in_n"] = published["_in"].astype("int64")
    # Per period: the basin's published communes (exact part).
    per_period = (
        published.groupby([BASIN_ID, PERIOD])[["_in_v", "_in_pop", "_in_n"]]
        .sum()
        .reindex(index, fill_value=0)
    )
    # Per département and period: what the published communes account for.
    dep_grid = basin_deps[basin_deps[BASIN_ID].isin(ids)].merge(grid, on=BASIN_ID, how="inner")
    dep_index = pd.MultiIndex.from_frame(dep_grid[[BASIN_ID, DEPARTEMENT_CODE, PERIOD]])
    per_dep = (
        published.groupby([BASIN_ID, DEPARTEMENT_CODE, PERIOD])[["_v", "_pop", "_in_pop"]]
        .sum()
        .reindex(dep_index, fill_value=0.0)
        .reset_index()
    )
    dep_values = dep_values.drop_duplicates([BASIN_ID, DEPARTEMENT_CODE, PERIOD])
    per_dep = per_dep.merge(
        dep_values[[BASIN_ID, DEPARTEMENT_CODE, PERIOD, "_dep"]],
        on=[BASIN_ID, DEPARTEMENT_CODE, PERIOD],
        how="left",
    )
    dep_population = scope.groupby(DEPARTEMENT_CODE)[POPULATION].sum().astype("float64")
    basin_dep_population = (
        members[members["_in"]].groupby([BASIN_ID, DEPARTEMENT_CODE])[POPULATION].sum()
    ).astype("float64")
    in_basin = basin_dep_population.reindex(
        pd.MultiIndex.from_frame(per_dep[[BASIN_ID, DEPARTEMENT_CODE]])
    ).to_numpy()
    unpublished_dep = per_dep[DEPARTEMENT_CODE].map(dep_population).fillna(0.0) - per_dep["_pop"]
    unpublished_basin = pd.Series(in_basin, index=per_dep.index).fillna(0.0) - per_dep["_in_pop"]
    needed = unpublished_basin > 0
    usable = needed & per_dep["_dep"].notna() & (unpublished_dep > 0)
    residual = (per_dep["_dep"] - per_dep["_v"]).clip(lower=0.0)
    share = (unpublished_basin / unpublished_dep.where(unpublished_dep > 0)).fillna(0.0)
    per_dep = per_dep.assign(
        _estimate=(residual * share).where(usable, 0.0),
        _usable=usable.astype("int64"),
        _missing=(needed & ~usable).astype("int64"),
    )
    completion = (
        per_dep.groupby([BASIN_ID, PERIOD])[["_estimate", "_usable", "_missing"]]
        .sum()
        .reindex(index, fill_value=0)
    )
    masked_cells = masked_cells.reindex(index, fill_value=0)

    bounds = np.cumsum([0, *(len(periods_of[b]) for b in ids)])
    for i, basin_id in enumerate(ids):
        part = slice(int(bounds[i]), int(bounds[i + 1]))
        out.by_basin[basin_id] = _series(
            periods_of[basin_id],
            per_period=per_period.iloc[part],
            completion=completion.iloc[part],
            masked=masked_cells.iloc[part].to_numpy(),
            basin_population=float(basin_population.get(basin_id, 0.0)),
            category=category,
        )
    return out


def _series(
    periods: list[str],
    *,
    per_period: pd.DataFrame,
    completion: pd.DataFrame,
    masked: np.ndarray,
    basin_population: float,
    category: str,
) -> tuple[pd.DataFrame, str]:
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
            MASKED_CELLS: pd.array(masked, dtype="Int64"),
        }
    )
    if not any_estimated:
        out[VALUE] = out[VALUE].round().astype("Int64")
    min_coverage = float(coverage.min()) if len(coverage) else 0.0
    return out, job_seekers_method(any_estimated, min_coverage, category)


def job_seekers_method(estimated: bool, coverage: float, category: str) -> str:
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
