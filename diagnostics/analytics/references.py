"""What every basin's diagnostic compares itself with, computed once for given data (issue 16).

A lone run used to recompute, for its own comparisons, figures that are the same for every
basin of the same data: the BMO totals of France and of each region per family and year, the
bassins BMO as peers (projects per 1,000 inhabitants, difficulty and seasonal rates of the last
year), each zone's region and population, the population-weighted unemployment rate of France
and of each region per quarter. `engine_references` computes them all in one pass; the engine
reads them (`EngineReferences.bmo_region(code)`…) instead of recomputing, and computes the very
same frames when none are given, with the same functions, so a run with references and a run
without give the same figures.

Inputs: `communes` (CROSSWALK_COLUMNS), `bmo` (BMO_FACT_COLUMNS, every bassin), `unemployment`
(UNEMPLOYMENT_COLUMNS, every zone d'emploi); either fact frame may be None.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .bmo import bmo_by_family, bmo_rollup, bmo_totals
from .columns import (
    BASSIN_BMO_CODE,
    DIFFICULTY_RATE,
    PEER_ID,
    PERIOD,
    POPULATION,
    PROJECTS,
    PROJECTS_PER_1000,
    RATE,
    REGION_CODE,
    SEASONAL_RATE,
    YEAR,
    ZONE_EMPLOI_CODE,
)

BMO_PEER_INDICATORS = [PROJECTS_PER_1000, DIFFICULTY_RATE, SEASONAL_RATE]


def zone_regions(communes: pd.DataFrame, zone_column: str) -> pd.Series:
    """Each zone's region: the one holding most of its population (ties: smallest code)."""
    rows = communes[communes[zone_column].notna() & communes[REGION_CODE].notna()]
    grouped = (
        rows.assign(
            _z=rows[zone_column].astype(str),
            _r=rows[REGION_CODE].astype(str),
            _p=pd.to_numeric(rows[POPULATION]).fillna(0),
        )
        .groupby(["_z", "_r"], sort=True)["_p"]
        .sum()
        .reset_index()
        .sort_values(["_z", "_p", "_r"], ascending=[True, False, True], kind="mergesort")
        .drop_duplicates("_z")
    )
    return pd.Series(grouped["_r"].to_numpy(), index=grouped["_z"].to_numpy())


def zone_population(communes: pd.DataFrame, zone_column: str) -> pd.Series:
    """Population of each zone (communes without a population count 0)."""
    rows = communes[communes[zone_column].notna()]
    return pd.to_numeric(rows[POPULATION]).fillna(0).groupby(rows[zone_column].astype(str)).sum()


def region_population(communes: pd.DataFrame, region_code: str | None) -> float:
    return float(
        pd.to_numeric(communes.loc[communes[REGION_CODE].astype(str) == region_code, POPULATION])
        .fillna(0)
        .sum()
    )


def _bmo_row_regions(bmo: pd.DataFrame, bassin_regions: pd.Series) -> np.ndarray:
    codes_index, bassin_uniques = pd.factorize(bmo[BASSIN_BMO_CODE].astype(str))
    unique_regions = np.asarray(pd.Index(bassin_uniques).map(bassin_regions), dtype=object)
    regions = np.empty(len(codes_index), dtype=object)
    known = codes_index >= 0
    regions[known] = unique_regions[codes_index[known]]
    regions[~known] = None
    return regions


def bmo_region_facts(
    bmo: pd.DataFrame, bassin_regions: pd.Series, region_code: str | None
) -> pd.DataFrame:
    """The BMO cells of the bassins whose population lies mostly in the region."""
    regions = _bmo_row_regions(bmo, bassin_regions)
    return bmo[regions == region_code] if region_code is not None else bmo.iloc[0:0]


def bmo_peers(
    bmo: pd.DataFrame, communes: pd.DataFrame, *, last_year: int | None, bassin_regions: pd.Series
) -> pd.DataFrame:
    """Every bassin BMO of the last year with its population, region and BMO indicators."""
    peers = pd.DataFrame(columns=[PEER_ID, POPULATION, REGION_CODE, *BMO_PEER_INDICATORS])
    if last_year is None:
        return peers
    per_bassin = bmo_totals(
        bmo[bmo[YEAR] == last_year].assign(**{PEER_ID: bmo[BASSIN_BMO_CODE].astype(str)}),
        by=[PEER_ID],
    )
    populations = zone_population(communes, BASSIN_BMO_CODE)
    peers = per_bassin.assign(
        **{
            POPULATION: per_bassin[PEER_ID].map(populations).astype("Float64"),
            REGION_CODE: per_bassin[PEER_ID].map(bassin_regions),
        }
    )
    peers[PROJECTS_PER_1000] = (
        peers[PROJECTS].astype("Float64") * 1000 / peers[POPULATION].where(peers[POPULATION] > 0)
    )
    return peers[[PEER_ID, POPULATION, REGION_CODE, *BMO_PEER_INDICATORS]]


