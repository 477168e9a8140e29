import json
from pathlib import Path

import pandas as pd
import pytest

from diagnostics.analytics import columns as c
from diagnostics.errors import ApplicationError
from diagnostics.importers import territories as t
from diagnostics.importers import (
    territory_bmo_bassins,
    territory_cog,
    territory_files,
    territory_zonings,
)

from .bmo_samples import bmo_row, write_bmo
from .territory_samples import (
    CENTROIDS_CSV,
    ZE_COMPOSITION_SHEET,
    ZE_SHEET,
    write_insee_xlsx,
    write_open_data,
    write_text,
)


@pytest.fixture
def open_data(tmp_path: Path) -> Path:
    return write_open_data(tmp_path / "data", with_epci_xlsx=True)


def test_territory_file_error_is_an_application_error():
    assert issubclass(territory_files.TerritoryFileError, ApplicationError)


def test_read_regions_and_departements_restore_leading_zeros(open_data: Path):
    regions = territory_cog.read_regions(open_data / t.FILES["regions"])
    departements = territory_cog.read_departements(open_data / t.FILES["departements"])

    assert regions[c.CODE].tolist() == ["01", "44", "53", "84"]
    assert regions.loc[regions[c.CODE] == "84", c.NAME].item() == "Auvergne-Rhône-Alpes"
    assert departements.to_dict("records") == [
        {c.CODE: "01", c.NAME: "Ain", c.REGION_CODE: "84"},
        {c.CODE: "35", c.NAME: "Ille-et-Vilaine", c.REGION_CODE: "53"},
        {c.CODE: "52", c.NAME: "Haute-Marne", c.REGION_CODE: "44"},
        {c.CODE: "971", c.NAME: "Guadeloupe", c.REGION_CODE: "01"},
    ]


def test_read_cog_communes_keeps_communes_and_normalises_codes(open_data: Path):
    cog = territory_cog.read_cog_communes(open_data / t.FILES["cog_communes"])

    assert cog.communes[c.CODE].tolist() == ["01001", "35001", "35360", "52001", "52121", "97105"]
    first = cog.communes.iloc[0]
    assert (first[c.NAME], first[c.DEPARTEMENT_CODE], first[c.REGION_CODE]) == (
        "L'Abergement-Clémenciat",
        "01",
        "84",
    )
    # The commune déléguée is not a commune, but its code is known.
    assert cog.infra_codes == frozenset({"52999"})


def test_read_populations_keeps_communes_actuelles(open_data: Path):
    populations = territory_cog.read_populations(open_data / t.FILES["populations"])

    assert len(populations) == 6
    assert populations.set_index(c.CODE)[c.POPULATION].to_dict()["52121"] == 20827
    assert "52999" not in set(populations[c.CODE])
    assert str(populations[c.POPULATION].dtype) == "Int64"


def test_read_centroids_semicolon_file(open_data: Path):
    centroids = territory_cog.read_centroids(open_data / t.FILES["centroids"])

    chaumont = centroids.set_index(c.CODE).loc["52121"]
    assert (chaumont[c.LATITUDE], chaumont[c.LONGITUDE]) == (48.1, 5.14)
    assert centroids[c.CODE].iloc[0] == "01001"


def test_read_code_changes_drops_unchanged_codes_and_other_levels(open_data: Path):
    changes = territory_cog.read_code_changes(open_data / t.FILES["code_changes"])

    assert changes.to_dict("records") == [{c.OLD_CODE: "52002", c.NEW_CODE: "52001", c.YEAR: 2025}]


def test_read_zones_emploi_finds_the_header_after_title_lines(open_data: Path):
    zoning = territory_zonings.read_zones_emploi(open_data / t.FILES["zones_emploi"])

    assert zoning.zones.to_dict("records") == [
        {c.CODE: "0101", c.NAME: "Basse-Terre"},
        {c.CODE: "4404", c.NAME: "Chaumont"},
        {c.CODE: "5319", c.NAME: "Vitré"},
        {c.CODE: "8405", c.NAME: "Bourg-en-Bresse"},
    ]
    composition = zoning.composition.set_index(c.CODE)[c.ZONE_EMPLOI_CODE].to_dict()
    assert composition["52121"] == "4404"
    assert composition["52002"] == "4404"  # still the old code: remapped by the service
    assert len(composition) == 7


