import json
import shutil
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from shapely.geometry import Polygon, box, shape

from diagnostics.analytics import columns as c
from diagnostics.errors import ApplicationError
from diagnostics.importers.territories import FILES
from diagnostics.models import (
    BassinBmo,
    Commune,
    CommuneCodeChange,
    Departement,
    Epci,
    Region,
    TerritoryLoad,
    ZoneEmploi,
)
from diagnostics.services.territories import territories_load, territories_store
from diagnostics.services.territory_loads import load_summary
from tests.diagnostics.importers.bmo_samples import bmo_row, write_bmo
from tests.diagnostics.importers.territory_samples import POPULATIONS, write_open_data

pytestmark = pytest.mark.django_db

MODELS = (Region, Departement, Epci, ZoneEmploi, BassinBmo, Commune, CommuneCodeChange)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _by_dataset(loads: list[TerritoryLoad]) -> dict[str, TerritoryLoad]:
    return {load.dataset: load for load in loads}


def _regions(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=c.REGION_COLUMNS)


def _communes(*rows: dict) -> pd.DataFrame:
    base = {
        c.NAME: "Commune",
        c.DEPARTEMENT_CODE: None,
        c.REGION_CODE: None,
        c.POPULATION: 100,
        c.POPULATION_VINTAGE: 2026,
        c.LATITUDE: None,
        c.LONGITUDE: None,
        c.COG_VINTAGE: 2025,
        c.EPCI_CODE: None,
        c.ZONE_EMPLOI_CODE: None,
        c.BASSIN_BMO_CODE: None,
    }
    return pd.DataFrame([{**base, **row} for row in rows], columns=c.COMMUNE_COLUMNS)


# --- territories_store -----------------------------------------------------------------------


def test_store_upserts_without_duplicates_and_updates_changed_values():
    first = territories_store(
        frames={"regions": _regions(("44", "Grand Est"), ("53", "Bretagne"))}, source="test"
    )
    assert [(load.dataset, load.status, load.rows) for load in first] == [("regions", "done", 2)]
    assert first[0].details["created"] == 2

    second = territories_store(
        frames={"regions": _regions(("44", "Grand-Est"), ("53", "Bretagne"))}, source="test"
    )

    assert Region.objects.count() == 2
    assert Region.objects.get(code="44").name == "Grand-Est"
    details = second[0].details
    assert (details["created"], details["updated"], details["unchanged"]) == (0, 1, 1)
    assert TerritoryLoad.objects.filter(dataset="regions").count() == 2


def test_store_missing_column_refuses_the_dataset_and_names_the_column():
    territories_store(frames={"regions": _regions(("44", "Grand Est"))}, source="test")
    frame = pd.DataFrame({c.CODE: ["44", "53"]})

    loads = territories_store(frames={"regions": frame}, source="test")

    load = loads[0]
    assert load.status == TerritoryLoad.Status.FAILED
    assert "« régions »" in load.message
    assert "« name »" in load.message
    assert load.details["missing_columns"] == ["name"]
    assert list(Region.objects.values_list("code", "name")) == [("44", "Grand Est")]


def test_store_refused_dataset_leaves_previous_rows_untouched_and_others_load():
    territories_store(
        frames={
            "regions": _regions(("44", "Grand Est")),
            "communes": _communes({c.CODE: "52121", c.NAME: "Chaumont", c.POPULATION: 20827}),
        },
        source="test",
    )
    bad = _communes(
        {c.CODE: "52121", c.NAME: "Chaumont", c.POPULATION: 99},
        {c.CODE: "52001", c.NAME: "Ageville", c.POPULATION: -5},
        {c.CODE: "52002", c.NAME: "Ailleurs", c.LATITUDE: 123.0, c.LONGITUDE: 5.0},
        {c.CODE: "1001", c.NAME: "Sans zéro"},
    )

    loads = _by_dataset(
        territories_store(
            frames={"regions": _regions(("44", "Grand Est"), ("53", "Bretagne")), "communes": bad},
            source="test",
        )
    )

    assert loads["regions"].status == TerritoryLoad.Status.DONE
    assert Region.objects.count() == 2
    refused = loads["communes"]
    assert refused.status == TerritoryLoad.Status.FAILED
    assert "52001 : -5" in refused.message
    assert "52002 : 123.0" in refused.message
    assert "« 1001 »" in refused.message
    # Nothing of the refused dataset was written: Chaumont keeps its population.
    assert list(Commune.objects.values_list("code", "population")) == [("52121", 20827)]
    assert "commune_cells" not in loads


