"""The prospective section of a diagnostic run (issue 17): saturated métiers, bridges to the
métiers in tension, replacement needs, projections with their interval, key sectors.

Called by the run's document assembly after the engine (like `tensions_published`): reads the
engine's tables (unemployment, job seekers, BMO by year / family / métier), the tension frame,
the population estimates by age and the job seekers by sector, and returns the document key
`prospective` and the frames of its tables (`prospective_*`). Every rule and threshold is a run
parameter (`PROSPECTIVE_DEFAULTS`, cleaned by `diagnostic_params_clean`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.crosswalk import Crosswalk, basin_crosswalk
from diagnostics.analytics.payload import table_payload
from diagnostics.selectors import prospective as selectors
from diagnostics.services.prospective_outlook import (
    projections_part,
    replacement_part,
    sectors_part,
)
from diagnostics.services.prospective_params import (
    PROSPECTIVE_DEFAULTS,
    param,
)
from diagnostics.services.prospective_saturation import saturation_part

TABLE_TITLES = {
    "prospective_saturated": "Métiers saturés (demandeurs nettement plus nombreux que les offres)",
    "prospective_bridges": "Passerelles : métiers saturés proches d'un métier en tension",
    "prospective_bridge_targets": "Métiers en tension et demandeurs des métiers saturés proches",
    "prospective_replacement": "Besoins de remplacement : part des 55-64 ans parmi les 20-64 ans",
    "prospective_projections": "Projections et intervalles de prévision à 80 %",
    "prospective_backtest": "Erreur des projections passées (rétro-prévision)",
    "prospective_families": "Évolution des projets de recrutement par famille de métiers",
    "prospective_sectors": "Demandeurs d'emploi par secteur du dernier employeur",
}
TABLE_LABELS = {
    "first_period": "Première campagne",
    "last_period": "Dernière campagne",
    "start_masked_cells": "Cellules secrètes (première campagne)",
    "end_masked_cells": "Cellules secrètes (dernière campagne)",
    c.PROJECTS: "Projets BMO du bassin (métier FAP 2009)",
    c.DIFFICULTY_RATE: "Taux de difficulté BMO",
}


def table_payloads(frames: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """The stored tables (`analytics.payload.table_payload` shape), with their French titles."""
    out = {}
    for name, frame in frames.items():
        payload = table_payload(name, frame)
        payload["title"] = TABLE_TITLES.get(name, name)
        payload["labels"] = [
            TABLE_LABELS.get(column, label)
            for column, label in zip(payload["columns"], payload["labels"], strict=True)
        ]
        out[name] = payload
    return out


@dataclass
class ProspectiveSection:
    document: dict[str, Any] = field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)


def _bassins_used(zones: pd.DataFrame, *, min_share: float) -> list[str]:
    """The bassins BMO holding at least `min_share` of the basin's population (their published
    figures describe the basin's labour market; a bassin the basin barely touches would not),
    the largest one at least."""
    ordered = zones.sort_values(
        [c.BASIN_SHARE, c.ZONE_CODE], ascending=[False, True], kind="mergesort"
    )
    used = [
        str(z)
        for z, share in zip(ordered[c.ZONE_CODE], ordered[c.BASIN_SHARE], strict=True)
        if float(share) >= min_share
    ]
    if not used and len(ordered):
        used = [str(ordered[c.ZONE_CODE].iloc[0])]
    return sorted(used)


def prospective_section(
    *,
    tables: Mapping[str, pd.DataFrame],
    tension: pd.DataFrame | None,
    crosswalk: pd.DataFrame,
    codes: Sequence[str],
    region_code: str | None,
    batch_ids: Mapping[str, Sequence[int]],
    params: Mapping[str, Any],
    sources: Mapping[str, Any] | None = None,
    top: int = 15,
    walk: Crosswalk | None = None,
) -> ProspectiveSection:
    """Document key `prospective` and the `prospective_*` frames.

    `tables`: the engine's frames (`unemployment`, `job_seekers`, `bmo_years`, `bmo_families`,
    `bmo_metiers`); `tension`: the run's tension frame (None: not imported); `crosswalk`: the
    commune crosswalk (all of France); `batch_ids`: kind → the run's batch ids (`tensions`,
    `population_age`, `defm_secteur`); `params`: the run's parameters; `walk`: the basin's
    crosswalk on the bassins BMO when already computed (the run's context), else computed here."""
    if walk is None:
        walk = basin_crosswalk(crosswalk, basin_communes=list(codes), zoning="bassin_bmo")
    bassins = _bassins_used(
        walk.zones, min_share=float(param(params, "prospective_min_bassin_share"))
    )
    populations = selectors.bassin_populations(crosswalk, [str(z) for z in walk.zones[c.ZONE_CODE]])
    out = ProspectiveSection()
    saturated, bridges, frames = saturation_part(
        tension,
        bassins=bassins,
        bassin_population=sum(populations.get(code, 0) for code in bassins),
        bmo_metiers=tables.get("bmo_metiers"),
        tension_batches=list(batch_ids.get("tensions") or []),
        params=params,
        top=top,
    )
    out.frames.update(frames)
    replacement, frames = replacement_part(
        batch_ids=list(batch_ids.get("population_age") or []),
        crosswalk=crosswalk,
        codes=codes,
        region_code=region_code,
        sources=sources or {},
    )
    out.frames.update(frames)
    projections, frames = projections_part(tables, params=params)
    out.frames.update(frames)
    sectors, frames = sectors_part(
        tables,
        bassins=bassins,
        batch_ids=list(batch_ids.get("defm_secteur") or []),
        estimated=not walk.exact,
    )
    out.frames.update(frames)
    out.document = {
        "prospective": {
            "bassins": [
                {
                    "code": str(row[c.ZONE_CODE]),
                    "population": populations.get(str(row[c.ZONE_CODE])),
                    "basin_share": round(float(row[c.BASIN_SHARE]), 4),
                    "zone_share": round(float(row[c.ZONE_SHARE]), 4),
                    "used": str(row[c.ZONE_CODE]) in bassins,
                }
                for row in walk.zones.to_dict("records")
            ],
            "whole_bassins": walk.exact,
            "saturated": saturated,
            "bridges": bridges,
            "replacement": replacement,
            "projections": projections,
            "sectors": sectors,
            "parameters": {name: param(params, name) for name in PROSPECTIVE_DEFAULTS},
        }
    }
    return out