def test_read_ze_geometry_geojson(open_data: Path):
    frame = territory_zonings.read_ze_geometry(open_data / t.FILES["ze_geometry"])

    assert frame[c.CODE].tolist() == ["4404", "5319", "8405"]
    assert frame[c.GEOMETRY][0].bounds == (5.0, 47.9, 5.5, 48.3)
    assert not frame[c.GEOMETRY][2].is_valid  # repaired by the service, not here


def test_read_bassins_bmo_zones_and_composition(open_data: Path):
    zoning = territory_zonings.read_bassins_bmo(open_data / t.FILES["bassins_bmo"])

    assert zoning.zones.to_dict("records") == [
        {c.CODE: "0101", c.NAME: "BASSIN BASSE-TERRE", c.REGION_CODE: "01"},  # 101 as published
        {c.CODE: "4418", c.NAME: "CHAUMONT", c.REGION_CODE: "44"},
        {c.CODE: "5317", c.NAME: "VITRE", c.REGION_CODE: "53"},
        {c.CODE: "8410", c.NAME: "BOURG EN BRESSE", c.REGION_CODE: "84"},
    ]
    composition = zoning.composition.set_index(c.CODE)[c.BASSIN_BMO_CODE].to_dict()
    assert composition["01001"] == "8410"


def test_read_bassins_bmo_takes_the_most_frequent_name(tmp_path: Path):
    path = write_text(
        tmp_path / "bassin_emploi.csv",
        "reg,dep,code_commune_insee,code_bassin_BMO,lib_bassin_BMO\n"
        "1,97,97101,102,BASSIN GRANDE-TERRE\n"
        "1,97,97102,102,BASSIN GRANDE-TERRE\n"
        "1,97,97127,102,BASSIN ILES DU NORD\n",
    )

    zones = territory_zonings.read_bassins_bmo(path).zones

    assert zones.to_dict("records") == [
        {c.CODE: "0102", c.NAME: "BASSIN GRANDE-TERRE", c.REGION_CODE: "01"}
    ]


def test_read_bmo_bassins_reads_only_code_name_and_region(tmp_path: Path):
    # 2023 layout: the bassin columns come before the département and the région.
    path = write_bmo(
        tmp_path / "Base_open_data_BMO_2023.xlsx",
        [
            bmo_row("A0X40", "4418", "10", "5", "1"),
            bmo_row("A0X41", "4418", "*", "*", "*"),
            bmo_row("A0X40", "101", "3", "1", "0"),
            bmo_row("A0X40", "7549", "2", "1", "0"),
        ],
        year=2023,
        layout="2023",
    )

    frame = territory_bmo_bassins.read_bmo_bassins(path)

    assert frame.to_dict("records") == [
        {c.CODE: "0101", c.NAME: "BASSIN BASSE-TERRE", c.REGION_CODE: "01", c.YEAR: 2023},
        {c.CODE: "4418", c.NAME: "CHAUMONT", c.REGION_CODE: "44", c.YEAR: 2023},
        {c.CODE: "7549", c.NAME: "BASSIN 7549", c.REGION_CODE: "44", c.YEAR: 2023},
    ]


def test_bassins_named_by_bmo_adds_the_unknown_ones_with_their_latest_name(tmp_path: Path):
    zones = pd.DataFrame(
        {c.CODE: ["4418"], c.NAME: ["CHAUMONT (table)"], c.REGION_CODE: ["44"]}
    ).astype("string")

    def year(y: int, *rows: tuple[str, str, str]) -> pd.DataFrame:
        frame = pd.DataFrame(rows, columns=[c.CODE, c.NAME, c.REGION_CODE]).astype("string")
        return frame.assign(**{c.YEAR: y})

    added = territory_bmo_bassins.bassins_named_by_bmo(
        zones,
        [
            year(2023, ("4418", "CHAUMONT", "44"), ("7549", "AIGUILLON", "75")),
            year(2025, ("7549", "Aiguillon", "75"), ("9399", "MONACO", "93")),
            year(2024, ("7549", "Aiguillon 2024", "75"), ("304", "MATOURY", "03")),
        ],
    )

    assert added.to_dict("records") == [
        {c.CODE: "304", c.NAME: "MATOURY", c.REGION_CODE: "03"},
        {c.CODE: "7549", c.NAME: "Aiguillon", c.REGION_CODE: "75"},
        {c.CODE: "9399", c.NAME: "MONACO", c.REGION_CODE: "93"},
    ]
    assert territory_bmo_bassins.bassins_named_by_bmo(zones, []).columns.tolist() == [
        c.CODE,
        c.NAME,
        c.REGION_CODE,
    ]


