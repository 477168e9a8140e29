"""The candidates of a regional planning: who takes part (the zones of a zoning in the region, or
its registered basins), their need figures (the latest diagnostic of their basin, else the imported
facts moved through the communes) and the concept recommended for those with a registered basin.
Called by `planning.region_plan`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pandas as pd
from django.utils import timezone

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, Region, User
from implantations.analytics import honesty
from implantations.analytics import planning as p
from implantations.analytics import planning_columns as pc
from implantations.selectors import planning as sel

from .planning_parameters import SOURCE_REGISTERED

logger = logging.getLogger(__name__)


# The candidate's identity columns in the planning frame.
KIND = "kind"
CODE = "code"
BASIN_ID = "basin_id"


def region_candidates(
    *, user: User | None, region: Region, source: str, communes: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Basin], list[str]]:
    """(membership, identity frame [candidate_id, kind, code, name, basin_id], basins by
    candidate id, notes)."""
    notes: list[str] = []
    basins: dict[str, Basin] = {}
    if source == SOURCE_REGISTERED:
        if user is None:
            registered = list(
                Basin.objects.filter(region=region, is_reference=False)
                .select_related("main_town")
                .defer("geometry")
                .order_by("name")
            )
        else:
            registered = sel.region_basins_for(user, region)
        basins = {str(b.pk): b for b in registered}
        membership = sel.registered_membership(registered)
        identity = pd.DataFrame.from_records(
            [(str(b.pk), SOURCE_REGISTERED, str(b.pk), b.name, b.pk) for b in registered],
            columns=[pc.CANDIDATE_ID, KIND, CODE, pc.NAME, BASIN_ID],
        )
        return membership, identity, basins, notes
    membership = p.zone_members(communes, level=source, region_code=region.code)
    codes = sorted(membership[pc.CANDIDATE_ID].unique())
    names = sel.zone_names(source, codes)
    linked = sel.zoning_basins(source, codes)
    identity = pd.DataFrame.from_records(
        [
            (
                code,
                source,
                code,
                names.get(code, code),
                linked[code].pk if code in linked else None,
            )
            for code in codes
        ],
        columns=[pc.CANDIDATE_ID, KIND, CODE, pc.NAME, BASIN_ID],
    )
    basins = dict(linked)
    return membership, identity, basins, notes


def candidates_need(
    *,
    membership: pd.DataFrame,
    communes: pd.DataFrame,
    basins: Mapping[str, Basin],
) -> pd.DataFrame:
    """Need indicators per candidate: the latest finished diagnostic of its basin when there is
    one, else the imported facts moved through the communes."""
    facts = p.candidate_need(
        membership,
        communes,
        bmo_totals=sel.planning_bmo_totals(),
        unemployment=sel.planning_unemployment_latest(),
    ).set_index(pc.CANDIDATE_ID)
    sources: dict[str, str] = {}
    for cid in facts.index:
        parts = []
        if pd.notna(facts.loc[cid, pc.BMO_YEAR]):
            parts.append(f"BMO {int(facts.loc[cid, pc.BMO_YEAR])}")
        if pd.notna(facts.loc[cid, pc.UNEMPLOYMENT_PERIOD]):
            parts.append(f"chômage {facts.loc[cid, pc.UNEMPLOYMENT_PERIOD]}")
        sources[cid] = "données importées (" + ", ".join(parts) + ")" if parts else "aucune donnée"
    runs = sel.latest_done_runs(b.pk for b in basins.values())
    for cid, basin in basins.items():
        run = runs.get(basin.pk)
        if run is None or cid not in facts.index:
            continue
        need = sel.run_need(run)
        if need is None:
            continue
        for column in (pc.UNEMPLOYMENT_RATE, pc.PROJECTS_PER_1000, pc.DIFFICULTY_RATE):
            if need[column] is not None:
                facts.loc[cid, column] = float(need[column])
        if need[pc.UNEMPLOYMENT_PERIOD]:
            facts.loc[cid, pc.UNEMPLOYMENT_PERIOD] = need[pc.UNEMPLOYMENT_PERIOD]
        if need[pc.BMO_YEAR] is not None:
            facts.loc[cid, pc.BMO_YEAR] = int(need[pc.BMO_YEAR])
        finished = (
            timezone.localtime(run.finished_at).strftime("%d/%m/%Y") if run.finished_at else ""
        )
        sources[cid] = f"diagnostic n° {run.pk}" + (f" du {finished}" if finished else "")
    facts[pc.NEED_SOURCE] = pd.Series(sources, dtype=object)
    return facts.reset_index()


def candidates_recommendations(
    candidates: pd.DataFrame, basins: Mapping[str, Basin], *, user: User | None
) -> dict[str, dict[str, Any]]:
    """candidate_id → {concept, label, robustness, note, recommendation_id} for the candidates
    with a registered basin: its latest recorded recommendation, else one computed now by the
    recommendation service (`implantations.services.recommendation.recommendation_compute`, idempotent: one
    row per set of inputs) — recomputing every basin at each page view would cost about 0.7 s
    a basin. The others get none: the concepts' conditions rest on the hosts and partners
    recorded on a basin."""
    from implantations.models import Recommendation
    from implantations.services.recommendation import recommendation_compute

    out: dict[str, dict[str, Any]] = {}
    for cid in candidates[pc.CANDIDATE_ID]:
        basin = basins.get(cid)
        if basin is None:
            continue
        try:
            reco = Recommendation.objects.filter(basin=basin).order_by(
                "-created_at", "-id"
            ).first() or recommendation_compute(basin=basin, user=user)
        except ApplicationError as exc:
            out[cid] = {"concept": None, "note": exc.message}
            continue
        except Exception:  # noqa: BLE001 — one basin's failure must not hide the region's plan
            logger.exception("recommendation of basin %s failed during planning", basin.pk)
            out[cid] = {"concept": None, "note": "recommandation indisponible (erreur de calcul)"}
            continue
        note = None
        honest = honesty.honest_document(reco.document or {})
        concept = reco.concept if honest.get("concept") else None
        if reco.concept and not concept:
            note = "aucune recommandation ferme : données insuffisantes pour comparer les concepts"
        elif not reco.concept:
            eligible = (reco.document or {}).get("eligible") or {}
            note = (
                "aucun concept recommandé : données insuffisantes pour les noter"
                if any(eligible.values())
                else "aucun concept ne remplit sa condition d'implantation (atouts du bassin "
                "à renseigner)"
            )
        out[cid] = {
            "concept": concept or None,
            "label": reco.label or None,
            "robustness": reco.robustness,
            "note": note,
            "recommendation_id": reco.pk,
        }
    return out
