"""Reads of the gap between a basin's needs and the catalogue: the ORM → analytics frames (paths,
local supply, the diagnostic run's tables) and the gap report of a basin.

The gap of a basin is computed from its latest done diagnostic run (`diagnostic_latest_done`),
so that it shows the figures of the report; a basin without one gets a clear error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
from django.db.models import Prefetch

from catalogue.analytics import columns as g
from catalogue.analytics.gap import GapResult, gap_filter, training_gap
from catalogue.analytics.gap_params import GapParams
from catalogue.analytics.gap_records import gap_records
from catalogue.analytics.reconversion import (
    RECONVERSION_BONUS,
    reconversion_boost,
    reconversion_rule,
)
from catalogue.models import (
    Concept,
    TargetPublic,
    TrainingPath,
)
from catalogue.selectors.catalogue import local_offer_list
from diagnostics.analytics.columns import BASSIN_BMO_CODE
from diagnostics.analytics.crosswalk import basin_crosswalk
from diagnostics.analytics.tension import basin_tension_frame
from diagnostics.errors import ApplicationError
from diagnostics.models import (
    Basin,
    Commune,
    DiagnosticRun,
    IndicatorFact,
)
from diagnostics.selectors.diagnostic_frames import crosswalk_frame, tension_frame
from diagnostics.selectors.diagnostics import diagnostic_latest_done

# Generic indicator import (kind `indicator`): `offre_formation.<PATH CODE>` gives the places
# per year of that path delivered in a territory. Counted for a basin at commune level (its
# communes) or at the level of a zone that contains one of its communes (EPCI, zone d'emploi,
# bassin BMO); département and region figures are not local supply.
SUPPLY_INDICATOR_PREFIX = "offre_formation."

SUPPLY_LEVELS = ("commune", "epci", "zone_emploi", "bassin_bmo")


class GapError(ApplicationError):
    code = "gap_error"


def _strip_zeros(code: str) -> str:
    return code.lstrip("0") or "0"


@dataclass(frozen=True)
class SupplyItem:
    """One offer of the local supply, as the gap page lists it."""

    title: str
    provider: str
    places: int
    source: str
    path_code: str
    origin: str  # « saisie » or « import d'indicateurs »


def basin_supply(basin: Basin) -> tuple[pd.DataFrame, list[SupplyItem]]:
    """SUPPLY_COLUMNS of the basin (local offers recorded on it, and places imported through
    the generic indicator import), and the same offers for display."""
    paths = {
        p.pk: p for p in TrainingPath.objects.only("id", "code", "title", "bmo_codes", "rome_codes")
    }
    by_code = {p.code: p for p in paths.values()}
    rows: list[tuple[Any, tuple[str, ...], tuple[str, ...], int]] = []
    items: list[SupplyItem] = []
    for offer in local_offer_list(basin):
        path = paths.get(offer.path_id) if offer.path_id else None
        bmo = tuple(offer.bmo_codes or (path.bmo_codes if path else []))
        rome = tuple(offer.rome_codes or (path.rome_codes if path else []))
        rows.append((offer.path_id, bmo, rome, offer.places_per_year))
        items.append(
            SupplyItem(
                title=offer.display_title,
                provider=offer.provider,
                places=offer.places_per_year,
                source=offer.source,
                path_code=path.code if path else "",
                origin="saisie",
            )
        )

    communes = list(
        basin.communes.values_list("code", "epci_id", "zone_emploi_id", "bassin_bmo_id")
    )
    zones = {
        "commune": {code for code, *_ in communes},
        "epci": {epci for _, epci, _, _ in communes if epci},
        "zone_emploi": {ze for _, _, ze, _ in communes if ze},
        "bassin_bmo": {_strip_zeros(b) for *_, b in communes if b},
    }
    facts = (
        IndicatorFact.objects.current()
        .filter(indicator__startswith=SUPPLY_INDICATOR_PREFIX, level__in=SUPPLY_LEVELS)
        .order_by("indicator", "level", "code", "-period")
        .values_list("indicator", "level", "code", "period", "value", "source")
    )
    seen: set[tuple[str, str, str]] = set()
    for indicator, level, code, _period, value, source in facts:
        key = (indicator, level, code)
        if key in seen:
            continue  # the latest period only
        seen.add(key)
        geo = _strip_zeros(code) if level == "bassin_bmo" else code
        if geo not in zones[level] or value is None:
            continue
        path = by_code.get(indicator.removeprefix(SUPPLY_INDICATOR_PREFIX).upper())
        if path is None:
            continue
        places = int(round(value))
        rows.append((path.pk, tuple(path.bmo_codes), tuple(path.rome_codes), places))
        items.append(
            SupplyItem(
                title=path.title,
                provider=source or "—",
                places=places,
                source=f"indicateur {indicator} ({level} {code})",
                path_code=path.code,
                origin="import d'indicateurs",
            )
        )
    frame = pd.DataFrame(rows, columns=g.SUPPLY_COLUMNS)
    return frame, items


def run_table_frame(tables: Mapping[str, Any] | None, name: str) -> pd.DataFrame | None:
    """A table of a diagnostic run ({"columns", "rows"}) as a frame; None when absent."""
    payload = (tables or {}).get(name)
    if not payload or not payload.get("columns"):
        return None
    rows = payload.get("rows") or []
    columns = list(payload["columns"])
    if rows and isinstance(rows[0], Mapping):
        return pd.DataFrame.from_records(rows, columns=columns)
    return pd.DataFrame(rows, columns=columns)


def run_rome_tension_frame(run: DiagnosticRun) -> pd.DataFrame | None:
    """Per ROME code of the run's basin: job seekers (A, B, C), offers, the published DARES
    tension and its factors, from the tension batches the run used, moved to the basin exactly
    as the engine does (`basin_tension_frame`: counts apportioned by population, factors
    averaged). The run's `tension_dares` table has the same factors but not the counts; it is
    the fallback for a run without recorded tension batches."""
    batch_ids = [b.pk for b in run.batches.all() if b.kind == "tensions"]
    if not batch_ids:
        return run_table_frame(run.tables, "tension_dares")
    codes = sorted(run.basin.communes.values_list("code", flat=True))
    bassins = set(
        Commune.objects.filter(code__in=codes, bassin_bmo__isnull=False).values_list(
            "bassin_bmo_id", flat=True
        )
    )
    if not codes or not bassins:
        return None
    zone_communes = set(
        Commune.objects.filter(bassin_bmo_id__in=bassins).values_list("code", flat=True)
    )
    crosswalk = basin_crosswalk(
        crosswalk_frame(codes=sorted(zone_communes | set(codes))),
        basin_communes=codes,
        zoning="bassin_bmo",
    )
    tension = tension_frame(batch_ids=batch_ids)
    local = tension[tension[BASSIN_BMO_CODE].isin(set(crosswalk.zone_codes))]
    if local.empty:
        return None
    return basin_tension_frame(local, crosswalk=crosswalk)


def run_is_estimated(run: DiagnosticRun) -> bool:
    bmo = (run.results or {}).get("bmo") or {}
    return bool(bmo.get("estimated"))


def paths_frame(paths: Iterable[TrainingPath]) -> pd.DataFrame:
    """PATH_COLUMNS of `paths` (many-to-many prefetched)."""
    rows = [
        (
            p.pk,
            p.code,
            p.title,
            p.sector.name,
            tuple(x.code for x in p.concepts.all()),
            tuple(x.code for x in p.publics.all()),
            tuple(p.bmo_codes or ()),
            tuple(p.rome_codes or ()),
        )
        for p in paths
    ]
    return pd.DataFrame(rows, columns=g.PATH_COLUMNS)


@dataclass
class GapReport:
    """The gap of a basin for the pages, the command and the API."""

    basin: Basin
    run: DiagnosticRun
    result: GapResult
    lines: pd.DataFrame  # filtered by concept / public
    concept: str = ""
    public: str = ""
    supply: list[SupplyItem] = field(default_factory=list)
    estimated: bool = False

    @property
    def records(self) -> list[dict[str, Any]]:
        return gap_records(self.lines)

    @property
    def ranked_count(self) -> int:
        return int(self.lines[g.RANK].notna().sum())


def gap_for_run(
    run: DiagnosticRun,
    *,
    concept: str = "",
    public: str = "",
    params: GapParams | None = None,
) -> GapReport:
    """The gap of the run's basin from that run's tables and the current catalogue."""
    if run.status != DiagnosticRun.Status.DONE:
        raise GapError(f"Le diagnostic n° {run.pk} n'est pas terminé : pas d'écart calculable.")
    if concept and not Concept.objects.filter(code=concept).exists():
        raise GapError(
            f"Concept inconnu : « {concept} » (possibles : "
            f"{', '.join(Concept.objects.values_list('code', flat=True))})."
        )
    if public and not TargetPublic.objects.filter(code=public).exists():
        raise GapError(
            f"Public inconnu : « {public} » (possibles : "
            f"{', '.join(TargetPublic.objects.values_list('code', flat=True))})."
        )
    basin = run.basin
    paths = (
        TrainingPath.objects.filter(status=TrainingPath.Status.ACTIVE)
        .select_related("sector")
        .prefetch_related(
            Prefetch("concepts", queryset=Concept.objects.order_by("order")),
            Prefetch("publics", queryset=TargetPublic.objects.order_by("order")),
        )
        .order_by("code")
    )
    supply, items = basin_supply(basin)
    estimated = run_is_estimated(run)
    tables = run.tables or {}
    catalogue = paths_frame(paths)
    result = training_gap(
        catalogue,
        bmo=run_table_frame(tables, "bmo_metiers"),
        metier_tension=run_table_frame(tables, "tension_metiers"),
        rome_tension=run_rome_tension_frame(run),
        supply=supply,
        params=params,
        estimated=estimated,
    )
    targets = run_table_frame(tables, "prospective_bridge_targets")
    if targets is not None:
        # A run with the prospective section: reconversion-oriented paths weigh more (issue 17).
        result = replace(
            result,
            lines=reconversion_boost(
                result.lines, targets, paths=catalogue, bonus=RECONVERSION_BONUS
            ),
            method=f"{result.method} {reconversion_rule(bonus=RECONVERSION_BONUS)}",
        )
    lines = gap_filter(result.lines, concept=concept or None, public=public or None)
    return GapReport(
        basin=basin,
        run=run,
        result=result,
        lines=lines,
        concept=concept,
        public=public,
        supply=items,
        estimated=estimated,
    )


def basin_gap(
    basin: Basin,
    *,
    concept: str = "",
    public: str = "",
    params: GapParams | None = None,
) -> GapReport:
    """The gap of `basin` from its latest done diagnostic run."""
    run = diagnostic_latest_done(basin.pk)
    if run is None:
        raise GapError(
            f"Aucun diagnostic terminé pour le bassin « {basin.name} » : lancez d'abord son "
            "diagnostic, l'écart se calcule à partir de ses résultats.",
            code="no_diagnostic",
        )
    return gap_for_run(run, concept=concept, public=public, params=params)


def gap_document(report: GapReport) -> dict[str, Any]:
    """The JSON document of `gap --json` and of the API."""
    run = report.run
    return {
        "basin": {"id": report.basin.pk, "name": report.basin.name},
        "diagnostic": {
            "id": run.pk,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "engine_version": run.engine_version,
        },
        "filters": {"concept": report.concept or None, "public": report.public or None},
        "estimated": report.estimated,
        "parameters": report.result.params.as_dict(),
        "method": report.result.method,
        "warnings": list(report.result.warnings),
        "ranked": report.ranked_count,
        "lines": report.records,
        "local_supply": [
            {
                "title": item.title,
                "provider": item.provider,
                "places": item.places,
                "source": item.source,
                "path_code": item.path_code or None,
                "origin": item.origin,
            }
            for item in report.supply
        ],
        "illustrative_catalogue": TrainingPath.objects.filter(
            illustrative=True, status=TrainingPath.Status.ACTIVE
        ).exists(),
    }