def test_bmo_bassin_files_lists_the_published_names_only(tmp_path: Path):
    for name in ("Base_open_data_BMO_2024.xlsx", "Base_open_data_BMO_2023.xlsx", "autre.xlsx"):
        write_text(tmp_path / "bmo" / name, "x")

    assert [p.name for p in territory_bmo_bassins.bmo_bassin_files(tmp_path)] == [
        "Base_open_data_BMO_2023.xlsx",
        "Base_open_data_BMO_2024.xlsx",
    ]
    assert territory_bmo_bassins.bmo_bassin_files(tmp_path / "absent") == []


def test_read_epci_json_maps_natures(open_data: Path):
    zoning = territory_zonings.read_epci_json(open_data / t.FILES["epci_json"])

    natures = zoning.zones.set_index(c.CODE)[c.NATURE].to_dict()
    assert natures == {"200039022": "CA", "200068658": "CA", "200069193": "CC", "249710047": "ME"}
    members = zoning.composition.set_index(c.CODE)[c.EPCI_CODE].to_dict()
    assert members["52001"] == "200068658"
    assert members["01001"] == "200069193"


def test_read_epci_xlsx_leaves_out_communes_without_epci(open_data: Path):
    zoning = territory_zonings.read_epci_xlsx(open_data / t.FILES["epci_xlsx"])

    assert zoning.zones[c.CODE].tolist() == ["200039022", "200046977", "200068658"]
    assert zoning.zones.set_index(c.CODE)[c.NATURE]["200046977"] == "ME"
    assert zoning.composition[c.CODE].tolist() == ["52121", "35360"]


# --- bad input -------------------------------------------------------------------------------


def test_csv_with_a_missing_column_names_file_and_column(tmp_path: Path):
    path = write_text(
        tmp_path / "bassin_emploi.csv",
        "reg,dep,code_commune_insee,code_bassin_BMO\n44,52,52121,4418\n",
    )

    with pytest.raises(territory_files.TerritoryFileError) as excinfo:
        territory_zonings.read_bassins_bmo(path)

    message = excinfo.value.message
    assert "bassin_emploi.csv" in message
    assert "« lib_bassin_BMO » absente" in message
    assert excinfo.value.extra["missing_columns"] == ["lib_bassin_BMO"]


def test_csv_with_the_wrong_separator_is_a_missing_column(tmp_path: Path):
    path = write_text(tmp_path / "points.csv", CENTROIDS_CSV.replace(";", ","))

    with pytest.raises(territory_files.TerritoryFileError, match="Code_Officiel_Commune"):
        territory_cog.read_centroids(path)


def test_xlsx_with_the_wrong_sheet_names_the_expected_sheet(tmp_path: Path):
    path = write_insee_xlsx(
        tmp_path / "ZE2020.xlsx",
        {"Feuil1": ZE_SHEET, "Composition_communale": ZE_COMPOSITION_SHEET},
    )

    with pytest.raises(territory_files.TerritoryFileError) as excinfo:
        territory_zonings.read_zones_emploi(path)

    message = excinfo.value.message
    assert "ZE2020.xlsx" in message
    assert "feuille « ZE2020 » absente" in message
    assert "« Feuil1 »" in message


def test_xlsx_without_the_header_line_says_which_columns(tmp_path: Path):
    labels, _variables, rows = ZE_SHEET
    path = write_insee_xlsx(
        tmp_path / "ZE2020.xlsx",
        {
            "ZE2020": (labels, ["CODE_ZE", "NOM", "NB"], rows),
            "Composition_communale": ZE_COMPOSITION_SHEET,
        },
    )

    with pytest.raises(territory_files.TerritoryFileError) as excinfo:
        territory_zonings.read_zones_emploi(path)

    assert "feuille « ZE2020 »" in excinfo.value.message
    assert "« ZE2020 », « LIBZE2020 »" in excinfo.value.message


def test_composition_with_an_undeclared_zone_is_refused(tmp_path: Path):
    labels, variables, rows = ZE_COMPOSITION_SHEET
    bad_rows = [*rows, ["52121", "Chaumont", "9999", "Inconnue", None, "52", "44"]]
    path = write_insee_xlsx(
        tmp_path / "ZE2020.xlsx",
        {"ZE2020": ZE_SHEET, "Composition_communale": (labels, variables, bad_rows)},
    )

    with pytest.raises(territory_files.TerritoryFileError, match="9999"):
        territory_zonings.read_zones_emploi(path)


