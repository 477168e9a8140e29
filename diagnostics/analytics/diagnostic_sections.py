"""The sections of the basin diagnostic besides BMO (`diagnostic_bmo_section`): unemployment,
job seekers, recomputed tension, the yearly summary, and the helpers they share (a section's
shape, the region of a basin or a zone). Called by `indicators.basin_diagnostic`."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .columns import (
    BASSIN_BMO_CODE,
    COMMUNE_CODE,
    COVERAGE,
    DIFFICULT,
    DIFFICULTY_RATE,
    ESTIMATED,
    MASKED_CELLS,
    PEER_ID,
    PERIOD,
    PERIODS,
    POPULATION,
    PROJECTS,
    PROJECTS_PER_1000,
    RATE,
    REGION_CODE,
    ROME_CODE,
    SEASONAL,
    SEASONAL_RATE,
    TENSION_INDEX,
    VALUE,
    YEAR,
    YEAR_ON_YEAR,
)
from .common import require_columns, shared
from .crosswalk import Crosswalk
from .diagnostic_params import DiagnosticParams
from .references import UnemploymentReferences, unemployment_region

if TYPE_CHECKING:
    from .basin_context import BasinContext
from .labour import annual_average, job_seekers_series, year_on_year
from .periods import missing_periods
from .records import frame_records, json_scalar
from .secrecy import suppress_small
from .tension import basin_tension_frame, basin_tension_frames, tension_index

UNEMPLOYMENT_PEER_INDICATORS = ["unemployment_rate"]


# --------------------------------------------------------------------------------------------
# Helpers


def majority_region(communes: pd.DataFrame, codes: Sequence[str]) -> str | None:
    rows = communes[communes[COMMUNE_CODE].astype(str).isin(codes)]
    rows = rows[rows[REGION_CODE].notna()]
    if rows.empty:
        return None
    weights = pd.to_numeric(rows[POPULATION]).fillna(0).groupby(rows[REGION_CODE].astype(str))
    totals = weights.sum().sort_index()
    return str(totals.idxmax())


# --------------------------------------------------------------------------------------------
# Sections


@dataclass
class Section:
    document: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    method: str | None = None
    warnings: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)


def _unemployment_references(
    references: UnemploymentReferences, region_code: str | None
) -> pd.DataFrame:
    """region, france by period (the index): the population-weighted rates of the region and of
    France."""
    frame = pd.DataFrame(
        {"region": unemployment_region(references, region_code), "france": references.france}
    )
    frame.index.name = PERIOD
    return frame


def _unemployment_peers(rows: pd.DataFrame, period: str) -> pd.DataFrame:
    """Every zone d'emploi at `period`: its code, population, region and rate."""
    last = rows[rows[PERIOD].astype(str) == period]
    return pd.DataFrame(
        {
            PEER_ID: last["_z"].to_numpy(),
            POPULATION: last["_w"].to_numpy(),
            REGION_CODE: last["_r"].to_numpy(),
            "unemployment_rate": last["_v"].to_numpy(),
        }
    )


def unemployment_section(
    rates: pd.DataFrame,
    *,
    communes: pd.DataFrame,
    codes: Sequence[str],
    region_code: str | None,
    context: BasinContext,
) -> tuple[Section, pd.DataFrame, pd.DataFrame]:
    """`context`: the basin's crosswalk and series, and the shared references."""
    section = Section()
    crosswalk = context.crosswalks["zone_emploi"]
    references_all = context.references.unemployment
    if references_all is None or context.unemployment is None:
        raise ValueError("Contexte du bassin incomplet : références ou série de chômage absentes.")
    section.tables["zones_emploi"] = crosswalk.zones
    series, method = context.unemployment
    yearly = annual_average(series, value=RATE)
    section.tables["unemployment"] = series
    section.tables["unemployment_years"] = yearly
    section.method = method + (
        " Moyenne annuelle : moyenne des trimestres publiés de l'année (le nombre de trimestres "
        "est indiqué)."
    )
    section.gaps = missing_periods(series.loc[series[RATE].notna(), PERIOD])

    # References: population-weighted averages of the zones of the region and of France.
    rows = references_all.rows
    # The region's and France's rates by period, and every zone at a period: the same for the
    # basins of a batch (of a region), made once (`common.shared`).
    by_period = shared(
        context.cache,
        ("unemployment_references", region_code),
        references_all,
        partial(_unemployment_references, references_all, region_code),
    )
    # The references at the basin's periods: a left join on the period, as a lookup.
    aligned = by_period.reindex(pd.Index(series[PERIOD].to_numpy()))
    table = series.reset_index(drop=True)
    table["region_rate"] = aligned["region"].array
    table["france_rate"] = aligned["france"].array
    section.tables["unemployment"] = table
    # Peers: every zone d'emploi at the basin's last known quarter.
    known = series[series[RATE].notna()]
    peers = pd.DataFrame(columns=[PEER_ID, POPULATION, REGION_CODE, "unemployment_rate"])
    last_period = str(known[PERIOD].iloc[-1]) if len(known) else None
    region_last = None
    if last_period is not None:
        peers = shared(
            context.cache,
            ("unemployment_peers", last_period),
            rows,
            partial(_unemployment_peers, rows, last_period),
        )
        match = table[table[PERIOD] == last_period]
        region_last = json_scalar(match["region_rate"].iloc[0], 2) if len(match) else None
    section.document = {
        "series": frame_records(
            section.tables["unemployment"],
            {
                PERIOD: "period",
                RATE: "rate",
                ESTIMATED: "estimated",
                COVERAGE: "coverage",
                "region_rate": "region_rate",
                "france_rate": "france_rate",
            },
            {RATE: 1, COVERAGE: 4, "region_rate": 1, "france_rate": 1},
        ),
        "zones": crosswalk.zone_codes,
        "single_zone": crosswalk.single_zone,
        "estimated": crosswalk.single_zone is None,
        "last_period": last_period,
        "region_last": region_last,
    }
    return section, yearly, peers


