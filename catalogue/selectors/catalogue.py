"""Reads of the catalogue: paths and their filters, the occupation referentials used to check
codes, the ORM → analytics frames of the gap (paths, local supply, the diagnostic run's
tables) and the gap report of a basin.

The gap of a basin is computed from its latest done diagnostic run (`diagnostic_latest_done`),
so that it shows the figures of the report; a basin without one gets a clear error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import Prefetch, Q, QuerySet

from catalogue.analytics import columns as g
from catalogue.analytics.gap import GapParams, GapResult, gap_filter, gap_records, training_gap
from catalogue.models import (
    BMO_CODE_RE,
    ROME_CODE_RE,
    Concept,
    LocalOffer,
    Modality,
    Pillar,
    Sector,
    TargetPublic,
    TrainingPath,
    code_format_errors,
)
from diagnostics.analytics.columns import BASSIN_BMO_CODE
from diagnostics.analytics.crosswalk import basin_crosswalk
from diagnostics.analytics.tension import basin_tension_frame
from diagnostics.errors import ApplicationError
from diagnostics.models import (
    Basin,
    BmoFact,
    Commune,
    DiagnosticRun,
    FapCode,
    IndicatorFact,
    RomeCode,
)
from diagnostics.selectors.diagnostics import crosswalk_frame, diagnostic_latest_done, tension_frame

# Generic indicator import (kind `indicator`): `offre_formation.<PATH CODE>` gives the places
# per year of that path delivered in a territory. Counted for a basin at commune level (its
# communes) or at the level of a zone that contains one of its communes (EPCI, zone d'emploi,
# bassin BMO); département and region figures are not local supply.
SUPPLY_INDICATOR_PREFIX = "offre_formation."
SUPPLY_LEVELS = ("commune", "epci", "zone_emploi", "bassin_bmo")


class GapError(ApplicationError):
    code = "gap_error"


# --- Paths ------------------------------------------------------------------------------------

PATH_PREFETCH = ("modalities", "pillars", "publics", "concepts")


def path_list(
    *,
    q: str = "",
    sector: str = "",
    level: str = "",
    modality: str = "",
    pillar: str = "",
    public: str = "",
    concept: str = "",
    cpf: str = "",
    include_archived: bool = False,
) -> QuerySet[TrainingPath]:
    """Paths of the catalogue with the page's filters (codes; empty = any). `level` is 4, 5, 6
    or « sans » (no level); `cpf` « oui » or « non »."""
    qs = TrainingPath.objects.select_related("sector").prefetch_related(*PATH_PREFETCH)
    if not include_archived:
        qs = qs.filter(status=TrainingPath.Status.ACTIVE)
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(code__icontains=q)
            | Q(description__icontains=q)
            | Q(sector__name__icontains=q)
        )
    if sector:
        qs = qs.filter(sector__code=sector)
    if level == "sans":
        qs = qs.filter(level__isnull=True)
    elif level:
        qs = qs.filter(level=level)
    if modality:
        qs = qs.filter(modalities__code=modality)
    if pillar:
        qs = qs.filter(pillars__code=pillar)
    if public:
        qs = qs.filter(publics__code=public)
    if concept:
        qs = qs.filter(concepts__code=concept)
    if cpf in ("oui", "non"):
        qs = qs.filter(cpf_eligible=cpf == "oui")
    return qs.distinct().order_by("sector__order", "sector__name", "title")


@dataclass(frozen=True)
class FilterChoices:
    sectors: list[tuple[str, str]]
    levels: list[tuple[str, str]]
    modalities: list[tuple[str, str]]
    pillars: list[tuple[str, str]]
    publics: list[tuple[str, str]]
    concepts: list[tuple[str, str]]


def filter_choices() -> FilterChoices:
    def pairs(model: Any) -> list[tuple[str, str]]:
        return list(model.objects.order_by("order", "code").values_list("code", "label"))

    return FilterChoices(
        sectors=list(Sector.objects.order_by("order", "name").values_list("code", "name")),
        levels=[(str(v), str(label)) for v, label in TrainingPath.Level.choices]
        + [("sans", "Sans niveau (module)")],
        modalities=pairs(Modality),
        pillars=pairs(Pillar),
        publics=pairs(TargetPublic),
        concepts=pairs(Concept),
    )


def choice_labels(model: Any) -> dict[str, str]:
    return dict(model.objects.values_list("code", "label"))


# --- Occupation referentials ------------------------------------------------------------------


@dataclass(frozen=True)
class CodeReferential:
    """Known codes of the imported referentials (None: referential not loaded, only the format
    is checked). `bmo_legacy` holds the 2023 BMO codes (FAP 2009-based, `Z` third) found in the
    BMO facts: FAP 2021 does not list them."""

    bmo: frozenset[str] | None
    bmo_legacy: frozenset[str] | None
    rome: frozenset[str] | None
    notes: tuple[str, ...] = ()


def code_referential() -> CodeReferential:
    """Load the known codes once (for a whole import)."""
    fap = set(FapCode.objects.current().filter(level=228).values_list("code", flat=True).distinct())
    bmo_facts = set(BmoFact.objects.current().values_list("metier_code", flat=True).distinct())
    rome = set(RomeCode.objects.current().values_list("code", flat=True).distinct())
    legacy = {code for code in bmo_facts if len(code) >= 3 and code[2] == "Z"}
    modern = fap | (bmo_facts - legacy)
    notes = []
    if not modern:
        notes.append(
            "Référentiel FAP 2021 non chargé (ni nomenclature FAP ni données BMO) : seul le "
            "format des codes métier BMO est vérifié."
        )
    if not legacy:
        notes.append(
            "Aucune donnée BMO 2023 chargée : les codes métier de l'ancienne nomenclature "
            "(3e caractère « Z ») ne sont vérifiés que sur leur format."
        )
    if not rome:
        notes.append("Référentiel ROME non chargé : seul le format des codes ROME est vérifié.")
    return CodeReferential(
        bmo=frozenset(modern) or None,
        bmo_legacy=frozenset(legacy) or None,
        rome=frozenset(rome) or None,
        notes=tuple(notes),
    )


def occupation_code_errors(
    *,
    bmo_codes: Iterable[str],
    rome_codes: Iterable[str],
    referential: CodeReferential,
) -> dict[str, list[str]]:
    """{field: [French messages]} for codes of a bad format or absent from the referential."""
    bmo_codes, rome_codes = list(bmo_codes), list(rome_codes)
    errors: dict[str, list[str]] = {}
    bmo_format = code_format_errors(bmo_codes, pattern=BMO_CODE_RE, example="L1X60")
    rome_format = code_format_errors(rome_codes, pattern=ROME_CODE_RE, example="M1203")
    if bmo_format:
        errors["bmo_codes"] = bmo_format
    else:
        unknown = []
        for code in bmo_codes:
            known = referential.bmo_legacy if code[2] == "Z" else referential.bmo
            if known is not None and code not in known:
                unknown.append(code)
        if unknown:
            errors["bmo_codes"] = [
                "Code(s) métier BMO inconnu(s) de la nomenclature FAP 2021 et des données BMO "
                f"importées : {', '.join(unknown)}."
            ]
    if rome_format:
        errors["rome_codes"] = rome_format
    elif referential.rome is not None:
        unknown = [code for code in rome_codes if code not in referential.rome]
        if unknown:
            errors["rome_codes"] = [
                f"Code(s) ROME inconnu(s) du référentiel ROME importé : {', '.join(unknown)}."
            ]
    return errors


def occupation_labels(*, bmo_codes: Iterable[str], rome_codes: Iterable[str]) -> dict[str, str]:
    """Labels of the codes from the referentials (BMO facts first, then FAP 2021; ROME)."""
    bmo_codes, rome_codes = sorted(set(bmo_codes)), sorted(set(rome_codes))
    labels: dict[str, str] = {}
    for code, label in (
        FapCode.objects.current().filter(level=228, code__in=bmo_codes).values_list("code", "label")
    ):
        labels.setdefault(code, label)
    for code, label in (
        BmoFact.objects.current()
        .filter(metier_code__in=bmo_codes)
        .order_by("metier_code", "-year")
        .values_list("metier_code", "metier_label")
        .distinct()
    ):
        if label:
            labels.setdefault(code, label)
    for code, label in (
        RomeCode.objects.current().filter(code__in=rome_codes).values_list("code", "label")
    ):
        labels.setdefault(code, label)
    return labels


# --- Local supply -----------------------------------------------------------------------------


def local_offer_list(basin: Basin) -> QuerySet[LocalOffer]:
    return LocalOffer.objects.filter(basin=basin).select_related("path", "created_by")


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


# --- The run's tables -------------------------------------------------------------------------


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


# --- The gap of a basin -----------------------------------------------------------------------


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
    result = training_gap(
        paths_frame(paths),
        bmo=run_table_frame(tables, "bmo_metiers"),
        metier_tension=run_table_frame(tables, "tension_metiers"),
        rome_tension=run_rome_tension_frame(run),
        supply=supply,
        params=params,
        estimated=estimated,
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
