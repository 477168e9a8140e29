"""The saturated métiers of a basin's bassins BMO and the bridges from them to the métiers in
tension (part of the prospective section, issue 17; assembled by `services.prospective`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from diagnostics.analytics import bridges as br
from diagnostics.analytics import columns as c
from diagnostics.analytics import saturation as sat
from diagnostics.analytics.common import format_number
from diagnostics.analytics.saturation_pool import SaturationPool, saturation_pool
from diagnostics.selectors import prospective as selectors
from diagnostics.selectors import tensions as tension_selectors
from diagnostics.selectors.memo import (
    CHUNK_BASSINS,
    memo_active,
    memo_get,
    memoised,
    memoised_on,
)
from diagnostics.services.prospective_params import param, rounded


def _saturated_items(frame: pd.DataFrame, top: int) -> list[dict[str, Any]]:
    return [
        {
            "bassin_bmo": str(r[c.BASSIN_BMO_CODE]),
            "rome": str(r[c.ROME_CODE]),
            "label": r[c.ROME_LABEL] or None,
            "domain": r[c.DOMAIN_CODE],
            "tension": None if pd.isna(r[c.PUBLISHED_TENSION]) else int(r[c.PUBLISHED_TENSION]),
            "offers": rounded(r[c.OFFERS], 1),
            "job_seekers": rounded(r[c.JOB_SEEKERS_ABC], 1),
            "job_seekers_per_offer": rounded(r[c.SEEKERS_PER_OFFER], 2),
            "surplus": rounded(r[c.SURPLUS], 1),
            "bmo_year": None if pd.isna(r[c.BMO_YEAR]) else int(r[c.BMO_YEAR]),
            "bmo_projects": rounded(r[c.PROJECTS], 0),
            "bmo_difficulty_rate": rounded(r[c.DIFFICULTY_RATE], 4),
        }
        for r in frame.head(top).to_dict("records")
    ]


def saturation_part(
    tension: pd.DataFrame | None,
    *,
    bassins: Sequence[str],
    bassin_population: int,
    bmo_metiers: pd.DataFrame | None,
    tension_batches: Sequence[int],
    params: Mapping[str, Any],
    top: int,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, pd.DataFrame]]:
    rule = sat.saturation_rule(
        min_ratio=float(param(params, "saturation_min_ratio")),
        max_tension=int(param(params, "saturation_max_tension")),
        min_job_seekers=int(param(params, "saturation_min_job_seekers")),
    )
    min_tension = int(param(params, "bridge_min_tension"))
    bridge_rule = br.bridge_rule(min_tension=min_tension)
    saturated_doc: dict[str, Any] = {"available": False, "rule": rule, "items": [], "message": ""}
    bridges_doc: dict[str, Any] = {
        "available": False,
        "rule": bridge_rule,
        "targets": [],
        "message": "",
    }
    frames: dict[str, pd.DataFrame] = {}
    if tension is None or tension.empty:
        message = (
            "Aucun indicateur de tension importé (Dares, France Travail, par métier ROME et bassin "
            "BMO) : ni métiers saturés ni passerelles."
        )
        saturated_doc["message"] = bridges_doc["message"] = message
        return saturated_doc, bridges_doc, frames
    # The rows of the basin's bassins (located once per chunk of a national batch): every
    # step below reads only these.
    local = tension_selectors.tension_rows(tension, bassins)
    if local.empty:
        message = "Aucun indicateur de tension publié pour les bassins BMO du bassin."
        saturated_doc["message"] = bridges_doc["message"] = message
        return saturated_doc, bridges_doc, frames
    year = int(local[c.YEAR].max())
    referential = selectors.rome_referential_frame()
    min_ratio = float(param(params, "saturation_min_ratio"))
    max_tension = int(param(params, "saturation_max_tension"))
    min_job_seekers = int(param(params, "saturation_min_job_seekers"))

    def pool_of(rows: pd.DataFrame) -> SaturationPool:
        return saturation_pool(
            rows,
            year=year,
            referential=referential,
            min_ratio=min_ratio,
            max_tension=max_tension,
            min_job_seekers=min_job_seekers,
            min_tension=min_tension,
        )

    # Every bassin's saturated métiers and bridges in one pass, once per chunk of a national
    # batch (`selectors.memo`: the bassins of the chunk's basins); alone, the pool of the basin's
    # own bassins: the same rows.
    rules = (year, min_ratio, max_tension, min_job_seekers, min_tension)
    scope = memo_get(CHUNK_BASSINS)
    # Alone, the pool of the basin's own bassins is kept per process and data version: a basin
    # run again (other parameters) or another basin on the same bassins reads it back.
    pool = (
        memoised(
            ("saturation_pool", id(tension), id(referential), rules, scope),
            lambda: pool_of(
                tension if scope is None else tension_selectors.tension_rows(tension, scope)
            ),
        )
        if memo_active()
        else memoised_on(
            tension,
            (
                "saturation_pool_alone",
                id(referential),
                rules,
                tuple(sorted({str(b) for b in bassins})),
            ),
            lambda: pool_of(local),
            versioned=True,
        )
    )
    mine = pool.for_bassins(bassins)
    named, pairs, per_target = mine["named"], mine["pairs"], mine["per_target"]
    metiers = (
        bmo_metiers
        if bmo_metiers is not None
        else pd.DataFrame({c.YEAR: [], "metier_code": [], c.PROJECTS: []})
    )
    enriched = sat.with_bmo(
        named, rome_fap=selectors.rome_fap_pairs(batch_ids=tension_batches), bmo_metiers=metiers
    )
    frames["prospective_saturated"] = enriched[sat.SATURATED_COLUMNS]
    seekers = float(pd.to_numeric(enriched[c.JOB_SEEKERS_ABC]).fillna(0).sum())
    saturated_doc.update(
        available=True,
        year=year,
        bassins=list(bassins),
        count=len(enriched),
        job_seekers=round(seekers, 1),
        offers=round(float(pd.to_numeric(enriched[c.OFFERS]).fillna(0).sum()), 1),
        bmo_known=int(enriched[c.PROJECTS].notna().sum()),
        items=_saturated_items(enriched, top),
        bmo_note=(
            "Projets BMO : ceux du métier FAP 2009 que le fichier des tensions 2019 associe au "
            "code ROME, dans la dernière campagne BMO publiant ce code (2023 : les campagnes "
            "suivantes utilisent la FAP 2021, sans table de passage officielle) ; inconnus "
            "sinon, jamais 0."
        ),
    )
    if enriched.empty:
        saturated_doc["message"] = (
            "Aucun métier saturé selon la règle dans les bassins BMO du bassin."
        )

    frames["prospective_bridges"] = pairs
    frames["prospective_bridge_targets"] = per_target
    bridged = br.bridged_job_seekers(pairs)
    shared = selectors.shared_titles_count()
    no_domain = sorted(named.loc[named[c.DOMAIN_CODE].isna(), c.ROME_CODE].astype(str).unique())
    without = per_target[per_target[c.BRIDGES] == 0]
    # The rows of each target's bridges (one grouping, in the pairs' order), not one filter of
    # every pair per target.
    positions = (
        pairs.groupby([c.TARGET_ROME_CODE, c.BASSIN_BMO_CODE], sort=False).indices
        if len(pairs)
        else {}
    )
    # The bridges' columns as Python values once, not one small frame per target.
    bridge_romes = pairs[c.ROME_CODE].tolist()
    bridge_labels = pairs[c.ROME_LABEL].tolist()
    bridge_seekers = pairs[c.JOB_SEEKERS_ABC].tolist()
    bridges_doc.update(
        available=True,
        year=year,
        min_tension=min_tension,
        targets_count=len(per_target),
        targets_with_bridge=int((per_target[c.BRIDGES] > 0).sum()),
        bridged_job_seekers=round(bridged, 1),
        bridged_saturated=int(pairs[[c.BASSIN_BMO_CODE, c.ROME_CODE]].drop_duplicates().shape[0]),
        bridged_per_1000=round(bridged * 1000 / bassin_population, 2)
        if bassin_population
        else None,
        bassin_population=bassin_population,
        shared_titles=shared,
        saturated_without_domain=no_domain,
        targets=[
            {
                "bassin_bmo": str(r[c.BASSIN_BMO_CODE]),
                "rome": str(r[c.TARGET_ROME_CODE]),
                "label": r[c.TARGET_ROME_LABEL] or None,
                "domain": r[c.DOMAIN_CODE],
                "tension": None if pd.isna(r[c.TARGET_TENSION]) else int(r[c.TARGET_TENSION]),
                "bridges": int(r[c.BRIDGES]),
                "job_seekers_concerned": rounded(r[c.JOB_SEEKERS_CONCERNED], 1),
                "from": [
                    {
                        "rome": str(bridge_romes[i]),
                        "label": bridge_labels[i] or None,
                        "job_seekers": rounded(bridge_seekers[i], 1),
                    }
                    for i in positions.get((r[c.TARGET_ROME_CODE], r[c.BASSIN_BMO_CODE]), [])
                ],
            }
            for r in per_target[per_target[c.BRIDGES] > 0].head(top).to_dict("records")
        ],
        targets_without_bridge=[str(code) for code in without[c.TARGET_ROME_CODE].head(30)],
    )
    gaps = []
    if shared == 0:
        gaps.append(
            "aucune appellation du référentiel ROME importé n'est rattachée à deux métiers : "
            "les appellations ne peuvent pas rapprocher deux métiers"
        )
    if no_domain:
        gaps.append(
            "métiers saturés absents du référentiel ROME (sans domaine, aucune passerelle) : "
            + ", ".join(no_domain)
        )
    if len(without):
        gaps.append(
            f"{format_number(len(without))} métier(s) en tension sans aucun métier saturé du même "
            "domaine : les données ne permettent pas de passerelle vers eux"
        )
    bridges_doc["data_limits"] = gaps
    if pairs.empty:
        bridges_doc["message"] = (
            "Aucune passerelle : aucun métier saturé du bassin n'appartient au domaine "
            "professionnel d'un métier en tension."
        )
    return saturated_doc, bridges_doc, frames
