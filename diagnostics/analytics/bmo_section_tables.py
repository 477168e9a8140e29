"""The tables of the BMO section for many basins at once (issue 16): each basin's totals by year
(with projects per 1,000 inhabitants, coverage and the estimated flag), by family and by
métier, its métiers in tension and its two top-métier lists, with the primary secrecy of an
estimated basin applied — in grouped passes keyed by `basin_id`, then split per basin.

`diagnostic_bmo_section.bmo_section` reads a basin's tables from its context when a batch
computed them (`attach_bmo_tables`) and otherwise calls `bmo_section_tables` with its basin
alone: one code, so a basin's tables in a batch are those of the basin alone, row for row.
Exact basins (integer counts) and estimated ones (apportioned, Float64 counts, secrecy
applied) are grouped apart, as `batch_totals.bmo_basin_frames` totals them apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .basin_context import BasinContext
from .batch import BASIN_ID, split_by_basin
from .batch_totals import BmoBasinFrames
from .bmo import tension_metiers, top_metiers
from .columns import COVERAGE, DIFFICULT, ESTIMATED, PROJECTS, PROJECTS_PER_1000, SEASONAL, YEAR
from .diagnostic_params import DiagnosticParams
from .secrecy import suppress_small

COUNT_COLUMNS = [PROJECTS, DIFFICULT, SEASONAL]


@dataclass(frozen=True)
class BmoSectionTables:
    """One basin's BMO section tables, and what they were computed with (`key`)."""

    key: tuple[DiagnosticParams, int, tuple[int, ...]]
    by_year: pd.DataFrame
    by_family: pd.DataFrame
    by_metier: pd.DataFrame
    tension: pd.DataFrame
    top_projects: pd.DataFrame
    top_difficult: pd.DataFrame


def tables_key(
    params: DiagnosticParams, population: int, years: Sequence[int]
) -> tuple[DiagnosticParams, int, tuple[int, ...]]:
    return (params, int(population), tuple(int(y) for y in years))


def bmo_section_tables(
    frames: Mapping[int, BmoBasinFrames],
    *,
    estimated: Mapping[int, bool],
    populations: Mapping[int, int],
    years: Sequence[int],
    params: DiagnosticParams,
) -> dict[int, BmoSectionTables]:
    """{basin id: its tables} for the basins of `frames` (their BMO totals,
    `batch_totals.bmo_basin_frames`), `estimated` (crosswalk not exact), `populations` (inhabitants)
    and the years the BMO covers."""
    out: dict[int, BmoSectionTables] = {}
    for flag in (False, True):
        ids = sorted(b for b in frames if bool(estimated[b]) is flag)
        if ids:
            out.update(_tables(frames, ids, estimated=flag, populations=populations,
                               years=years, params=params))  # fmt: skip
    return out


def _stacked(parts: Sequence[pd.DataFrame], ids: Sequence[int]) -> pd.DataFrame:
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, BASIN_ID, np.repeat(np.asarray(ids, dtype="int64"), [len(p) for p in parts]))
    return frame


def _split(frame: pd.DataFrame, ids: Sequence[int]) -> dict[int, pd.DataFrame]:
    """{basin id: its rows (in order), without basin_id, index reset}; `frame` sorted by
    basin_id, as every grouped frame here is."""
    return split_by_basin(frame, [c for c in frame.columns if c != BASIN_ID], ids)


