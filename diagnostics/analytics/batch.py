"""The per-basin passes of the diagnostic for many basins at once (issue 16).

A lone run places its basin on a zoning (`crosswalk.basin_crosswalk`), apportions the BMO
cells (`crosswalk_moves.apportion_counts`) and totals them per year, family and métier
(`bmo.bmo_totals`), and averages the unemployment rates of its zones (`crosswalk_moves.move_rates`);
each of these reads a France-wide frame (35,000 communes, 150,000 BMO cells, 24,000 quarterly
rates) to keep a few rows. For a batch, the same operations are done for every basin in one
grouped pass keyed by `basin_id`, then split per basin:

- `basin_crosswalks`: every basin's `Crosswalk` on a zoning (one merge and two group-bys);
- `bmo_basin_frames`: every basin's BMO totals by year, family and métier and its coverage;
- `unemployment_basin_series`: every basin's quarterly unemployment series.

Each returns, per basin, exactly what the lone path computes (same rows, same order, same
dtypes: sums are taken in the same row order, so the floats are the same bits); the engine uses
these functions for a lone run too (a batch of one), and `tests/diagnostics/analytics/
test_batch.py` checks them against the lone functions figure for figure. Errors are per basin
(`errors`): one basin with an unknown commune does not stop the others.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .bmo import BMO_TOTAL_COLUMNS, bmo_totals
from .columns import (
    BASIN_SHARE,
    BASSIN_BMO_CODE,
    COMMUNE_CODE,
    COVERAGE,
    ESTIMATED,
    FAMILY_CODE,
    FAMILY_LABEL,
    MET,
    METIER_CODE,
    METIER_LABEL,
    OVERLAP_COMMUNES,
    OVERLAP_POPULATION,
    PERIOD,
    POPULATION,
    RATE,
    SMET,
    WHOLE_ZONE,
    XMET,
    YEAR,
    ZONE_CODE,
    ZONE_COMMUNES,
    ZONE_EMPLOI_CODE,
    ZONE_POPULATION,
    ZONE_SHARE,
    ZONES_USED,
)
from .common import list_examples, require_columns, shared
from .crosswalk import ZONE_COVERAGE_COLUMNS, ZONINGS, Crosswalk, crosswalk_method
from .labour import UNEMPLOYMENT_SERIES_COLUMNS
from .periods import period_index

BASIN_ID = "basin_id"


# --- Crosswalks -------------------------------------------------------------------------------


@dataclass
class Crosswalks:
    """Every basin's crosswalk on one zoning, and the basins that could not be placed (their
    French error, as `basin_crosswalk` would raise it)."""

    zoning: str
    by_basin: dict[int, Crosswalk] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    # Every placed basin's zones with its basin_id (the weights of the grouped passes).
    table: pd.DataFrame | None = None

    @classmethod
    def of(cls, zoning: str, by_basin: Mapping[int, Crosswalk]) -> Crosswalks:
        """Crosswalks computed one by one (`crosswalk.basin_crosswalk`), e.g. for a lone run."""
        return cls(zoning=zoning, by_basin=dict(by_basin))

    def weights(self, ids: Iterable[int] | None = None) -> pd.DataFrame:
        """basin_id, zone_code, zone_share, basin_share, overlap_population of `ids` (all)."""
        columns = [BASIN_ID, ZONE_CODE, ZONE_SHARE, BASIN_SHARE, OVERLAP_POPULATION]
        chosen = list(self.by_basin) if ids is None else list(ids)
        if self.table is not None:
            table = self.table
            if len(chosen) != len(self.by_basin):
                table = table[table[BASIN_ID].isin(chosen)]
            return table[columns].reset_index(drop=True)
        frames = [
            self.by_basin[basin_id].zones.assign(**{BASIN_ID: basin_id})[columns]
            for basin_id in chosen
        ]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True)


def prepared_communes(communes: pd.DataFrame) -> pd.DataFrame:
    """The crosswalk frame with commune codes as text, checked once for duplicated codes (a
    lone `basin_crosswalk` does this on every call)."""
    require_columns(communes, [COMMUNE_CODE, POPULATION], what="la table de passage des communes")
    frame = communes.assign(**{COMMUNE_CODE: communes[COMMUNE_CODE].astype(str)})
    duplicated = frame.loc[frame[COMMUNE_CODE].duplicated(), COMMUNE_CODE].unique().tolist()
    if duplicated:
        raise ValueError(
            "Communes en double dans la table de passage : " + list_examples(sorted(duplicated))
        )
    return frame


def _zoning(
    communes: pd.DataFrame, zoning: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict[Any, list[Any]]]:
    """The communes with their zone code and population (0 when unknown), each zone's
    population and number of communes, and each zone's communes of unknown population."""
    zone_column = ZONINGS[zoning].column
    frame = prepared_communes(communes[[COMMUNE_CODE, POPULATION, zone_column]])
    frame[ZONE_CODE] = frame[zone_column].astype(str)
    frame["_pop"] = pd.to_numeric(frame[POPULATION]).astype("Int64").fillna(0)
    # Zone-level figures (every commune of the zone, in the basin or not).
    zoned = frame[frame[ZONE_CODE].notna()]
    zone_stats = zoned.groupby(ZONE_CODE, sort=True).agg(
        **{ZONE_POPULATION: ("_pop", "sum"), ZONE_COMMUNES: (COMMUNE_CODE, "size")}
    )
    no_population = zoned[zoned[POPULATION].isna()]
    zone_unknown = no_population.groupby(ZONE_CODE, sort=True)[COMMUNE_CODE].agg(list).to_dict()
    return frame, zone_stats, zone_unknown


