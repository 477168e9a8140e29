"""What a diagnostic run was computed from: its import batches by kind, and the sources of its
method section (label, vintages, licence, each file). Read by the run's document
(`services.diagnostic_document`) and by the national batches (`services.national_compute`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from diagnostics.analytics.synthetic_file_common import DEMO_OPTION
from diagnostics.models import DiagnosticRun, ImportBatch
from diagnostics.selectors.diagnostics import (
    DIAGNOSTIC_KINDS,
    LICENCE,
    LICENCE_URL,
    SOURCE_LABELS,
)

SOURCE_SHORT_LABELS = {
    "bmo": "BMO",
    "chomage_ze": "Chômage (Insee)",
    "defm": "Demandeurs d'emploi",
    "tensions": "Tensions (Dares)",
    "population_age": "Population par âge (Insee)",
    "defm_secteur": "Demandeurs par secteur",
}


def diagnostic_batch_ids(run: DiagnosticRun) -> dict[str, list[int]]:
    """The run's import batches by kind (every diagnostic kind present, maybe empty)."""
    ids: dict[str, list[int]] = {kind: [] for kind in DIAGNOSTIC_KINDS}
    for batch_id, kind in run.batches.values_list("pk", "kind"):
        ids.setdefault(kind, []).append(batch_id)
    return ids


def diagnostic_sources(run: DiagnosticRun) -> dict[str, dict[str, Any]]:
    """The method section's sources: label, vintages, licence, and each batch (file, date)."""
    out: dict[str, dict[str, Any]] = {}
    batches: Iterable[ImportBatch] = run.batches.order_by("kind", "vintage", "id")
    for batch in batches:
        entry = out.setdefault(
            batch.kind,
            {
                "label": SOURCE_LABELS.get(batch.kind, batch.get_kind_display()),
                "licence": LICENCE,
                "licence_url": LICENCE_URL,
                "vintages": [],
                "batches": [],
            },
        )
        if batch.vintage and batch.vintage not in entry["vintages"]:
            entry["vintages"].append(batch.vintage)
        entry["batches"].append(
            {
                "id": batch.pk,
                "file_name": batch.file_name,
                "vintage": batch.vintage,
                "period": batch.period,
                "nomenclature": batch.nomenclature,
                "imported_at": batch.finished_at.isoformat() if batch.finished_at else None,
                "imported_on": (
                    timezone.localtime(batch.finished_at).strftime("%d/%m/%Y")
                    if batch.finished_at
                    else None
                ),
                "sha256": batch.sha256,
                # Invented by the demo generator: the report says so instead of a licence.
                "demo": bool((batch.options or {}).get(DEMO_OPTION)),
            }
        )
        entry["demo"] = entry.get("demo", False) or entry["batches"][-1]["demo"]
    for kind, entry in out.items():
        entry["vintage"] = ", ".join(entry["vintages"])
        entry["short_label"] = SOURCE_SHORT_LABELS.get(kind, kind)
    return out
