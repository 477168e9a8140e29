"""Lycées end to end: the reduced national extract and the full dep-35 schema are two vintages
in force side by side; the official flag is stored only where published."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.models import ImportBatch, Lycee
from tests.diagnostics.importers.reference_data import (  # noqa: F401  (fixtures)
    import_file,
    territories,
)

FULL_FILE = "annuaire_education/msimonin_fr-en-annuaire-education_dep35.csv"
REDUCED_FILE = "annuaire_education/odis_lycees_france_coords.csv"
Status = ImportBatch.Status

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.django_db,
    pytest.mark.usefixtures("territories", "media_root"),
]


def test_lycees_both_layouts_imported_side_by_side(open_data_dir: Path) -> None:
    full = pd.read_csv(open_data_dir / FULL_FILE, sep=";", dtype=str, encoding="utf-8-sig")
    reduced = pd.read_csv(open_data_dir / REDUCED_FILE, dtype=str)
    lyc = full[full["Type_etablissement"] == "Lycée"]

    national = import_file(open_data_dir / REDUCED_FILE, None)
    dep35 = import_file(open_data_dir / FULL_FILE, None)

    assert (national.kind, national.status, national.vintage) == (
        "lycees",
        Status.DONE,
        "reduit-france",
    )
    assert (dep35.kind, dep35.status, dep35.vintage) == ("lycees", Status.DONE, "officiel-35")
    current = Lycee.objects.current()
    assert (
        current.filter(batch=national).count()
        == reduced["identifiant_de_l_etablissement"].nunique()
    )
    assert current.filter(batch=dep35).count() == lyc["Identifiant_de_l_etablissement"].nunique()
    pro_35 = lyc.loc[lyc["Voie_professionnelle"] == "1", "Identifiant_de_l_etablissement"]
    assert current.filter(batch=dep35, voie_professionnelle=True).count() == pro_35.nunique()
    assert not current.filter(batch=national).exclude(voie_professionnelle=None).exists()
    guessed = reduced.groupby("identifiant_de_l_etablissement")["nom_suggere_pro"].apply(
        lambda s: s.eq("True").any()
    )
    assert current.filter(batch=national, vocational_guess_from_name=True).count() == int(
        guessed.sum()
    )
    champagne = current.get(batch=dep35, uai="0350709F")
    assert champagne.voie_professionnelle is True and champagne.commune_code == "35360"
    assert champagne.latitude is not None
    chaumont = set(current.filter(commune_code="52121").values_list("uai", flat=True))
    assert {"0520008B", "0520844K", "0521032P"} <= chaumont