def test_store_departement_of_an_unknown_region_is_refused():
    territories_store(frames={"regions": _regions(("44", "Grand Est"))}, source="test")
    frame = pd.DataFrame(
        [("52", "Haute-Marne", "44"), ("35", "Ille-et-Vilaine", "53")],
        columns=c.DEPARTEMENT_COLUMNS,
    )

    load = territories_store(frames={"departements": frame}, source="test")[0]

    assert load.status == TerritoryLoad.Status.FAILED
    assert "région(s) inconnue(s) 53" in load.message
    assert Departement.objects.count() == 0


def test_store_unknown_dataset_is_an_error():
    with pytest.raises(ApplicationError, match="inconnu"):
        territories_store(frames={"cantons": pd.DataFrame()}, source="test")


def test_store_repairs_invalid_zone_polygons_and_counts_them():
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    frame = pd.DataFrame(
        [("0001", "Nœud", bowtie), ("0002", "Carré", box(2, 0, 3, 1)), ("0101", "Outre-mer", None)],
        columns=c.ZONE_EMPLOI_COLUMNS,
    )

    loads = _by_dataset(territories_store(frames={"zones_emploi": frame}, source="test"))

    load = loads["zones_emploi"]
    assert load.details["repaired"] == 1
    assert load.details["repaired_codes"] == ["0001"]
    assert load.details["with_geometry"] == 2
    knot = ZoneEmploi.objects.get(code="0001")
    assert knot.geometry_repaired is True
    assert knot.bbox == (0.0, 0.0, 1.0, 1.0)
    assert shape(knot.geometry).is_valid
    assert shape(knot.geometry).area == pytest.approx(0.5)
    assert ZoneEmploi.objects.get(code="0002").geometry_repaired is False
    assert ZoneEmploi.objects.get(code="0101").geometry is None
    assert loads["commune_cells"].status == TerritoryLoad.Status.DONE


def test_store_commune_cells_clip_voronoi_to_the_zone():
    zones = pd.DataFrame([("0001", "Équateur", box(0, 0, 1, 1))], columns=c.ZONE_EMPLOI_COLUMNS)
    communes = _communes(
        {c.CODE: "00001", c.LONGITUDE: 0.25, c.LATITUDE: 0.5, c.ZONE_EMPLOI_CODE: "0001"},
        {c.CODE: "00002", c.LONGITUDE: 0.75, c.LATITUDE: 0.5, c.ZONE_EMPLOI_CODE: "0001"},
        {c.CODE: "00003", c.ZONE_EMPLOI_CODE: "0001"},  # no centre
    )

    loads = _by_dataset(
        territories_store(frames={"zones_emploi": zones, "communes": communes}, source="test")
    )

    cells = loads["commune_cells"]
    assert (cells.rows, cells.details["without_cell"]) == (2, 1)
    west = Commune.objects.get(code="00001")
    assert west.geometry_approximate is True
    assert west.bbox == (0.0, 0.0, 0.5, 1.0)
    assert shape(west.geometry).area == pytest.approx(0.5)
    assert Commune.objects.get(code="00002").bbox == (0.5, 0.0, 1.0, 1.0)
    assert Commune.objects.get(code="00003").geometry is None


def test_store_commune_cells_do_not_overwrite_an_official_polygon():
    zones = pd.DataFrame([("0001", "Équateur", box(0, 0, 1, 1))], columns=c.ZONE_EMPLOI_COLUMNS)
    communes = _communes(
        {c.CODE: "00001", c.LONGITUDE: 0.25, c.LATITUDE: 0.5, c.ZONE_EMPLOI_CODE: "0001"},
        {c.CODE: "00002", c.LONGITUDE: 0.75, c.LATITUDE: 0.5, c.ZONE_EMPLOI_CODE: "0001"},
    )
    territories_store(frames={"zones_emploi": zones}, source="test")
    official = {"type": "Polygon", "coordinates": [[[0, 0], [0.4, 0], [0.4, 1], [0, 1], [0, 0]]]}
    Commune.objects.create(
        code="00001", name="Officielle", geometry=official, geometry_approximate=False
    )

    territories_store(frames={"communes": communes}, source="test")

    kept = Commune.objects.get(code="00001")
    assert kept.geometry == official and kept.geometry_approximate is False
    assert Commune.objects.get(code="00002").geometry_approximate is True