def test_bmo_file_without_the_bassin_name_column_is_refused_naming_it(tmp_path: Path):
    path = write_bmo(
        tmp_path / "Base_open_data_BMO_2025.xlsx",
        [bmo_row("A0X40", "4418", "1", "0", "0")],
        drop_column="NOMBE25",
    )

    with pytest.raises(territory_files.TerritoryFileError) as excinfo:
        territory_bmo_bassins.read_bmo_bassins(path)

    message = excinfo.value.message
    assert "Base_open_data_BMO_2025.xlsx" in message
    assert "feuille « BMO_2025_open_data »" in message
    assert "« NOMBE25 » absente(s)" in message


def test_bmo_file_with_the_wrong_sheet_or_a_bad_code_is_refused(tmp_path: Path):
    wrong_sheet = write_bmo(
        tmp_path / "a.xlsx", [bmo_row("A0X40", "4418", "1", "0", "0")], sheet="Feuil1"
    )
    bad_code = write_bmo(
        tmp_path / "b.xlsx",
        [bmo_row("A0X40", "4418", "1", "0", "0"), bmo_row("A0X40", "44-18", "1", "0", "0")],
    )

    with pytest.raises(territory_files.TerritoryFileError, match="« BMO_AAAA_open_data » absente"):
        territory_bmo_bassins.read_bmo_bassins(wrong_sheet)
    with pytest.raises(territory_files.TerritoryFileError) as excinfo:
        territory_bmo_bassins.read_bmo_bassins(bad_code)
    assert "colonne « BE25 » : 1 code(s)" in excinfo.value.message
    assert "ligne 3 : « 44-18 »" in excinfo.value.message


def test_unreadable_xlsx(tmp_path: Path):
    path = write_text(tmp_path / "ZE2020.xlsx", "ceci n'est pas un classeur")

    with pytest.raises(territory_files.TerritoryFileError, match="illisible comme classeur Excel"):
        territory_zonings.read_zones_emploi(path)


def test_missing_file_is_named(tmp_path: Path):
    with pytest.raises(territory_files.TerritoryFileError) as excinfo:
        territory_cog.read_regions(tmp_path / "absent.csv")

    assert str(tmp_path / "absent.csv") in excinfo.value.message


def test_invalid_latitude_names_the_line(tmp_path: Path):
    path = write_text(
        tmp_path / "points.csv",
        ";GeoPoint;Annee;Code_Officiel_Commune;latitude;longitude\n"
        "0;x;2025;52121;48.1;5.14\n"
        "1;x;2025;35360;quarante-huit;-1.19\n"
        "2;x;2025;35001;148.13;-1.53\n",
    )

    with pytest.raises(territory_files.TerritoryFileError) as excinfo:
        territory_cog.read_centroids(path)

    message = excinfo.value.message
    assert "colonne « latitude »" in message
    assert "2 valeur(s) invalide(s)" in message
    assert "ligne 3 : « quarante-huit »" in message
    assert "ligne 4 : « 148.13 »" in message


def test_malformed_commune_code_names_the_line(tmp_path: Path):
    path = write_text(
        tmp_path / "communes.csv",
        "typecom,com,reg,dep,libelle\nCOM,1001,84,1,Ain\nCOM,ABC12,84,1,Bizarre\n",
    )

    with pytest.raises(territory_files.TerritoryFileError, match="ligne 3 : « ABC12 »"):
        territory_cog.read_cog_communes(path)


def test_duplicate_codes_are_refused(tmp_path: Path):
    path = write_text(tmp_path / "regions.csv", "reg,libelle\n44,Grand Est\n44,Grand-Est\n")

    with pytest.raises(territory_files.TerritoryFileError, match="en double"):
        territory_cog.read_regions(path)


def test_geojson_problems(tmp_path: Path):
    topo = write_text(tmp_path / "ze.topojson", "{}")
    with pytest.raises(territory_files.TerritoryFileError, match="TopoJSON"):
        territory_zonings.read_ze_geometry(topo)

    no_code = write_text(
        tmp_path / "ze.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {}, "geometry": None}],
            }
        ),
    )
    with pytest.raises(territory_files.TerritoryFileError, match="« ze2020 » absente"):
        territory_zonings.read_ze_geometry(no_code)

    not_geojson = write_text(tmp_path / "liste.geojson", "[1, 2]")
    with pytest.raises(territory_files.TerritoryFileError, match="FeatureCollection"):
        territory_zonings.read_ze_geometry(not_geojson)


