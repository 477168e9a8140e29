"""Reads of the catalogue: paths and their filters, the occupation referentials used to check
codes, the local offers of a basin. The gap of a basin is in `catalogue.selectors.gap`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from catalogue.models import (
    BMO_CODE_RE,
    ROME_CODE_RE,
    Concept,
    LocalOffer,
    Modality,
    Pillar,
    Purpose,
    Sector,
    TargetPublic,
    TrainingPath,
    code_format_errors,
)
from diagnostics.models import (
    Basin,
    BmoFact,
    FapCode,
    RomeCode,
)

# --- Paths ------------------------------------------------------------------------------------

PATH_PREFETCH = ("modalities", "purposes", "pillars", "publics", "concepts")


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
    purpose: str = "",
    rncp: str = "",
    rolling: str = "",
    include_archived: bool = False,
) -> QuerySet[TrainingPath]:
    """Paths of the catalogue with the page's filters (codes; empty = any). `level` is 4, 5, 6
    or « sans » (no level); `cpf` and `rolling` (entrées permanentes) « oui » or « non »;
    `rncp` « avec » (an RNCP or RS code) or « sans »."""
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
    if purpose:
        qs = qs.filter(purposes__code=purpose)
    if rncp == "avec":
        qs = qs.exclude(rncp_code="")
    elif rncp == "sans":
        qs = qs.filter(rncp_code="")
    if rolling in ("oui", "non"):
        qs = qs.filter(rolling_entries=rolling == "oui")
    return qs.distinct().order_by("sector__order", "sector__name", "title")


@dataclass(frozen=True)
class FilterChoices:
    sectors: list[tuple[str, str]]
    levels: list[tuple[str, str]]
    modalities: list[tuple[str, str]]
    pillars: list[tuple[str, str]]
    publics: list[tuple[str, str]]
    concepts: list[tuple[str, str]]
    purposes: list[tuple[str, str]]


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
        purposes=pairs(Purpose),
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


# --- The run's tables -------------------------------------------------------------------------


# --- The gap of a basin -----------------------------------------------------------------------


def catalogue_version() -> tuple[Any, ...]:
    """What changes when the catalogue does (the gap reads it; keys the cached report
    fragments, `diagnostics.selectors.page_cache`). In one query: every table of the app, its
    row count and highest key (each save or deletion of a path, of its lists, of a sector or a
    local offer writes a history row, so a new highest key), the paths' last change, and the
    fixed lists (a few rows each) whole, so that a label edited in the admin counts too."""
    from django.apps import apps
    from django.db import connection

    quote = connection.ops.quote_name

    def text(sql: str) -> str:
        return f"CAST({sql} AS TEXT)"

    parts = []
    for model in apps.get_app_config("catalogue").get_models():
        table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
        parts.append(
            f"SELECT '{model._meta.db_table}', {text('COUNT(*)')}, {text(f'MAX({pk})')} FROM {table}"
        )
    parts.append(
        f"SELECT 'paths', {text('COUNT(*)')}, {text('MAX(' + quote('updated_at') + ')')} "
        f"FROM {quote(TrainingPath._meta.db_table)}"
    )
    for model in (Modality, Pillar, TargetPublic, Purpose, Concept):
        parts.append(
            f"SELECT {quote('code')}, {text(quote('order'))}, {quote('label')} "
            f"FROM {quote(model._meta.db_table)}"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return tuple(sorted(tuple(str(v) for v in row) for row in cursor.fetchall()))