def test_store_commune_with_unknown_zone_keeps_the_commune_without_link():
    communes = _communes(
        {c.CODE: "52121", c.NAME: "Chaumont", c.ZONE_EMPLOI_CODE: "4404", c.DEPARTEMENT_CODE: "52"}
    )

    load = territories_store(frames={"communes": communes}, source="test")[0]

    assert load.status == TerritoryLoad.Status.DONE
    chaumont = Commune.objects.get(code="52121")
    assert chaumont.zone_emploi_id is None and chaumont.departement_id is None
    assert load.details["unknown_references"]["zone_emploi_code"] == {"count": 1, "codes": ["4404"]}


def test_store_code_changes_keeps_every_part_of_a_split_commune():
    frame = pd.DataFrame(
        [("15141", "15031", 2025), ("15141", "15035", 2025), ("52002", "52001", 2025)],
        columns=c.CODE_CHANGE_COLUMNS,
    )

    territories_store(frames={"code_changes": frame}, source="test")
    again = territories_store(frames={"code_changes": frame}, source="test")[0]

    assert CommuneCodeChange.objects.count() == 3
    assert sorted(
        CommuneCodeChange.objects.filter(old_code="15141").values_list("new_code", flat=True)
    ) == [
        "15031",
        "15035",
    ]
    assert (again.details["created"], again.details["unchanged"]) == (0, 3)


# --- territories_load on the miniature open-data folder ---------------------------------------


@pytest.fixture
def open_data(tmp_path: Path) -> Path:
    return write_open_data(tmp_path / "data")


def test_load_miniature_folder(open_data: Path):
    loads = _by_dataset(territories_load(source_dir=open_data))

    assert {name: load.status for name, load in loads.items()} == {
        "regions": "done",
        "departements": "done",
        "epci": "done",
        "zones_emploi": "done",
        "bassins_bmo": "done",
        "communes": "done",
        "code_changes": "done",
        "commune_cells": "done",
    }
    assert _counts() == {
        "Region": 4,
        "Departement": 4,
        "Epci": 4,
        "ZoneEmploi": 4,
        "BassinBmo": 4,
        "Commune": 6,
        "CommuneCodeChange": 1,
    }
    chaumont = Commune.objects.get(code="52121")
    assert (chaumont.zone_emploi_id, chaumont.bassin_bmo_id, chaumont.epci_id) == (
        "4404",
        "4418",
        "200068658",
    )
    assert (chaumont.population, chaumont.population_vintage, chaumont.cog_vintage) == (
        20827,
        2026,
        2025,
    )
    assert (chaumont.departement_id, chaumont.region_id) == ("52", "44")
    # 1001 in the files -> 01001; 52002 (old code in the ZE composition) -> 52001.
    assert Commune.objects.get(code="01001").zone_emploi_id == "8405"
    assert Commune.objects.get(code="52001").zone_emploi_id == "4404"
    communes = loads["communes"].details
    assert communes["zones_emploi_codes"]["remapped"] == 1
    assert communes["zones_emploi_codes"]["unknown_codes"] == ["99999"]
    assert communes["bassins_bmo_codes"]["ignored"] == 1  # 52999, a commune déléguée
    assert (communes["remapped"], communes["unknown"]) == (1, 1)
    assert loads["communes"].source_file.endswith(FILES["cog_communes"])
    assert len(loads["communes"].sha256) == 64
    # The bow tie of 8405 was repaired and counted; 0101 has no polygon.
    assert loads["zones_emploi"].details["repaired_codes"] == ["8405"]
    assert ZoneEmploi.objects.get(code="8405").geometry_repaired is True
    assert ZoneEmploi.objects.get(code="0101").geometry is None
    assert ZoneEmploi.objects.get(code="5319").name == "Vitré"
    assert BassinBmo.objects.get(code="0101").region_id == "01"
    assert Epci.objects.get(code="249710047").nature == "ME"
    # Cells for the 5 metropolitan communes; Basse-Terre's zone has no polygon.
    assert loads["commune_cells"].rows == 5
    assert Commune.objects.get(code="97105").geometry is None
    zone_4404 = Commune.objects.filter(zone_emploi="4404")
    assert (
        zone_4404.aggregate(total=Sum("population"))["total"]
        == POPULATIONS["52121"] + POPULATIONS["52001"]
    )
    area = sum(shape(g).area for g in zone_4404.values_list("geometry", flat=True))
    assert area == pytest.approx(0.5 * 0.4, abs=1e-3)  # the 4404 box: 0.5° × 0.4°


