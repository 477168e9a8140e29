"""Reads for dataset imports: who may import what, batch lists, error reports, the validation
context (known codes) given to importers, and current facts as DataFrames for the analytics.

Who may import (documented in docs/imports.md): national admins and regional delegates import
every kind — labour-market data is national, so they see every batch; catalogue admins curate the
reference nomenclatures and import only `rome` and `fap` (they see those batches only). Other
roles have no access.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
from django.db.models import QuerySet

from diagnostics.importers.contract import HINT_NOTE, ValidationContext
from diagnostics.models import (
    BassinBmo,
    BmoFact,
    ChomageZeFact,
    Commune,
    CommuneCodeChange,
    DatasetKind,
    Departement,
    Epci,
    FapCode,
    ImportBatch,
    IndicatorFact,
    Region,
    Role,
    RomeCode,
    ZoneEmploi,
)

CATALOGUE_KINDS = ("rome", "fap")
REPORT_PAGE_SIZE = 500
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def import_kinds_for(user: Any) -> list[str]:
    """Dataset kinds `user` may import (empty: no access to the import pages)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser or user.role in (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE):
        return list(DatasetKind.values)
    if user.role == Role.CATALOGUE_ADMIN:
        return list(CATALOGUE_KINDS)
    return []


def import_batch_list(*, user: Any, kind: str | None = None) -> QuerySet[ImportBatch]:
    """Batches `user` may see, newest first."""
    kinds = import_kinds_for(user)
    qs = ImportBatch.objects.select_related("uploaded_by", "supersedes")
    if set(kinds) != set(DatasetKind.values):
        qs = qs.filter(kind__in=kinds)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def import_batch_retry_allowed(*, batch: ImportBatch, user: Any) -> bool:
    """Whether `user` may run `batch` again (the « Relancer l'import » button): a refused or
    failed batch whose file is kept, of a kind `user` may import (a batch whose kind was never
    recognised: only those who may import every kind, since detection may pick any)."""
    if batch.status not in (ImportBatch.Status.REJECTED, ImportBatch.Status.FAILED):
        return False
    if not batch.file_path:
        return False
    kinds = import_kinds_for(user)
    return batch.kind in kinds if batch.kind else set(kinds) == set(DatasetKind.values)


def import_batch_progress(batch: ImportBatch) -> dict[str, Any]:
    """What the progress endpoint returns (and the page polls)."""
    return {
        "id": batch.pk,
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "kind": batch.kind,
        "kind_label": batch.get_kind_display() if batch.kind else "",
        "running": batch.is_running,
        "percent": batch.progress_percent,
        "step": batch.progress_step,
        "rows_read": batch.rows_read,
        "rows_written": batch.rows_written,
        "rows_rejected": batch.rows_rejected,
        "errors_total": batch.errors_total,
        "error_message": batch.error_message,
    }


def import_batch_notes(batch: ImportBatch) -> list[tuple[str, str]]:
    """The reader's notes as (label, text) for the page (the refusal advice is shown apart)."""
    out = []
    for key, value in (batch.notes or {}).items():
        if key == HINT_NOTE:
            continue
        if isinstance(value, dict):
            text = " ; ".join(f"{k} : {v}" for k, v in value.items())
        elif isinstance(value, list):
            text = ", ".join(
                " ".join(str(v) for v in (item.get("code"), item.get("name")) if v)
                if isinstance(item, dict)
                else str(item)
                for item in value
            )
        else:
            text = str(value)
        out.append((str(key), text or "—"))
    return out


def import_batch_option_labels(batch: ImportBatch) -> list[str]:
    """The options chosen for a batch, in words (the key when the importer gives no label)."""
    from diagnostics.importers.registry import import_options

    labels = {key: label for _, key, label in import_options([batch.kind] if batch.kind else None)}
    return [labels.get(key, key) for key, on in (batch.options or {}).items() if on]


def import_report_page(
    batch: ImportBatch, *, limit: int = REPORT_PAGE_SIZE
) -> list[dict[str, Any]]:
    return list(batch.error_report[:limit])