def basin_crosswalks(
    communes: pd.DataFrame,
    *,
    memberships: Mapping[int, Iterable[str]],
    zoning: str,
    france_cache: dict[Hashable, Any] | None = None,
) -> Crosswalks:
    """`crosswalk.basin_crosswalk` for every basin of `memberships` ({basin id: commune
    codes}) in one pass. `communes`: the crosswalk frame (`prepared_communes` or raw);
    `france_cache`: a dict keeping the zoning's France-wide figures (`common.shared`)."""
    if zoning not in ZONINGS:
        raise ValueError(f"Zonage inconnu : « {zoning} » (attendu : {', '.join(ZONINGS)})")
    zone_column = ZONINGS[zoning].column
    require_columns(
        communes, [COMMUNE_CODE, POPULATION, zone_column], what="la table de passage des communes"
    )
    out = Crosswalks(zoning=zoning)
    # The zoning's France-wide figures depend on `communes` only: kept in `france_cache`
    # (`common.shared`) when given, so that a lone run does not recompute them.
    frame, zone_stats, zone_unknown = shared(
        france_cache, ("crosswalk_zoning", zoning), communes, lambda: _zoning(communes, zoning)
    )
    codes_of: dict[int, list[str]] = {}
    for basin_id, codes in memberships.items():
        listed = sorted({str(c) for c in codes})
        if not listed:
            out.errors[basin_id] = "Le bassin ne contient aucune commune."
            continue
        codes_of[basin_id] = listed
    if not codes_of:
        return out
    pairs = pd.DataFrame(
        [(basin_id, code) for basin_id, codes in codes_of.items() for code in codes],
        columns=[BASIN_ID, COMMUNE_CODE],
    )
    known = pairs[COMMUNE_CODE].isin(frame[COMMUNE_CODE])
    for key, missing in pairs[~known].groupby(BASIN_ID, sort=True)[COMMUNE_CODE]:
        out.errors[int(str(key))] = "Communes du bassin absentes de la table de passage : " + (
            list_examples(sorted(missing))
        )
    pairs = pairs[known & ~pairs[BASIN_ID].isin(list(out.errors))]
    members = pairs.merge(frame, on=COMMUNE_CODE, how="left", sort=False)

    in_zone = members[members[ZONE_CODE].notna()]
    overlaps = (
        in_zone.groupby([BASIN_ID, ZONE_CODE], sort=True)
        .agg(**{OVERLAP_POPULATION: ("_pop", "sum"), OVERLAP_COMMUNES: (COMMUNE_CODE, "size")})
        .reset_index()
        .merge(zone_stats.reset_index(), on=ZONE_CODE, how="left", sort=False)
    )
    basin_population = members.groupby(BASIN_ID, sort=True)["_pop"].sum()
    unzoned = members[members[ZONE_CODE].isna()]
    unzoned_population = unzoned.groupby(BASIN_ID)["_pop"].sum()
    unzoned_communes = unzoned.groupby(BASIN_ID).size()
    member_unknown = members[members[POPULATION].isna()].groupby(BASIN_ID)[COMMUNE_CODE].agg(list)

    for column in (ZONE_POPULATION, ZONE_COMMUNES, OVERLAP_POPULATION, OVERLAP_COMMUNES):
        overlaps[column] = overlaps[column].astype("Int64")
    by_population = overlaps[OVERLAP_POPULATION].astype("Float64") / overlaps[
        ZONE_POPULATION
    ].where(overlaps[ZONE_POPULATION] > 0).astype("Float64")
    by_count = overlaps[OVERLAP_COMMUNES].astype("Float64") / overlaps[ZONE_COMMUNES].astype(
        "Float64"
    )
    whole = overlaps[OVERLAP_COMMUNES] == overlaps[ZONE_COMMUNES]
    overlaps[ZONE_SHARE] = by_population.fillna(by_count).mask(whole, 1.0)
    overlaps[WHOLE_ZONE] = whole.astype(bool)
    population_of = overlaps[BASIN_ID].map(basin_population).astype("int64")
    overlaps[BASIN_SHARE] = (
        overlaps[OVERLAP_POPULATION].astype("Float64") / population_of.where(population_of > 0)
    ).astype("Float64")
    overlaps[ZONE_CODE] = overlaps[ZONE_CODE].astype(str)

    # Where the population is 0 the share is NA (a lone crosswalk gives NA too).
    overlaps = overlaps.sort_values([BASIN_ID, ZONE_CODE], kind="mergesort").reset_index(drop=True)
    out.table = overlaps[[BASIN_ID, *ZONE_COVERAGE_COLUMNS]]
    groups = split_by_basin(
        out.table, ZONE_COVERAGE_COLUMNS, [b for b in codes_of if b not in out.errors]
    )
    for basin_id, codes in codes_of.items():
        if basin_id in out.errors:
            continue
        zones = groups[basin_id]
        unknown = set(member_unknown.get(basin_id, []))
        for zone in zones[ZONE_CODE]:
            unknown.update(zone_unknown.get(zone, []))
        population = int(basin_population.get(basin_id, 0))
        if population <= 0:
            zones = zones.assign(**{BASIN_SHARE: pd.array([pd.NA] * len(zones), dtype="Float64")})
        out.by_basin[basin_id] = Crosswalk(
            zoning=zoning,
            zones=zones,
            basin_population=population,
            basin_communes=len(codes),
            unzoned_population=int(unzoned_population.get(basin_id, 0)),
            unzoned_communes=int(unzoned_communes.get(basin_id, 0)),
            unknown_population_communes=tuple(sorted(unknown)),
        )
    return out