def test_load_twice_creates_no_duplicates(open_data: Path):
    territories_load(source_dir=open_data)
    before = _counts()
    geometry_before = Commune.objects.get(code="52121").geometry

    loads = _by_dataset(territories_load(source_dir=open_data))

    assert _counts() == before
    for name in ("regions", "departements", "epci", "zones_emploi", "bassins_bmo", "communes"):
        assert loads[name].details["created"] == 0, name
        assert loads[name].details["updated"] == 0, name
    assert loads["commune_cells"].details["updated"] == 0
    assert Commune.objects.get(code="52121").geometry == geometry_before


def test_load_missing_file_is_named_and_the_rest_loads(open_data: Path):
    missing = open_data / FILES["bassins_bmo"]
    missing.unlink()

    loads = _by_dataset(territories_load(source_dir=open_data))

    for name in ("bassins_bmo", "communes"):
        assert loads[name].status == TerritoryLoad.Status.MISSING
        assert str(missing) in loads[name].message
        assert loads[name].details["missing_files"] == [str(missing)]
    assert loads["bassins_bmo"].source_file == str(missing)
    for name in ("regions", "departements", "epci", "zones_emploi", "code_changes"):
        assert loads[name].status == TerritoryLoad.Status.DONE
    assert ZoneEmploi.objects.count() == 4
    assert Commune.objects.count() == 0


def test_load_unreadable_file_fails_its_datasets_only(open_data: Path):
    (open_data / FILES["departements"]).write_text(
        "dep;libelle\n52;Haute-Marne\n", encoding="utf-8"
    )

    loads = _by_dataset(territories_load(source_dir=open_data, only=["regions", "departements"]))

    assert loads["regions"].status == TerritoryLoad.Status.DONE
    assert loads["departements"].status == TerritoryLoad.Status.FAILED
    assert "gip_seed_insee_departements.csv" in loads["departements"].message
    assert "« dep »" in loads["departements"].message
    assert Departement.objects.count() == 0


def test_load_adds_the_bassins_only_the_bmo_files_name(open_data: Path):
    bmo = open_data / "bmo"
    bmo.mkdir()
    # 4418 is in the commune table (its name there wins); 7549 and 9399 only in the BMO files,
    # the 2025 file's name of 7549 is kept over the 2024 one.
    write_bmo(
        bmo / "Base_open_data_BMO_2024.xlsx",
        [bmo_row("A0X40", "4418", "1", "0", "0"), bmo_row("A0X40", "7549", "1", "0", "0")],
        year=2024,
    )
    write_bmo(
        bmo / "Base_open_data_BMO_2025.xlsx",
        [bmo_row("A0X40", "7549", "1", "0", "0"), bmo_row("A0X40", "9399", "2", "1", "0")],
    )
    (bmo / "notes.xlsx").write_text("pas un fichier BMO", encoding="utf-8")

    loads = _by_dataset(territories_load(source_dir=open_data))
    again = _by_dataset(territories_load(source_dir=open_data, only=["bassins_bmo"]))

    load = loads["bassins_bmo"]
    assert load.status == TerritoryLoad.Status.DONE
    assert load.rows == 6
    assert load.details["bmo_only_bassins"] == {
        "count": 2,
        "codes": ["7549 BASSIN 7549", "9399 BASSIN 9399"],
    }
    assert load.details["bmo_files"] == [
        "Base_open_data_BMO_2024.xlsx",
        "Base_open_data_BMO_2025.xlsx",
    ]
    assert [Path(f["path"]).name for f in load.details["files"]] == [
        "bassin_emploi.csv",
        "Base_open_data_BMO_2024.xlsx",
        "Base_open_data_BMO_2025.xlsx",
    ]
    assert all(len(f["sha256"]) == 64 for f in load.details["files"])
    assert dict(BassinBmo.objects.values_list("code", "name")) == {
        "0101": "BASSIN BASSE-TERRE",
        "4418": "CHAUMONT",
        "5317": "VITRE",
        "8410": "BOURG EN BRESSE",
        "7549": "BASSIN 7549",
        "9399": "BASSIN 9399",
    }
    assert BassinBmo.objects.get(code="9399").region_id == "44"
    assert not Commune.objects.filter(bassin_bmo__in=["7549", "9399"]).exists()
    assert (again["bassins_bmo"].details["created"], again["bassins_bmo"].details["updated"]) == (
        0,
        0,
    )
    assert "2 bassins issus des fichiers BMO (sans communes connues)" in load_summary(load)


