"""The per-basin passes of the diagnostic for many basins at once (issue 16).

A lone run places its basin on a zoning (`crosswalk.basin_crosswalk`), apportions the BMO
cells (`crosswalk_moves.apportion_counts`) and totals them per year, family and métier
(`bmo.bmo_totals`), and averages the unemployment rates of its zones (`crosswalk_moves.move_rates`);
each of these reads a France-wide frame (35,000 communes, 150,000 BMO cells, 24,000 quarterly
rates) to keep a few rows. For a batch, the same operations are done for every basin in one
grouped pass keyed by `basin_id`, then split per basin:

- `basin_crosswalks` (here): every basin's `Crosswalk` on a zoning (communes located by
  position, overlaps summed on integer arrays);
- `batch_totals.bmo_basin_frames`: every basin's BMO totals by year, family and métier and its
  coverage;
- `batch_totals.unemployment_basin_series`: every basin's quarterly unemployment series.

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

from .columns import (
    BASIN_SHARE,
    COMMUNE_CODE,
    OVERLAP_COMMUNES,
    OVERLAP_POPULATION,
    POPULATION,
    WHOLE_ZONE,
    ZONE_CODE,
    ZONE_COMMUNES,
    ZONE_POPULATION,
    ZONE_SHARE,
)
from .common import list_examples, require_columns, shared
from .crosswalk import ZONE_COVERAGE_COLUMNS, ZONINGS, Crosswalk

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


@dataclass(frozen=True)
class _Zoning:
    """A zoning's France-wide figures, derived from the crosswalk frame once (`common.shared`):
    the communes with their zone code and population (0 when unknown), each zone's population
    and number of communes, each zone's communes of unknown population, and the arrays the
    grouped pass reads by commune position."""

    frame: pd.DataFrame
    zone_stats: pd.DataFrame
    zone_unknown: dict[Any, list[Any]]
    positions: pd.Index  # commune code → row position (codes are unique)
    zone_of: np.ndarray  # the row's zone number (rank of its code among the sorted zones; -1: none)
    zone_codes: np.ndarray  # the zones' codes, sorted (as `zone_stats`)
    population: np.ndarray  # int64, 0 when unknown
    unknown: np.ndarray  # bool: population unknown
    zone_population: np.ndarray  # int64, by zone number
    zone_communes: np.ndarray  # int64, by zone number


def _zoning(communes: pd.DataFrame, zoning: str) -> _Zoning:
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
    zone_codes = np.asarray(zone_stats.index.to_numpy(dtype=object))
    zone_number = pd.Index(zone_codes).get_indexer(frame[ZONE_CODE].where(frame[ZONE_CODE].notna()))
    zone_number = np.where(frame[ZONE_CODE].notna().to_numpy(), zone_number, -1)
    return _Zoning(
        frame=frame,
        zone_stats=zone_stats,
        zone_unknown=zone_unknown,
        positions=pd.Index(frame[COMMUNE_CODE].to_numpy(dtype=object)),
        zone_of=zone_number.astype(np.int64),
        zone_codes=zone_codes,
        population=frame["_pop"].to_numpy(dtype="int64"),
        unknown=frame[POPULATION].isna().to_numpy(),
        zone_population=zone_stats[ZONE_POPULATION].to_numpy(dtype="int64"),
        zone_communes=zone_stats[ZONE_COMMUNES].to_numpy(dtype="int64"),
    )


def basin_crosswalks(
    communes: pd.DataFrame,
    *,
    memberships: Mapping[int, Iterable[str]],
    zoning: str,
    france_cache: dict[Hashable, Any] | None = None,
) -> Crosswalks:
    """`crosswalk.basin_crosswalk` for every basin of `memberships` ({basin id: commune
    codes}) in one pass. `communes`: the crosswalk frame (`prepared_communes` or raw);
    `france_cache`: a dict keeping the zoning's France-wide figures (`common.shared`).

    The communes are located by position in the zoning's arrays and the overlaps summed on
    integer arrays (populations are integers: the sums are exact, whatever their order); the
    zones of each basin come out sorted by basin and zone code, as a group-by sorts them."""
    if zoning not in ZONINGS:
        raise ValueError(f"Zonage inconnu : « {zoning} » (attendu : {', '.join(ZONINGS)})")
    zone_column = ZONINGS[zoning].column
    require_columns(
        communes, [COMMUNE_CODE, POPULATION, zone_column], what="la table de passage des communes"
    )
    out = Crosswalks(zoning=zoning)
    # The zoning's France-wide figures depend on `communes` only: kept in `france_cache`
    # (`common.shared`) when given, so that a lone run does not recompute them.
    z = shared(
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
    located = {b: z.positions.get_indexer(pd.Index(codes)) for b, codes in codes_of.items()}
    for basin_id in sorted(codes_of):
        found = located[basin_id]
        if (found < 0).any():
            missing = [code for code, at in zip(codes_of[basin_id], found, strict=True) if at < 0]
            out.errors[basin_id] = "Communes du bassin absentes de la table de passage : " + (
                list_examples(sorted(missing))
            )
    placed = [b for b in codes_of if b not in out.errors]
    if not placed:
        out.table = _coverage_frame(
            np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64), z, {},
        )  # fmt: skip
        return out
    basin_of = np.concatenate([np.full(len(located[b]), b, dtype=np.int64) for b in placed])
    rows = np.concatenate([located[b] for b in placed]).astype(np.intp)
    population = z.population[rows]
    zone = z.zone_of[rows]
    unknown = z.unknown[rows]

    # Per basin: population, unzoned population and communes, communes of unknown population.
    basin_population: dict[int, int] = {}
    unzoned_population: dict[int, int] = {}
    unzoned_communes: dict[int, int] = {}
    member_unknown: dict[int, list[str]] = {}
    start = 0
    for basin_id in placed:
        stop = start + len(located[basin_id])
        part = slice(start, stop)
        basin_population[basin_id] = int(population[part].sum())
        off = zone[part] < 0
        unzoned_population[basin_id] = int(population[part][off].sum())
        unzoned_communes[basin_id] = int(off.sum())
        if unknown[part].any():
            codes = codes_of[basin_id]
            member_unknown[basin_id] = [codes[i] for i in np.flatnonzero(unknown[part])]
        start = stop

    # Per basin × zone, sorted by basin then zone code: population and communes in the zone.
    in_zone = zone >= 0
    keys_basin, keys_zone, keys_population = basin_of[in_zone], zone[in_zone], population[in_zone]
    order = np.lexsort((keys_zone, keys_basin))
    keys_basin, keys_zone, keys_population = (
        keys_basin[order], keys_zone[order], keys_population[order]
    )  # fmt: skip
    if len(order):
        first = np.flatnonzero(
            np.r_[True, (keys_basin[1:] != keys_basin[:-1]) | (keys_zone[1:] != keys_zone[:-1])]
        )
        overlap_population = np.add.reduceat(keys_population, first)
        overlap_communes = np.diff(np.r_[first, len(order)])
        group_basin, group_zone = keys_basin[first], keys_zone[first]
    else:
        overlap_population = overlap_communes = group_basin = group_zone = np.zeros(
            0, dtype=np.int64
        )
    out.table = _coverage_frame(
        group_basin, group_zone, overlap_population, overlap_communes, z, basin_population
    )
    groups = split_by_basin(out.table, ZONE_COVERAGE_COLUMNS, placed)
    for basin_id in placed:
        zones = groups[basin_id]
        unknown_codes = set(member_unknown.get(basin_id, []))
        for code in zones[ZONE_CODE]:
            unknown_codes.update(z.zone_unknown.get(code, []))
        basin_total = basin_population[basin_id]
        if basin_total <= 0:
            zones = zones.assign(**{BASIN_SHARE: pd.array([pd.NA] * len(zones), dtype="Float64")})
        out.by_basin[basin_id] = Crosswalk(
            zoning=zoning,
            zones=zones,
            basin_population=basin_total,
            basin_communes=len(codes_of[basin_id]),
            unzoned_population=unzoned_population[basin_id],
            unzoned_communes=unzoned_communes[basin_id],
            unknown_population_communes=tuple(sorted(unknown_codes)),
        )
    return out


def _coverage_frame(
    basin: np.ndarray,
    zone: np.ndarray,
    overlap_population: np.ndarray,
    overlap_communes: np.ndarray,
    z: _Zoning,
    basin_population: Mapping[int, int],
) -> pd.DataFrame:
    """basin_id and ZONE_COVERAGE_COLUMNS, one row per basin × zone. zone_share: 1 for a whole
    zone, else the share of the zone's population in the basin (of its communes when the zone
    has no population); basin_share: the share of the basin's population in the zone (NA when
    the basin has none). The same divisions of the same float64 values as the nullable
    columns' arithmetic (`basin_crosswalk`), taken on arrays."""
    zone_population = z.zone_population[zone]
    zone_communes = z.zone_communes[zone]
    overlap_population = overlap_population.astype(np.int64)
    overlap_communes = overlap_communes.astype(np.int64)
    whole = overlap_communes == zone_communes
    with np.errstate(divide="ignore", invalid="ignore"):
        by_population = overlap_population.astype("float64") / zone_population.astype("float64")
        by_count = overlap_communes.astype("float64") / zone_communes.astype("float64")
    zone_share = np.where(whole, 1.0, np.where(zone_population > 0, by_population, by_count))
    population_of = np.array([basin_population[int(b)] for b in basin], dtype=np.int64)
    overlap = pd.array(overlap_population, dtype="Int64")
    basin_share: Any
    if (population_of > 0).all():
        basin_share = pd.arrays.FloatingArray(
            overlap_population.astype("float64") / population_of.astype("float64"),
            np.zeros(len(basin), dtype=bool),
        )
    else:  # a basin without population: as the nullable columns divide (rare)
        basin_share = (
            (
                pd.Series(overlap).astype("Float64")
                / pd.Series(population_of, dtype="int64").where(population_of > 0)
            )
            .astype("Float64")
            .array
        )
    return pd.DataFrame(
        {
            BASIN_ID: basin.astype(np.int64),
            ZONE_CODE: pd.Series(z.zone_codes[zone], dtype=object).astype(str).array,
            ZONE_POPULATION: pd.array(zone_population, dtype="Int64"),
            ZONE_COMMUNES: pd.array(zone_communes, dtype="Int64"),
            OVERLAP_POPULATION: overlap,
            OVERLAP_COMMUNES: pd.array(overlap_communes, dtype="Int64"),
            ZONE_SHARE: pd.arrays.FloatingArray(
                zone_share.astype("float64"), np.zeros(len(basin), dtype=bool)
            ),
            BASIN_SHARE: basin_share,
            WHOLE_ZONE: whole.astype(bool),
        }
    )


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
