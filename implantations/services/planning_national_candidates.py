"""The candidates of the national planning (issue 16): which diagnosed basins of a zoning take
part, their need figures and their recommended concept (see `planning_national`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from django.utils import timezone

from diagnostics.models import Basin
from diagnostics.selectors.national import ZONING_LABELS
from implantations.analytics import honesty
from implantations.analytics import planning as p
from implantations.analytics import planning_columns as pc
from implantations.selectors import planning as plan_sel
from implantations.selectors import planning_national as sel

KIND_REFERENCE = "reference"
KIND_REGISTERED = "registered"
KIND_LABELS = {KIND_REFERENCE: "bassin de référence", KIND_REGISTERED: "bassin enregistré"}


def candidate_basins(
    zoning: str, *, include_registered: bool
) -> tuple[list[tuple[Basin, str, str]], list[str]]:
    """[(basin, kind, code)] of the diagnosed candidates, and notes."""
    notes: list[str] = []
    references = sel.reference_basins(zoning)
    registered = sel.registered_basins() if include_registered else []
    diagnosed = sel.diagnosed_basin_ids([b.pk for b in (*references, *registered)])
    # A registered basin made of exactly one zone of this zoning stands for that zone.
    replaced: set[str] = set()
    kept: list[tuple[Basin, str, str]] = []
    for basin in registered:
        if basin.pk not in diagnosed:
            continue
        codes = list(basin.source_codes or [])
        if basin.source_kind == zoning and len(codes) == 1:
            replaced.add(str(codes[0]))
        kept.append((basin, KIND_REGISTERED, str(basin.pk)))
    undiagnosed = 0
    for basin in references:
        code = str((basin.source_codes or [""])[0])
        if code in replaced:
            continue
        if basin.pk not in diagnosed:
            undiagnosed += 1
            continue
        kept.append((basin, KIND_REFERENCE, code))
    if not references:
        notes.append(
            f"Aucun bassin de référence pour le zonage « {ZONING_LABELS[zoning]} » : lancez le "
            "lot national de ce zonage (National → Lots) pour planifier sur toute la France."
        )
    if undiagnosed:
        notes.append(
            f"{undiagnosed} bassin{'s' if undiagnosed > 1 else ''} de référence sans diagnostic "
            f"terminé {'sont laissés' if undiagnosed > 1 else 'est laissé'} de côté : relancez "
            "le lot national de ce zonage."
        )
    if replaced:
        notes.append(
            f"{len(replaced)} zone{'s' if len(replaced) > 1 else ''} représentée"
            f"{'s' if len(replaced) > 1 else ''} par un bassin enregistré de même contour "
            "(avec ses atouts et sa recommandation) plutôt que par son bassin de référence."
        )
    return kept, notes


_COMMUNES_CACHE: dict[str, pd.DataFrame] = {}


def communes_frame() -> pd.DataFrame:
    """Every commune of France (≈ 35,000 rows, a second to read), kept per process until the
    territories are loaded again (the key holds the latest load's time); never kept without a
    recorded load (communes written by hand, as in the tests)."""
    key = plan_sel.territories_version()
    if not key:
        return plan_sel.planning_communes_frame()
    cached = _COMMUNES_CACHE.get(key)
    if cached is None:
        _COMMUNES_CACHE.clear()
        cached = _COMMUNES_CACHE[key] = plan_sel.planning_communes_frame()
    return cached.copy()


def candidate_need(
    *,
    membership: pd.DataFrame,
    communes: pd.DataFrame,
    bmo_totals: pd.DataFrame,
    basins: Mapping[str, tuple[Basin, str]],
) -> pd.DataFrame:
    """Need per candidate: the basin's diagnostic (atlas figures of a reference basin, the run's
    document of a registered one), else the imported facts moved through the communes."""
    facts = p.candidate_need(
        membership,
        communes,
        bmo_totals=bmo_totals,
        unemployment=plan_sel.planning_unemployment_latest(),
    ).set_index(pc.CANDIDATE_ID)
    # Rows are gathered then written once per column: a `.loc` write per cell took seconds on
    # the ~300 zones d'emploi.
    sources: dict[str, str] = {}
    for cid, year, period in zip(
        facts.index, facts[pc.BMO_YEAR], facts[pc.UNEMPLOYMENT_PERIOD], strict=True
    ):
        parts = []
        if pd.notna(year):
            parts.append(f"BMO {int(year)}")
        if pd.notna(period):
            parts.append(f"chômage {period}")
        sources[cid] = "données importées (" + ", ".join(parts) + ")" if parts else "aucune donnée"
    overrides: dict[str, dict[str, Any]] = {}
    reference_ids = {b.pk: cid for cid, (b, kind) in basins.items() if kind == KIND_REFERENCE}
    for basin_id, figures in sel.atlas_figures(reference_ids).items():
        cid = reference_ids[basin_id]
        difficulty = figures.get("bmo_difficulty_rate")
        values = {
            pc.UNEMPLOYMENT_RATE: figures.get("unemployment_rate"),
            pc.PROJECTS_PER_1000: figures.get("bmo_projects_per_1000"),
            # The atlas keeps the difficulty rate in %, the planning as a share.
            pc.DIFFICULTY_RATE: None if difficulty is None else float(difficulty) / 100,
        }
        if cid not in facts.index or all(v is None for v in values.values()):
            continue
        year = figures.get("bmo_projects_period")
        overrides[cid] = {
            **values,
            pc.UNEMPLOYMENT_PERIOD: figures.get("unemployment_rate_period") or None,
            pc.BMO_YEAR: int(year) if year and str(year).isdigit() else None,
        }
        sources[cid] = f"diagnostic n° {figures['run_id']} (lot national)"
    registered = {b.pk: cid for cid, (b, kind) in basins.items() if kind == KIND_REGISTERED}
    for basin_id, run in plan_sel.latest_done_runs(registered).items():
        cid = registered[basin_id]
        need = plan_sel.run_need(run)
        if need is None or cid not in facts.index:
            continue
        overrides[cid] = {
            column: need[column]
            for column in (
                pc.UNEMPLOYMENT_RATE,
                pc.PROJECTS_PER_1000,
                pc.DIFFICULTY_RATE,
                pc.UNEMPLOYMENT_PERIOD,
                pc.BMO_YEAR,
            )
        }
        finished = (
            timezone.localtime(run.finished_at).strftime("%d/%m/%Y") if run.finished_at else ""
        )
        sources[cid] = f"diagnostic n° {run.pk}" + (f" du {finished}" if finished else "")
    if overrides:
        frame = pd.DataFrame.from_dict(overrides, orient="index")
        for column in (pc.UNEMPLOYMENT_RATE, pc.PROJECTS_PER_1000, pc.DIFFICULTY_RATE):
            known_values = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
            facts[column] = (
                known_values.reindex(facts.index).fillna(facts[column]).astype("Float64")
            )
        period = frame[pc.UNEMPLOYMENT_PERIOD].where(frame[pc.UNEMPLOYMENT_PERIOD].notna())
        known = period.dropna()
        facts.loc[known.index, pc.UNEMPLOYMENT_PERIOD] = known.astype(object)
        years = pd.to_numeric(frame[pc.BMO_YEAR], errors="coerce").dropna().astype("int64")
        facts.loc[years.index, pc.BMO_YEAR] = years.to_numpy()
    facts[pc.NEED_SOURCE] = pd.Series(sources, dtype=object)
    return facts.reset_index()


def candidate_concepts(
    ranked: pd.DataFrame, basins: Mapping[str, tuple[Basin, str]]
) -> dict[str, dict[str, Any]]:
    """candidate_id → the concept of its basin's latest recorded recommendation (honesty rules:
    none when the scores are not conclusive)."""
    ids = {b.pk: cid for cid, (b, _) in basins.items()}
    out: dict[str, dict[str, Any]] = {}
    for basin_id, reco in sel.latest_recommendations(ids).items():
        honest = honesty.honest_document(reco.document or {})
        concept = reco.concept if honest.get("concept") else None
        out[ids[basin_id]] = {
            "concept": concept or None,
            "label": reco.label or None,
            "robustness": reco.robustness,
        }
    return out
