"""Figures moved to a basin through its crosswalk (`crosswalk.basin_crosswalk`): counts summed over
whole zones or apportioned by population (`move_counts`, `apportion_counts`), rates averaged with
the basin's population in each zone as weights (`move_rates`); each returns its frame and the
French sentence of its method (`crosswalk.crosswalk_method`). Pure: pandas.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .columns import (
    BASIN_SHARE,
    COVERAGE,
    ESTIMATED,
    OVERLAP_POPULATION,
    WEIGHT,
    ZONE_CODE,
    ZONE_SHARE,
    ZONES_USED,
)
from .common import require_columns
from .crosswalk import Crosswalk, crosswalk_method


def _restrict(facts: pd.DataFrame, crosswalk: Crosswalk) -> pd.DataFrame:
    """Rows of `facts` on the basin's zones, with the zone's weights joined."""
    zone_codes = facts[crosswalk.zone_column].astype(str)
    # Filter before joining: the facts often cover all of France, the basin a few zones.
    on_basin = zone_codes.isin(crosswalk.zone_codes).to_numpy()
    keyed = facts[on_basin].assign(**{ZONE_CODE: zone_codes[on_basin]})
    return keyed.merge(
        crosswalk.zones[[ZONE_CODE, ZONE_SHARE, BASIN_SHARE, OVERLAP_POPULATION]],
        on=ZONE_CODE,
        how="inner",
        validate="many_to_one",
    )


def apportion_counts(
    facts: pd.DataFrame, *, crosswalk: Crosswalk, value_columns: Sequence[str]
) -> pd.DataFrame:
    """The rows of `facts` that fall on the basin's zones, with each count multiplied by the
    zone's weight (share of the zone's population inside the basin).

    Input columns: the crosswalk's zone column (e.g. bassin_bmo_code) and `value_columns`
    (nullable counts; NA stays NA). Output: the same columns plus `weight`, rows in input order.
    When the basin is an exact union of whole zones every weight is 1 and the counts keep their
    integer dtype; otherwise they become Float64 (estimates).
    """
    require_columns(facts, [crosswalk.zone_column, *value_columns], what="les données à transposer")
    joined = _restrict(facts, crosswalk)
    weight = joined[ZONE_SHARE].astype("Float64")
    scaled = {}
    for column in value_columns:
        values = joined[column]
        if crosswalk.exact:
            scaled[column] = values
        else:
            scaled[column] = values.astype("Float64") * weight
    return joined.assign(**scaled, **{WEIGHT: weight}).drop(
        columns=[ZONE_CODE, ZONE_SHARE, BASIN_SHARE, OVERLAP_POPULATION]
    )


def _coverage_by_group(
    joined: pd.DataFrame, keys: Sequence[str], present: pd.Series
) -> pd.DataFrame:
    """Per group: share of the basin's population in zones with at least one figure, and the
    number of such zones."""
    used = joined.loc[present, [*keys, ZONE_CODE, BASIN_SHARE]].drop_duplicates([*keys, ZONE_CODE])
    grouped = used.groupby(list(keys), sort=True, dropna=False)
    out = grouped.agg(**{COVERAGE: (BASIN_SHARE, "sum"), ZONES_USED: (ZONE_CODE, "nunique")})
    return out.reset_index()


def move_counts(
    facts: pd.DataFrame,
    *,
    crosswalk: Crosswalk,
    value_columns: Sequence[str],
    by: Sequence[str] = (),
    source: str = "les effectifs",
) -> tuple[pd.DataFrame, str]:
    """Sum counts published per source zone over the basin, per group `by`.

    Input columns: the crosswalk's zone column, `by`, `value_columns` (nullable counts; NA =
    masked or unknown, never taken as 0).
    Output columns: `by`, each value column (Σ over the zones of weight × value, NA when no
    zone of the group has a published value; Int64 when exact, Float64 when estimated),
    `<value>_masked_cells` (rows with NA, per value column), estimated (bool), coverage
    (Float64: share of the basin's population in the zones that had a row), zones_used (Int64).
    Sorted by `by`. The string is the method in French.
    """
    require_columns(
        facts, [crosswalk.zone_column, *by, *value_columns], what="les données à transposer"
    )
    joined = _restrict(facts, crosswalk).assign(_all=0)
    keys = list(by) or ["_all"]
    weight = joined[ZONE_SHARE].astype("Float64")
    work = joined[[*keys, ZONE_CODE, BASIN_SHARE]].copy()
    aggregations: dict[str, tuple[str, str]] = {}
    for column in value_columns:
        values = joined[column] if crosswalk.exact else joined[column].astype("Float64") * weight
        work[column] = values
        work[f"_{column}_na"] = joined[column].isna().astype("int64")
        aggregations[column] = (column, "sum")
        aggregations[f"{column}_masked_cells"] = (f"_{column}_na", "sum")
    grouped = work.groupby(keys, sort=True, dropna=False)
    sums = grouped.agg(**aggregations).reset_index()
    counts = grouped[list(value_columns)].count().reset_index()
    for column in value_columns:
        # Σ of nothing published is unknown, not 0.
        sums[column] = sums[column].where(counts[column] > 0)
        sums[f"{column}_masked_cells"] = sums[f"{column}_masked_cells"].astype("Int64")
    coverage = _coverage_by_group(joined, keys, pd.Series(True, index=joined.index))
    out = sums.merge(coverage, on=keys, how="left")
    out[COVERAGE] = out[COVERAGE].astype("Float64")
    out[ZONES_USED] = out[ZONES_USED].astype("Int64")
    out[ESTIMATED] = not crosswalk.exact
    ordered = [*by, *[c for name in value_columns for c in (name, f"{name}_masked_cells")]]
    out = out[[*ordered, ESTIMATED, COVERAGE, ZONES_USED]]
    min_coverage = float(out[COVERAGE].min()) if len(out) else 0.0
    return out.reset_index(drop=True), crosswalk_method(
        crosswalk, measure="count", source=source, coverage=min_coverage
    )


def move_rates(
    facts: pd.DataFrame,
    *,
    crosswalk: Crosswalk,
    value_column: str,
    by: Sequence[str] = (),
    source: str = "le taux",
) -> tuple[pd.DataFrame, str]:
    """Population-weighted average of a rate published per source zone, per group `by`.

    Input columns: the crosswalk's zone column, `by`, `value_column` (Float64; NA rows are
    left out and lower the coverage). One row per zone and group, else ValueError.
    Output columns: `by`, `value_column` (Σ w·rate / Σ w over zones with a rate, w = the
    basin's population in the zone), estimated (False only when the basin is exactly one
    zone), coverage (share of the basin's population in zones with a rate), zones_used.
    Sorted by `by`.
    """
    require_columns(facts, [crosswalk.zone_column, *by, value_column], what="les taux à transposer")
    duplicated = facts.duplicated([crosswalk.zone_column, *by])
    if duplicated.any():
        first = facts.loc[duplicated, [crosswalk.zone_column, *by]].iloc[0].tolist()
        raise ValueError(
            f"Plusieurs valeurs pour une même zone et période : {first} "
            f"({int(duplicated.sum())} doublon(s))"
        )
    joined = _restrict(facts, crosswalk).assign(_all=0)
    keys = list(by) or ["_all"]
    rate = pd.to_numeric(joined[value_column]).astype("Float64")
    present = rate.notna()
    weight = joined[OVERLAP_POPULATION].astype("Float64").where(present, 0)
    work = joined[keys].assign(_wr=(rate * weight).fillna(0), _w=weight)
    sums = work.groupby(keys, sort=True, dropna=False)[["_wr", "_w"]].sum().reset_index()
    sums[value_column] = (sums["_wr"] / sums["_w"].where(sums["_w"] > 0)).astype("Float64")
    coverage = _coverage_by_group(joined, keys, present)
    out = sums.merge(coverage, on=keys, how="left")
    out[COVERAGE] = out[COVERAGE].astype("Float64").fillna(0.0)
    out[ZONES_USED] = out[ZONES_USED].astype("Int64").fillna(0)
    out[ESTIMATED] = crosswalk.single_zone is None
    out = out[[*by, value_column, ESTIMATED, COVERAGE, ZONES_USED]]
    min_coverage = float(out[COVERAGE].min()) if len(out) else 0.0
    return out.reset_index(drop=True), crosswalk_method(
        crosswalk, measure="rate", source=source, coverage=min_coverage
    )
