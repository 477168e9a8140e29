"""What the diagnostic of one basin reads besides its own facts (issue 16): its crosswalks on
the bassin BMO and zone d'emploi zonings, its BMO totals, its unemployment series and the shared
references — computed for many basins at once (`basin_contexts`) or for one.

`indicators.basin_diagnostic(…, context=None)` builds the context of its basin with these very
functions (a batch of one), so a basin diagnosed in a batch and alone gives the same figures.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from .batch import Crosswalks, basin_crosswalks, prepared_communes
from .batch_totals import BmoBasinFrames, bmo_basin_frames, unemployment_basin_series
from .columns import COMMUNE_CODE, YEAR
from .common import shared
from .crosswalk import Crosswalk
from .references import EngineReferences, engine_references
from .row_index import index_key, row_index

if TYPE_CHECKING:
    from .bmo_section_tables import BmoSectionTables


@dataclass
class BasinContext:
    """One basin's precomputed inputs (see the module docstring)."""

    crosswalks: dict[str, Crosswalk]
    references: EngineReferences
    bmo: BmoBasinFrames | None = None
    unemployment: tuple[pd.DataFrame, str] | None = None
    # The BMO section's tables, when a batch computed them for all its basins
    # (`bmo_section_tables.attach_bmo_tables`).
    bmo_tables: BmoSectionTables | None = None
    # The monthly job seekers series (category, (series, method)), when a batch computed them
    # for all its basins (`job_seekers.job_seekers_basin_series`).
    job_seekers: tuple[str, tuple[pd.DataFrame, str]] | None = None
    # The tension components moved to the basin (tension frame, moved frame), when a batch
    # computed them for all its basins (`diagnostic_sections.attach_tension_frames`).
    tension_moved: tuple[pd.DataFrame, pd.DataFrame] | None = None
    # Figures every basin of the batch derives from the same France-wide frame (the tension
    # reference's statistics…), computed by the first basin that needs them: one dict shared
    # by the contexts of a batch (a lone run has its own). See `common.shared`.
    cache: dict[Hashable, Any] = field(default_factory=dict)


@dataclass
class BasinContexts:
    by_basin: dict[int, BasinContext] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)


def basin_contexts(
    *,
    communes: pd.DataFrame,
    memberships: Mapping[int, Iterable[str]],
    references: EngineReferences,
    bmo: pd.DataFrame | None = None,
    unemployment: pd.DataFrame | None = None,
    france_cache: dict[Hashable, Any] | None = None,
) -> BasinContexts:
    """Every basin's context in grouped passes; a basin that cannot be placed (no commune,
    unknown communes) is in `errors` with the French message a lone run would give.
    `france_cache`: a dict keeping what depends only on the France-wide frames (the zonings'
    figures, the check of the rates: `common.shared`, by frame identity), given by a caller
    whose frames live longer than one call (the per-process frames of a worker)."""
    out = BasinContexts()
    prepared = shared(
        france_cache, "prepared_communes", communes, lambda: prepared_communes(communes)
    )
    walks: dict[str, Crosswalks] = {
        zoning: basin_crosswalks(
            prepared, memberships=memberships, zoning=zoning, france_cache=france_cache
        )
        for zoning in ("bassin_bmo", "zone_emploi")
    }
    for one in walks.values():
        out.errors.update(one.errors)
    placed = [b for b in memberships if b not in out.errors]
    for zoning, one in walks.items():
        if len(one.by_basin) != len(placed):
            walks[zoning] = Crosswalks(
                zoning=zoning,
                by_basin={b: one.by_basin[b] for b in placed},
                table=None if one.table is None else one.table[one.table["basin_id"].isin(placed)],
            )
    bmo_frames = (
        bmo_basin_frames(bmo, crosswalks=walks["bassin_bmo"], france_cache=france_cache)
        if bmo is not None and not bmo.empty and placed
        else {}
    )
    series = (
        unemployment_basin_series(
            unemployment, crosswalks=walks["zone_emploi"], france_cache=france_cache
        )
        if unemployment is not None and not unemployment.empty and placed
        else {}
    )
    cache: dict[Hashable, Any] = {}
    if france_cache is not None:
        # Frames living longer than one call: their index is built once (`france_cache`).
        index = shared(
            france_cache,
            index_key(COMMUNE_CODE),
            communes,
            lambda: row_index(communes, COMMUNE_CODE),
        )
        cache[index_key(COMMUNE_CODE)] = (communes, index)
    elif len(placed) > 1:
        # A batch locates each basin's communes through one index (`row_index`); a lone run
        # filters once, cheaper than building it.
        cache[index_key(COMMUNE_CODE)] = (communes, row_index(communes, COMMUNE_CODE))
    for basin_id in placed:
        out.by_basin[basin_id] = BasinContext(
            crosswalks={zoning: one.by_basin[basin_id] for zoning, one in walks.items()},
            references=references,
            bmo=bmo_frames.get(basin_id),
            unemployment=series.get(basin_id),
            cache=cache,
        )
    return out


def lone_context(
    *,
    communes: pd.DataFrame,
    codes: Iterable[str],
    region_code: str | None,
    bmo: pd.DataFrame | None = None,
    unemployment: pd.DataFrame | None = None,
) -> BasinContext:
    """The context of one basin, references of its region only. Raises ValueError as a lone
    crosswalk does."""
    references = engine_references(
        communes=communes,
        bmo=bmo,
        unemployment=unemployment,
        regions=[region_code] if region_code else [],
    )
    contexts = basin_contexts(
        communes=communes,
        memberships={0: list(codes)},
        references=references,
        bmo=bmo,
        unemployment=unemployment,
    )
    if 0 in contexts.errors:
        raise ValueError(contexts.errors[0])
    return contexts.by_basin[0]


def bmo_years(bmo: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in bmo[YEAR].dropna().unique())
