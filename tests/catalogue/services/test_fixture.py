"""The illustrative catalogue: loaded idempotently, labelled illustrative, no invented RNCP code,
and (on the real data) every occupation code exists in the official referentials."""

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from catalogue.models import BMO_CODE_RE, Sector, TrainingPath
from catalogue.services.catalogue import FIXTURE_PATH, CatalogueError, catalogue_load_fixture


def fixture_data() -> dict:
    return json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))


def test_fixture_is_an_illustrative_catalogue_of_about_fifty_paths() -> None:
    data = fixture_data()

    assert data["illustrative"] is True
    assert "ILLUSTRATIF" in data["notice"]
    assert len(data["sectors"]) == 15
    assert 45 <= len(data["paths"]) <= 60
    # No official RNCP / RS code is invented.
    assert all(not p.get("rncp") for p in data["paths"])
    # Every sector has paths; the DOC module and the Passe numérique are there.
    assert {p["sector"] for p in data["paths"]} == {s["code"] for s in data["sectors"]}
    titles = " ".join(p["title"] for p in data["paths"])
    assert "Module DOC" in titles and "Passe numérique" in titles
    # Every path says what it is for; boot-camps have rolling entries.
    known = {"professionnalisation", "montee_competences", "remise_niveau", "reconversion", "vae",
             "bootcamp"}  # fmt: skip
    assert all(p["purposes"] and set(p["purposes"]) <= known for p in data["paths"])
    assert {p for path in data["paths"] for p in path["purposes"]} == known
    assert all(p.get("rolling") for p in data["paths"] if "bootcamp" in p["purposes"])


@pytest.mark.django_db
def test_catalogue_load_fixture_loads_then_changes_nothing_on_a_second_run() -> None:
    data = fixture_data()

    first = catalogue_load_fixture()
    history_rows = TrainingPath.history.count()
    second = catalogue_load_fixture()

    assert (first.sectors, first.paths, first.created) == (
        15,
        len(data["paths"]),
        len(data["paths"]),
    )
    assert (second.created, second.updated) == (0, 0)
    assert TrainingPath.history.count() == history_rows
    assert TrainingPath.objects.filter(illustrative=True).count() == len(data["paths"])
    assert Sector.objects.filter(illustrative=True).count() == 15
    doc = TrainingPath.objects.get(code="ORI-01")
    assert (doc.bmo_codes, doc.rome_codes, doc.cpf_eligible) == ([], [], False)
    accounting = TrainingPath.objects.get(code="CPT-01")
    assert accounting.bmo_codes == ["L1X60", "L1Z60"]
    assert set(accounting.concepts.values_list("code", flat=True)) == {"clef_en_main"}


@pytest.mark.django_db
def test_catalogue_load_fixture_bad_file_writes_nothing(tmp_path: Path) -> None:
    data = fixture_data()
    data["paths"][3]["rome"] = ["M18O5"]  # letter O
    data["paths"][5]["modalities"] = ["visio"]
    bad = tmp_path / "catalogue.json"
    bad.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CatalogueError) as error:
        catalogue_load_fixture(path=bad)

    assert "rien n'a été écrit" in error.value.message
    assert f"Parcours {data['paths'][5]['code']}" in error.value.message
    assert "modalité inconnu(s) : visio" in error.value.message
    assert TrainingPath.objects.count() == 0
    assert Sector.objects.count() == 0


@pytest.mark.realdata
def test_fixture_codes_exist_in_the_real_referentials(open_data_dir: Path) -> None:
    data = fixture_data()
    rome = {
        row["code_rome"]
        for row in csv.DictReader(
            (open_data_dir / "rome_fap" / "unix_referentiel_code_rome_v460_utf8.csv").open(
                encoding="utf-8"
            )
        )
    }
    fap = set(
        pd.read_csv(
            open_data_dir / "fap_nomenclature" / "dares_nomenclature_fap2021.csv", dtype=str
        )["code_fap_228"]
    )
    bmo_2023 = set(
        pd.read_excel(
            open_data_dir / "bmo" / "Base_open_data_BMO_2023.xlsx",
            sheet_name="BMO_2023_open_data",
            engine="calamine",
            usecols=["Code métier BMO"],
            dtype=str,
        )["Code métier BMO"]
    )

    unknown = []
    for path in data["paths"]:
        for code in path["bmo"]:
            assert BMO_CODE_RE.match(code)
            known = bmo_2023 if code[2] == "Z" else fap
            if code not in known:
                unknown.append((path["code"], code))
        unknown += [(path["code"], code) for code in path["rome"] if code not in rome]

    assert unknown == []
    linked = [p for p in data["paths"] if p["bmo"] or p["rome"]]
    assert len(linked) >= 45


@pytest.mark.django_db
def test_catalogue_choices_ensure_brings_back_flushed_lists() -> None:
    from catalogue.models import Concept, Modality
    from catalogue.services.catalogue import catalogue_choices_ensure

    Modality.objects.filter(code="distance").delete()
    Concept.objects.update(label="Libellé modifié")

    catalogue_choices_ensure()

    assert list(Modality.objects.values_list("code", flat=True)) == [
        "presentiel",
        "hybride",
        "alternance",
        "distance",
    ]
    # Labels edited in the admin are kept.
    assert set(Concept.objects.values_list("label", flat=True)) == {"Libellé modifié"}