def test_epci_json_item_without_members(tmp_path: Path):
    path = write_text(
        tmp_path / "epci.json", json.dumps([{"code": "200068658", "nom": "CA", "type": "CA"}])
    )

    with pytest.raises(territory_files.TerritoryFileError, match="« membres »"):
        territory_zonings.read_epci_json(path)


# --- the real files (../shared/data) ----------------------------------------------------------


@pytest.mark.realdata
def test_real_files_read_with_the_expected_counts(open_data_dir: Path):
    root = open_data_dir

    regions = territory_cog.read_regions(root / t.FILES["regions"])
    departements = territory_cog.read_departements(root / t.FILES["departements"])
    cog = territory_cog.read_cog_communes(root / t.FILES["cog_communes"])
    zones = territory_zonings.read_zones_emploi(root / t.FILES["zones_emploi"])
    geometry = territory_zonings.read_ze_geometry(root / t.FILES["ze_geometry"])
    bassins = territory_zonings.read_bassins_bmo(root / t.FILES["bassins_bmo"])
    epci = territory_zonings.read_epci_json(root / t.FILES["epci_json"])
    epci_xlsx = territory_zonings.read_epci_xlsx(root / t.FILES["epci_xlsx"])
    populations = territory_cog.read_populations(root / t.FILES["populations"])

    assert len(regions) == 18
    assert len(departements) == 101
    assert set(departements[c.CODE]) >= {"01", "2A", "2B", "971", "976"}
    assert len(cog.communes) == 34875
    assert len(zones.zones) == 306 and len(zones.composition) == 34945
    assert len(geometry) == 287
    assert len(bassins.zones) == 404
    assert len(epci.zones) == 1255 and len(epci_xlsx.zones) == 1255
    ze_of = zones.composition.set_index(c.CODE)[c.ZONE_EMPLOI_CODE]
    bassin_of = bassins.composition.drop_duplicates(c.CODE).set_index(c.CODE)[c.BASSIN_BMO_CODE]
    assert (ze_of["52121"], bassin_of["52121"]) == ("4404", "4418")
    assert (ze_of["35360"], bassin_of["35360"]) == ("5319", "5317")
    pop = populations.set_index(c.CODE)[c.POPULATION]
    assert pop["52121"] == 20827 and pop["35360"] == 19365
    # The README's total over communes actuelles (incl. collectivités d'outre-mer).
    assert int(pop.sum()) == 68952941
    assert isinstance(pd.Series(pop).dtype, pd.Int64Dtype)


@pytest.mark.realdata
def test_real_bmo_files_name_six_bassins_the_commune_table_lacks(open_data_dir: Path):
    table = territory_zonings.read_bassins_bmo(open_data_dir / t.FILES["bassins_bmo"]).zones
    files = territory_bmo_bassins.bmo_bassin_files(open_data_dir)
    # Worked out from the raw sheets: the BEyy codes absent from the commune → bassin table.
    expected: dict[str, str] = {}
    for path in files:
        year = int(path.stem[-4:])
        raw = pd.read_excel(path, sheet_name=f"BMO_{year}_open_data", dtype=str, engine="calamine")
        codes = raw[f"BE{year % 100}"].str.replace(".0", "", regex=False).str.zfill(4)
        names = dict(zip(codes, raw[f"NOMBE{year % 100}"], strict=True))
        expected.update({k: v for k, v in names.items() if k not in set(table[c.CODE])})

    added = territory_bmo_bassins.bassins_named_by_bmo(
        table, [territory_bmo_bassins.read_bmo_bassins(p) for p in files]
    )

    assert [p.name for p in files] == [f"Base_open_data_BMO_{y}.xlsx" for y in (2023, 2024, 2025)]
    assert dict(zip(added[c.CODE], added[c.NAME], strict=True)) == expected
    assert sorted(expected) == ["0104", "0113", "0116", "0304", "7549", "9399"]
    assert dict(zip(added[c.CODE], added[c.REGION_CODE], strict=True)) == {
        "0104": "01", "0113": "01", "0116": "01", "0304": "03", "7549": "75", "9399": "93",
    }  # fmt: skip