def _csv_cell(value: Any) -> str:
    """Text safe to open in a spreadsheet: a cell starting like a formula is quoted with `'`."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def import_report_csv(batch: ImportBatch) -> str:
    """The error report as CSV (UTF-8 with BOM for Excel, `;`): ligne, colonne, valeur, règle.
    A file-level refusal is one row without a line number."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["ligne", "colonne", "valeur", "règle"])
    if not batch.error_report and batch.error_message:
        writer.writerow(["", "", "", _csv_cell(batch.error_message)])
    for error in batch.error_report:
        writer.writerow(
            [
                error.get("line") if error.get("line") is not None else "",
                _csv_cell(error.get("column")),
                _csv_cell(error.get("value")),
                _csv_cell(error.get("rule")),
            ]
        )
    return buffer.getvalue()


def validation_context_build(*, options: dict[str, Any] | None = None) -> ValidationContext:
    """Known codes from the territory referential (and the nomenclatures when loaded)."""
    changes = dict(CommuneCodeChange.objects.order_by("year").values_list("old_code", "new_code"))
    return ValidationContext(
        communes=frozenset(Commune.objects.values_list("code", flat=True)),
        code_changes=changes,
        zones_emploi=frozenset(ZoneEmploi.objects.values_list("code", flat=True)),
        bassins_bmo=frozenset(BassinBmo.objects.values_list("code", flat=True)),
        departements=frozenset(Departement.objects.values_list("code", flat=True)),
        regions=frozenset(Region.objects.values_list("code", flat=True)),
        epci=frozenset(Epci.objects.values_list("code", flat=True)),
        # Nomenclatures in force (empty until imported): FAP 228/341 codes (BMO métiers are
        # FAP 228 codes), ROME codes.
        fap=frozenset(
            FapCode.objects.current().filter(level__in=(228, 341)).values_list("code", flat=True)
        ),
        rome=frozenset(RomeCode.objects.current().values_list("code", flat=True)),
        options=dict(options or {}),
    )


# --- Current facts as frames (ORM → analytics columns) ----------------------------------------

BMO_FRAME_COLUMNS = [
    "year",
    "bassin_code",
    "departement_code",
    "metier_code",
    "metier_label",
    "famille_code",
    "met",
    "xmet",
    "smet",
    "met_masked",
    "xmet_masked",
    "smet_masked",
]


def bmo_current_frame(
    *, bassin_codes: list[str] | None = None, years: list[int] | None = None
) -> pd.DataFrame:
    """Current BMO cells (batches in force), one row per bassin × département × métier.
    Secret cells are NA with their `*_masked` flag."""
    qs = BmoFact.objects.current()
    if bassin_codes is not None:
        qs = qs.filter(bassin_code__in=bassin_codes)
    if years is not None:
        qs = qs.filter(year__in=years)
    frame = pd.DataFrame.from_records(
        qs.order_by("year", "bassin_code", "departement_code", "metier_code").values_list(
            *BMO_FRAME_COLUMNS
        ),
        columns=BMO_FRAME_COLUMNS,
    )
    for measure in ("met", "xmet", "smet"):
        frame[measure] = frame[measure].astype("Int64")
    return frame


CHOMAGE_FRAME_COLUMNS = ["zone_emploi_code", "period", "year", "quarter", "rate"]


def chomage_current_frame(*, zone_emploi_codes: list[str] | None = None) -> pd.DataFrame:
    """Current quarterly unemployment rates (%) per zone d'emploi."""
    qs = ChomageZeFact.objects.current()
    if zone_emploi_codes is not None:
        qs = qs.filter(zone_emploi_code__in=zone_emploi_codes)
    return pd.DataFrame.from_records(
        qs.order_by("zone_emploi_code", "year", "quarter").values_list(*CHOMAGE_FRAME_COLUMNS),
        columns=CHOMAGE_FRAME_COLUMNS,
    )


INDICATOR_FRAME_COLUMNS = [
    "level",
    "code",
    "period",
    "indicator",
    "value",
    "masked",
    "unit",
    "source",
]


def indicator_current_frame(
    *, level: str | None = None, codes: list[str] | None = None, indicator: str | None = None
) -> pd.DataFrame:
    qs = IndicatorFact.objects.current()
    if level:
        qs = qs.filter(level=level)
    if codes is not None:
        qs = qs.filter(code__in=codes)
    if indicator:
        qs = qs.filter(indicator=indicator)
    return pd.DataFrame.from_records(
        qs.order_by("indicator", "level", "code", "period").values_list(*INDICATOR_FRAME_COLUMNS),
        columns=INDICATOR_FRAME_COLUMNS,
    )
