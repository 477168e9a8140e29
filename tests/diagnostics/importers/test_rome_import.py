"""ROME referential end to end: codes, then job titles and domains as separate vintages that
never supersede the codes; the validation context then knows the ROME codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.models import ImportBatch, RomeAppellation, RomeCode, RomeDomain
from diagnostics.selectors.imports import validation_context_build
from tests.diagnostics.importers.reference_data import import_file

CODES_FILE = "rome_fap/unix_referentiel_code_rome_v460_utf8.csv"
APPELLATIONS_FILE = "rome_fap/unix_referentiel_appellation_v460_utf8.csv"
DOMAINS_FILE = "rome_fap/gip_code_rome_domaine_professionnel.csv"
Status = ImportBatch.Status

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.django_db,
    pytest.mark.usefixtures("media_root"),
]


def test_rome_codes_titles_domains_imported_and_in_context(open_data_dir: Path) -> None:
    raw_codes = pd.read_csv(open_data_dir / CODES_FILE, dtype=str)
    raw_titles = pd.read_csv(open_data_dir / APPELLATIONS_FILE, dtype=str)

    refused_titles = import_file(open_data_dir / APPELLATIONS_FILE, None)
    codes = import_file(open_data_dir / CODES_FILE, None)
    titles = import_file(open_data_dir / APPELLATIONS_FILE, None)
    domains = import_file(open_data_dir / DOMAINS_FILE, None)
    codes.refresh_from_db()

    assert refused_titles.status == Status.REJECTED
    assert "importez d'abord les codes ROME" in refused_titles.error_message
    assert [b.kind for b in (codes, titles, domains)] == ["rome"] * 3
    assert [b.status for b in (codes, titles, domains)] == [Status.DONE] * 3
    assert [b.vintage for b in (codes, titles, domains)] == [
        "v460",
        "v460-appellations",
        "rome-domaines",
    ]
    assert RomeCode.objects.current().count() == raw_codes["code_rome"].nunique()
    assert RomeAppellation.objects.current().count() == len(raw_titles)
    assert RomeDomain.objects.current().filter(level="grand_domaine").count() == 14
    assert RomeCode.objects.current().get(code="M1805").domaine_code == "M18"
    assert validation_context_build().rome == frozenset(raw_codes["code_rome"])