def _tables(
    frames: Mapping[int, BmoBasinFrames],
    ids: Sequence[int],
    *,
    estimated: bool,
    populations: Mapping[int, int],
    years: Sequence[int],
    params: DiagnosticParams,
) -> dict[int, BmoSectionTables]:
    by_year = _stacked([frames[b].by_year for b in ids], ids)
    coverage = _stacked([frames[b].coverage for b in ids], ids)
    by_family = _stacked([frames[b].by_family for b in ids], ids)
    by_metier = _stacked([frames[b].by_metier for b in ids], ids)

    # Projects per 1,000 inhabitants (`bmo.with_projects_per_1000`: NA without a population).
    population = by_year[BASIN_ID].map({b: int(populations[b]) for b in ids}).to_numpy()
    per_1000 = by_year[PROJECTS].astype("Float64") * 1000 / population
    by_year[PROJECTS_PER_1000] = per_1000.mask(population == 0)
    by_year = by_year.merge(coverage, on=[BASIN_ID, YEAR], how="left")
    by_year[COVERAGE] = by_year[COVERAGE].astype("Float64").fillna(0.0)
    by_year[ESTIMATED] = estimated

    last_year = years[-1] if years else None
    with_metiers = [b for b in ids if not frames[b].by_metier.empty]
    tension = tension_metiers(
        by_metier[by_metier[BASIN_ID].isin(with_metiers)],
        threshold=params.tension_threshold,
        min_projects=params.tension_min_projects,
        min_years=params.tension_min_years,
        years=years,
        by=[BASIN_ID],
    )
    if estimated:
        # Apportioned figures are estimates; none below the source's threshold is shown.
        threshold = params.bmo_threshold
        by_year = suppress_small(by_year, columns=COUNT_COLUMNS, threshold=threshold)
        by_family = suppress_small(by_family, columns=COUNT_COLUMNS, threshold=threshold)
        by_metier = suppress_small(by_metier, columns=COUNT_COLUMNS, threshold=threshold)
        tension = suppress_small(tension, columns=[PROJECTS, DIFFICULT], threshold=threshold)
    tops = {
        measure: top_metiers(
            by_metier, year=last_year, measure=measure, n=params.top_n, by=[BASIN_ID]
        )  # fmt: skip
        if last_year is not None
        else by_metier.iloc[0:0]
        for measure in ("projects", "difficult")
    }
    split = {
        name: _split(frame, ids)
        for name, frame in (
            ("by_year", by_year),
            ("by_family", by_family),
            ("by_metier", by_metier),
            ("tension", tension),
            ("top_projects", tops["projects"]),
            ("top_difficult", tops["difficult"]),
        )
    }
    lone_tension = {
        b: tension_metiers(
            frames[b].by_metier,
            threshold=params.tension_threshold,
            min_projects=params.tension_min_projects,
            min_years=params.tension_min_years,
            years=years,
        )
        for b in ids
        if b not in with_metiers
    }
    return {
        b: BmoSectionTables(
            key=tables_key(params, populations[b], years),
            by_year=split["by_year"][b],
            by_family=split["by_family"][b],
            by_metier=split["by_metier"][b],
            tension=split["tension"][b] if b in with_metiers else lone_tension[b],
            top_projects=split["top_projects"][b],
            top_difficult=split["top_difficult"][b],
        )
        for b in ids
    }


def attach_bmo_tables(
    contexts: Mapping[int, BasinContext],
    *,
    params: Mapping[int, DiagnosticParams],
    populations: Mapping[int, int],
) -> dict[int, BasinContext]:
    """The contexts with their BMO section tables, computed in grouped passes for the basins
    sharing the same parameters (a basin without BMO totals keeps its context)."""
    out = dict(contexts)
    by_params: dict[DiagnosticParams, list[int]] = {}
    for basin_id, context in contexts.items():
        if context.bmo is not None and context.references.bmo is not None:
            by_params.setdefault(params[basin_id], []).append(basin_id)
    for one, ids in by_params.items():
        years = list(contexts[ids[0]].references.bmo.years)  # type: ignore[union-attr]
        tables = bmo_section_tables(
            {b: contexts[b].bmo for b in ids},  # type: ignore[misc]
            estimated={b: not contexts[b].crosswalks["bassin_bmo"].exact for b in ids},
            populations=populations,
            years=years,
            params=one,
        )
        for basin_id in ids:
            out[basin_id] = replace(contexts[basin_id], bmo_tables=tables[basin_id])
    return out