def job_seekers_section(
    seekers: pd.DataFrame,
    *,
    communes: pd.DataFrame,
    codes: Sequence[str],
    params: DiagnosticParams,
    context: BasinContext | None = None,
) -> tuple[Section, pd.DataFrame]:
    section = Section()
    category = params.job_seekers_category
    if context is not None and context.job_seekers and context.job_seekers[0] == category:
        series, method = context.job_seekers[1]  # computed for the whole batch
    else:
        series, method = job_seekers_series(
            seekers, communes=communes, basin_communes=codes, category=category
        )
    series = year_on_year(series, value=VALUE)
    series = suppress_small(series, columns=[VALUE], threshold=params.job_seekers_threshold)
    yearly = annual_average(series, value=VALUE)
    section.tables["job_seekers"] = series
    section.tables["job_seekers_years"] = yearly
    section.method = method + (
        " Moyenne annuelle : moyenne des mois publiés (stock au premier du mois)."
    )
    section.gaps = missing_periods(series.loc[series[VALUE].notna(), PERIOD])
    section.document = {
        "series": frame_records(
            series,
            {
                PERIOD: "period",
                VALUE: "value",
                ESTIMATED: "estimated",
                COVERAGE: "coverage",
                YEAR_ON_YEAR: "year_on_year",
                MASKED_CELLS: "masked_communes",
            },
            {VALUE: 0, COVERAGE: 4, YEAR_ON_YEAR: 4},
        ),
        "category": params.job_seekers_category,
    }
    if series[VALUE].isna().all() and len(series):
        section.warnings.append("Aucune valeur de demandeurs d'emploi publiable pour ce bassin.")
    return section, yearly


def _tension_reference(tension: pd.DataFrame) -> tuple[int, pd.DataFrame, dict[Any, Any]]:
    """The last year, its rows (the reference of the index) and their positions per bassin."""
    last_year = int(tension[YEAR].max())
    reference = tension[tension[YEAR] == last_year]
    codes = reference[BASSIN_BMO_CODE].astype(str)
    return last_year, reference, codes.groupby(codes, sort=False).indices


def _reference_rows(positions: Mapping[Any, np.ndarray], codes: Iterable[str]) -> np.ndarray:
    """Positions of the reference rows of the given bassins, in the reference's order."""
    parts = [positions[code] for code in set(codes) if code in positions]
    return np.sort(np.concatenate(parts)) if parts else np.array([], dtype=np.intp)


def attach_tension_frames(
    contexts: Mapping[int, BasinContext], tension: pd.DataFrame | None
) -> dict[int, BasinContext]:
    """The contexts with their tension components moved to the basin (`tension_moved`),
    computed for all of them in one pass (`tension.basin_tension_frames`) on the rows of the
    reference year, as `tension_section` computes them for a basin alone."""
    out = dict(contexts)
    if tension is None or tension.empty or not contexts:
        return out
    require_columns(tension, [YEAR, BASSIN_BMO_CODE, ROME_CODE], what="les indicateurs de tension")
    cache = next(iter(contexts.values())).cache
    _, reference, positions = shared(
        cache, "tension_reference", tension, lambda: _tension_reference(tension)
    )
    walks = {b: context.crosswalks["bassin_bmo"] for b, context in contexts.items()}
    rows = _reference_rows(positions, {code for walk in walks.values() for code in walk.zone_codes})
    moved = basin_tension_frames(reference.take(rows), crosswalks=walks)
    for basin_id, context in contexts.items():
        out[basin_id] = dataclasses.replace(context, tension_moved=(tension, moved[basin_id]))
    return out


