"""FAP 2021 end to end: four levels stored; the same nomenclature in its other published layout
supersedes the first (same vintage) and keeps it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.models import FapCode, ImportBatch
from diagnostics.selectors.imports import validation_context_build
from tests.diagnostics.importers.reference_data import import_file

SEMICOLON_FILE = "fap_nomenclature/Intitules_FAP2021.csv"
COMMA_FILE = "fap_nomenclature/dares_nomenclature_fap2021.csv"
Status = ImportBatch.Status

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.django_db,
    pytest.mark.usefixtures("media_root"),
]


def test_fap_imported_then_superseded_by_the_other_layout(open_data_dir: Path) -> None:
    raw = pd.read_csv(open_data_dir / SEMICOLON_FILE, sep=";", dtype=str, encoding="utf-8-sig")

    first = import_file(open_data_dir / SEMICOLON_FILE, None)
    second = import_file(open_data_dir / COMMA_FILE, None)
    first.refresh_from_db()

    assert (first.kind, first.vintage, first.status) == ("fap", "2021", Status.SUPERSEDED)
    assert (second.status, second.supersedes_id) == (Status.DONE, first.pk)
    current = FapCode.objects.current()
    assert current.count() == sum(raw[c].nunique() for c in raw.columns[::2]) == 677
    assert FapCode.objects.filter(batch=first).count() == 677  # kept
    assert current.get(level=228, code="A0X41").label == "Eleveurs"
    assert validation_context_build().fap == frozenset(
        set(raw["Code_FAP228"]) | set(raw["Code_FAP341"])
    )