@dataclass
class BmoReferences:
    """France-wide and regional BMO references (see the module docstring)."""

    years: list[int]
    bassin_regions: pd.Series
    france_family: pd.DataFrame
    france_year: pd.DataFrame
    peers: pd.DataFrame
    france_population: float
    region_family: dict[str, pd.DataFrame] = field(default_factory=dict)
    region_year: dict[str, pd.DataFrame] = field(default_factory=dict)
    region_population: dict[str, float] = field(default_factory=dict)


def bmo_references(
    bmo: pd.DataFrame, communes: pd.DataFrame, *, regions: Iterable[str] | None = None
) -> BmoReferences:
    years = sorted(int(y) for y in bmo[YEAR].dropna().unique())
    bassin_regions = zone_regions(communes, BASSIN_BMO_CODE)
    france_family = bmo_by_family(bmo)
    out = BmoReferences(
        years=years,
        bassin_regions=bassin_regions,
        france_family=france_family,
        france_year=bmo_rollup(france_family, by=[YEAR]),
        peers=bmo_peers(
            bmo, communes, last_year=years[-1] if years else None, bassin_regions=bassin_regions
        ),
        france_population=float(pd.to_numeric(communes[POPULATION]).fillna(0).sum()),
    )
    row_regions = _bmo_row_regions(bmo, bassin_regions)
    wanted = _regions(communes) if regions is None else sorted(set(regions))
    for code in wanted:
        family = bmo_by_family(bmo[row_regions == code])
        out.region_family[code] = family
        out.region_year[code] = bmo_rollup(family, by=[YEAR])
        out.region_population[code] = region_population(communes, code)
    return out


def _regions(communes: pd.DataFrame) -> list[str]:
    return sorted({str(r) for r in communes[REGION_CODE].dropna().unique()})


def bmo_region(
    references: BmoReferences, bmo: pd.DataFrame, communes: pd.DataFrame, region_code: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """(family totals, yearly totals, population) of a region, from the references when they
    hold it, else computed the same way."""
    code = None if region_code is None else str(region_code)
    if code is not None and code in references.region_family:
        return (
            references.region_family[code],
            references.region_year[code],
            references.region_population[code],
        )
    facts = bmo_region_facts(bmo, references.bassin_regions, code)
    family = bmo_by_family(facts)
    return family, bmo_rollup(family, by=[YEAR]), region_population(communes, code)


@dataclass
class UnemploymentReferences:
    """Every zone's quarterly rate with its population (`_w`), region (`_r`) and value (`_v`),
    and the population-weighted rate of France and of each region per quarter."""

    rows: pd.DataFrame
    france: pd.Series
    region: dict[str, pd.Series] = field(default_factory=dict)


def unemployment_rows(rates: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    populations = zone_population(communes, ZONE_EMPLOI_CODE)
    regions = zone_regions(communes, ZONE_EMPLOI_CODE)
    rows = rates.assign(_z=rates[ZONE_EMPLOI_CODE].astype(str))
    rows = rows.assign(
        _w=rows["_z"].map(populations).astype("Float64"),
        _r=rows["_z"].map(regions),
        _v=pd.to_numeric(rows[RATE]).astype("Float64"),
    )
    return rows[rows["_v"].notna() & rows["_w"].notna()]


def weighted_rate(frame: pd.DataFrame) -> pd.Series:
    """Σ rate × population / Σ population per period (rows of `unemployment_rows`)."""
    sums = (
        frame.assign(_wv=frame["_v"] * frame["_w"]).groupby(PERIOD, sort=False)[["_wv", "_w"]].sum()
    )
    return (sums["_wv"] / sums["_w"].where(sums["_w"] > 0)).astype("Float64")


def unemployment_references(
    rates: pd.DataFrame, communes: pd.DataFrame, *, regions: Iterable[str] | None = None
) -> UnemploymentReferences:
    rows = unemployment_rows(rates, communes)
    out = UnemploymentReferences(rows=rows, france=weighted_rate(rows))
    for code in _regions(communes) if regions is None else sorted(set(regions)):
        out.region[code] = weighted_rate(rows[rows["_r"] == code])
    return out


def unemployment_region(references: UnemploymentReferences, region_code: str | None) -> pd.Series:
    """The region's weighted rate per period (computed when the references lack it)."""
    if region_code is not None and str(region_code) in references.region:
        return references.region[str(region_code)]
    rows = references.rows
    return weighted_rate(rows[rows["_r"] == region_code])


@dataclass
class EngineReferences:
    """Everything `engine_references` computed (None: the source was not given)."""

    bmo: BmoReferences | None = None
    unemployment: UnemploymentReferences | None = None


def engine_references(
    *,
    communes: pd.DataFrame,
    bmo: pd.DataFrame | None = None,
    unemployment: pd.DataFrame | None = None,
    regions: Iterable[str] | None = None,
) -> EngineReferences:
    """The references of the data given (see the module docstring); the regional ones of
    `regions` only (default: every region of `communes`)."""
    return EngineReferences(
        bmo=(
            bmo_references(bmo, communes, regions=regions)
            if bmo is not None and not bmo.empty
            else None
        ),
        unemployment=(
            unemployment_references(unemployment, communes, regions=regions)
            if unemployment is not None and not unemployment.empty
            else None
        ),
    )
