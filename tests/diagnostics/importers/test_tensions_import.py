"""Tensions end to end: the ROME referential first (the tensions' codes are checked against it),
then both published vintages, stored values checked against the raw files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from django.db.models import Count, Sum

from diagnostics.importers import tensions
from diagnostics.models import ImportBatch, RomeCode, TensionFact
from tests.diagnostics.importers.reference_data import (  # noqa: F401  (fixtures)
    import_file,
    territories,
)

ROME_FILE = "rome_fap/unix_referentiel_code_rome_v460_utf8.csv"
FILE_2021 = "tensions_bassin_metier/mobiville_tensions_rome_bassin_2021.csv"
FILE_2019 = "tensions_bassin_metier/mobiville_tensions_fap_rome_bassin_2019_utf8.csv"
Status = ImportBatch.Status

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.django_db,
    pytest.mark.usefixtures("territories", "media_root"),
]


def number(series: pd.Series) -> pd.Series:
    return (
        series.str.replace("\xa0", "", regex=False).str.replace(",", ".", regex=False).astype(float)
    )


def test_tensions_refused_before_the_rome_referential_then_imported(open_data_dir: Path) -> None:
    raw = pd.read_csv(open_data_dir / FILE_2021, sep=";", dtype=str)
    options = {tensions.OPTION_KEEP_UNKNOWN_BASSINS: True}

    early = import_file(open_data_dir / FILE_2021, "tensions", options=options)
    rome = import_file(open_data_dir / ROME_FILE, "rome")
    batch = import_file(open_data_dir / FILE_2021, "tensions", options=options)

    assert early.status == Status.REJECTED and "référentiel ROME" in early.error_message
    assert rome.status == Status.DONE and RomeCode.objects.current().count() == 1584
    assert batch.status == Status.DONE, (batch.error_message, batch.error_report[:3])
    assert batch.vintage == "2021"
    stored = TensionFact.objects.current()
    assert stored.count() == len(raw)
    sums = stored.aggregate(
        offers=Sum("job_offers"),
        seekers=Sum("job_seekers_abc"),
        tension=Sum("tension"),
        link=Count("training_job_link"),
    )
    assert sums["offers"] == pytest.approx(number(raw["oee"]).sum())
    assert sums["seekers"] == pytest.approx(number(raw["defm_abc"]).sum())
    assert sums["tension"] == raw["ind_tension_d"].astype(int).sum()
    assert sums["link"] == raw["ind_specif_form_empl_d"].notna().sum()
    chaumont = raw[raw["cbassin"] == "4418"]
    assert stored.filter(bassin_code="4418").count() == len(chaumont)
    assert (
        stored.filter(bassin_code="4418").aggregate(s=Sum("tension"))["s"]
        == chaumont["ind_tension_d"].astype(int).sum()
    )
    assert stored.filter(bassin_known=False).count() == batch.notes[tensions.NOTE_OUTSIDE_LINES]


def test_tensions_2019_kept_beside_2021_factors_unknown(open_data_dir: Path) -> None:
    raw = pd.read_csv(open_data_dir / FILE_2019, sep=";", dtype=str)
    import_file(open_data_dir / ROME_FILE, "rome")

    batch = import_file(open_data_dir / FILE_2019, "tensions")

    assert batch.status == Status.DONE, (batch.error_message, batch.error_report[:3])
    stored = TensionFact.objects.current().filter(year=2019)
    assert stored.count() == len(raw)
    assert stored.aggregate(s=Sum("job_offers"))["s"] == number(raw["oee"]).sum()
    assert not stored.exclude(hiring_intensity=None).exists()
    assert stored.filter(missing_indicators__contains="working_conditions").count() == len(raw)