def tension_section(
    tension: pd.DataFrame,
    *,
    crosswalk: Crosswalk,
    top_n: int,
    cache: dict[Hashable, Any] | None = None,
    moved: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> Section:
    """`moved`: (tension frame, the basin's components moved) when a batch computed them for
    all its basins (`attach_tension_frames`); used only for this very tension frame."""
    section = Section()
    require_columns(tension, [YEAR, BASSIN_BMO_CODE, ROME_CODE], what="les indicateurs de tension")
    # The same for every basin of a batch (`cache`, see `basin_context.shared`).
    last_year, reference, positions = shared(
        cache, "tension_reference", tension, lambda: _tension_reference(tension)
    )
    if moved is not None and moved[0] is tension:
        local = moved[1]
    else:
        # Only the rows of the basin's bassins are moved (the same rows, in the same order, as
        # the inner join of `basin_tension_frame` keeps): not a France-wide join per basin.
        rows = _reference_rows(positions, crosswalk.zone_codes)
        local = basin_tension_frame(reference.take(rows), crosswalk=crosswalk)
    if local.empty:
        section.method = "Aucun indicateur de tension pour les bassins BMO du bassin."
        section.warnings.append(section.method)
        return section
    scored, method = tension_index(local, reference=reference, cache=cache)
    scored = scored.sort_values(
        [TENSION_INDEX, ROME_CODE], ascending=[False, True], na_position="last", kind="mergesort"
    ).reset_index(drop=True)
    section.tables["tension_dares"] = scored
    section.method = method.description + (
        f" Données de l'année {last_year} ; les composantes des bassins BMO sont transposées au "
        "bassin (effectifs répartis au prorata de la population, ratios recalculés)."
    )
    section.document = {
        "year": last_year,
        "estimated": not crosswalk.exact,
        "method": method.as_dict(),
        "top": frame_records(
            scored.head(top_n),
            {ROME_CODE: "rome", TENSION_INDEX: "index", "components_used": "components"},
            {TENSION_INDEX: 3},
        ),
    }
    return section


def _rows_by_year(frame: pd.DataFrame) -> dict[int, dict[Any, Any]]:
    """{year: the row as {column: Python value}} (`to_dict("records")`, column by column)."""
    columns = {column: frame[column].tolist() for column in frame.columns}
    return {
        int(year): {column: values[i] for column, values in columns.items()}
        for i, year in enumerate(columns[YEAR])
    }


def years_document(
    *,
    population: int,
    bmo_years: pd.DataFrame,
    unemployment_years: pd.DataFrame,
    job_seekers_years: pd.DataFrame,
) -> dict[str, dict[str, Any]]:
    years = sorted(
        {int(y) for y in bmo_years[YEAR]}
        | {int(y) for y in unemployment_years[YEAR]}
        | {int(y) for y in job_seekers_years[YEAR]}
    )
    bmo_rows = _rows_by_year(bmo_years)
    unemployment_rows = _rows_by_year(unemployment_years)
    seekers_rows = _rows_by_year(job_seekers_years)
    out: dict[str, dict[str, Any]] = {}
    for year in years:
        entry: dict[str, Any] = {"population": population}
        b = bmo_rows.get(year)
        entry.update(
            {
                "bmo_projects": json_scalar(b[PROJECTS], 0) if b else None,
                "bmo_difficult": json_scalar(b[DIFFICULT], 0) if b else None,
                "bmo_seasonal": json_scalar(b[SEASONAL], 0) if b else None,
                "bmo_difficulty_rate": json_scalar(b[DIFFICULTY_RATE], 4) if b else None,
                "bmo_seasonal_rate": json_scalar(b[SEASONAL_RATE], 4) if b else None,
                "bmo_projects_per_1000": json_scalar(b[PROJECTS_PER_1000], 1) if b else None,
                "bmo_masked_cells": json_scalar(b[MASKED_CELLS]) if b else None,
                "bmo_estimated": json_scalar(b[ESTIMATED]) if b else None,
                "bmo_coverage": json_scalar(b[COVERAGE], 4) if b else None,
            }
        )
        s = seekers_rows.get(year)
        entry.update(
            {
                "job_seekers": json_scalar(s[VALUE], 0) if s else None,
                "job_seekers_months": json_scalar(s[PERIODS]) if s else None,
                "job_seekers_estimated": json_scalar(s[ESTIMATED]) if s else None,
            }
        )
        u = unemployment_rows.get(year)
        entry.update(
            {
                "unemployment_rate": json_scalar(u[RATE], 1) if u else None,
                "unemployment_quarters": json_scalar(u[PERIODS]) if u else None,
                "unemployment_estimated": json_scalar(u[ESTIMATED]) if u else None,
            }
        )
        out[str(year)] = entry
    return out


def years_frame(years: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    rows = [{YEAR: int(year), **values} for year, values in years.items()]
    return pd.DataFrame(rows)