def test_load_bad_bmo_file_refuses_the_bassins_naming_it(open_data: Path):
    (open_data / "bmo").mkdir()
    write_bmo(
        open_data / "bmo" / "Base_open_data_BMO_2025.xlsx",
        [bmo_row("A0X40", "9399", "1", "0", "0")],
        drop_column="REG",
    )

    loads = _by_dataset(territories_load(source_dir=open_data, only=["regions", "bassins_bmo"]))

    assert loads["regions"].status == TerritoryLoad.Status.DONE
    assert loads["bassins_bmo"].status == TerritoryLoad.Status.FAILED
    assert "Base_open_data_BMO_2025.xlsx" in loads["bassins_bmo"].message
    assert "« REG » absente(s)" in loads["bassins_bmo"].message
    assert BassinBmo.objects.count() == 0


def test_load_falls_back_to_the_epci_xlsx(tmp_path: Path):
    root = write_open_data(tmp_path / "data", with_epci_xlsx=True)
    (root / FILES["epci_json"]).unlink()

    loads = _by_dataset(territories_load(source_dir=root, only=["epci"]))

    assert loads["epci"].status == TerritoryLoad.Status.DONE
    assert loads["epci"].source_file.endswith(FILES["epci_xlsx"])
    assert sorted(Epci.objects.values_list("code", flat=True)) == [
        "200039022",
        "200046977",
        "200068658",
    ]


def test_load_only_unknown_dataset_and_missing_folder(tmp_path: Path):
    with pytest.raises(ApplicationError, match="cantons"):
        territories_load(source_dir=tmp_path, only=["cantons"])
    with pytest.raises(ApplicationError, match="introuvable"):
        territories_load(source_dir=tmp_path / "nulle-part")


# --- the command ---------------------------------------------------------------------------------


def test_command_prints_one_line_per_dataset(open_data: Path):
    out = StringIO()

    call_command("load_territories", "--source", str(open_data), stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 8
    assert lines[0].startswith("régions : chargé, 4 lignes")
    assert any(
        line.startswith("zones d'emploi : chargé, 4 lignes") and "1 géométries réparées" in line
        for line in lines
    )
    assert any("1 codes remappés, 1 inconnus" in line for line in lines)


def test_command_json_output(open_data: Path):
    out, err = StringIO(), StringIO()

    call_command(
        "load_territories",
        "--source",
        str(open_data),
        "--only",
        "regions",
        "epci",
        "--json",
        stdout=out,
        stderr=err,
    )

    data = json.loads(out.getvalue())
    assert [(d["dataset"], d["status"], d["rows"]) for d in data] == [
        ("regions", "done", 4),
        ("epci", "done", 4),
    ]
    assert "régions : chargé" in err.getvalue()


def test_command_exit_code_when_a_dataset_is_refused(open_data: Path):
    (open_data / FILES["regions"]).write_text(
        "reg,libelle\n44,Grand Est\n44,Doublon\n", encoding="utf-8"
    )
    out = StringIO()

    with pytest.raises(CommandError, match="refusé.*regions"):
        call_command(
            "load_territories", "--source", str(open_data), "--json", stdout=out, stderr=StringIO()
        )

    data = json.loads(out.getvalue())
    assert data[0]["dataset"] == "regions" and data[0]["status"] == "failed"
    assert "en double" in data[0]["message"]


def test_command_missing_file_is_not_a_failure(open_data: Path):
    shutil.rmtree(open_data / "ze2020_geometry")
    out = StringIO()

    call_command(
        "load_territories", "--source", str(open_data), "--only", "zones_emploi", stdout=out
    )

    assert "zones d'emploi : fichier absent" in out.getvalue()
    assert "ze2020_2025_metropole.geojson" in out.getvalue()