def split_by_basin(
    frame: pd.DataFrame, columns: Sequence[str], ids: Iterable[int]
) -> dict[int, pd.DataFrame]:
    """{basin id: its rows of `frame` (sorted by basin_id), `columns` only, index reset}: one
    column selection, then cheap slices."""
    keys = frame[BASIN_ID].to_numpy()
    if len(keys) > 1 and (np.diff(keys) < 0).any():
        raise ValueError("frame must be sorted by basin_id")
    selected = frame[list(columns)]
    out = {}
    for basin_id in ids:
        start = int(np.searchsorted(keys, basin_id, side="left"))
        stop = int(np.searchsorted(keys, basin_id, side="right"))
        out[basin_id] = selected.iloc[start:stop].reset_index(drop=True)
    return out


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
    bmo: pd.DataFrame, zone_codes: pd.Series, weights: pd.DataFrame, *, exact: bool
) -> pd.DataFrame:
    """The BMO cells of every basin of `weights` (basin_id, zone_code, zone_share, basin_share),
    each cell in the order of `bmo`, counts × zone_share unless `exact`."""
    on = zone_codes.isin(weights[ZONE_CODE]).to_numpy()
    keyed = bmo[on].assign(**{ZONE_CODE: zone_codes[on]}, _row=np.flatnonzero(on))
    joined = keyed.merge(weights, on=ZONE_CODE, how="inner", sort=False)
    joined = joined.sort_values([BASIN_ID, "_row"], kind="mergesort").reset_index(drop=True)
    if not exact:
        weight = joined[ZONE_SHARE].astype("Float64")
        for column in (MET, XMET, SMET):
            joined[column] = joined[column].astype("Float64") * weight
    return joined


def bmo_basin_frames(bmo: pd.DataFrame, *, crosswalks: Crosswalks) -> dict[int, BmoBasinFrames]:
    """Every basin's BMO totals in three grouped passes (exact basins, whose counts stay
    integers, and estimated ones are totalled apart). `crosswalks`: on the bassin BMO zoning."""
    require_columns(
        bmo, [YEAR, BASSIN_BMO_CODE, METIER_CODE, MET, XMET, SMET], what="les faits BMO"
    )
    zone_codes = bmo[BASSIN_BMO_CODE].astype(str)
    labels_family = [FAMILY_LABEL] if FAMILY_LABEL in bmo.columns else []
    labels_metier = [c for c in (METIER_LABEL, FAMILY_CODE, FAMILY_LABEL) if c in bmo.columns]
    out: dict[int, BmoBasinFrames] = {}
    for exact in (True, False):
        chosen = [k for k, cw in crosswalks.by_basin.items() if cw.exact is exact]
        if not chosen:
            continue
        facts = _apportioned(bmo, zone_codes, crosswalks.weights(chosen), exact=exact)
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
