"""A miniature open-data folder in the official layouts (same file names, sheets, title lines,
separators and stripped leading zeros as ../shared/data), for importer and service tests.

The territory: Chaumont (52121) and Ageville (52001, which absorbed 52002) in ZE 4404 and
bassin 4418; Vitré (35360) and Acigné (35001) in ZE 5319 and bassin 5317; L'Abergement-
Clémenciat (1001 -> 01001) alone in ZE 8405, whose polygon is a self-intersecting bow tie;
Basse-Terre (97105) in ZE 0101 (no polygon) and bassin 101.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from diagnostics.importers.territories import FILES

POPULATIONS = {
    "52121": 20827,
    "52001": 380,
    "35360": 19365,
    "35001": 7000,
    "01001": 860,
    "97105": 9800,
}

REGIONS_CSV = """reg,cheflieu,tncc,ncc,nccenr,libelle
1,97105,3,GUADELOUPE,Guadeloupe,Guadeloupe
44,67482,0,GRAND EST,Grand Est,Grand Est
53,35238,0,BRETAGNE,Bretagne,Bretagne
84,69123,1,AUVERGNE RHONE ALPES,Auvergne-Rhône-Alpes,Auvergne-Rhône-Alpes
"""

DEPARTEMENTS_CSV = """dep,reg,cheflieu,tncc,ncc,nccenr,libelle
1,84,1053,5,AIN,Ain,Ain
35,53,35238,1,ILLE ET VILAINE,Ille-et-Vilaine,Ille-et-Vilaine
52,44,52121,3,HAUTE MARNE,Haute-Marne,Haute-Marne
971,1,97105,3,GUADELOUPE,Guadeloupe,Guadeloupe
"""

COG_CSV = """typecom,com,reg,dep,ctcd,arr,tncc,ncc,nccenr,libelle,can,comparent
COM,1001,84,1,01D,12,5,ABERGEMENT CLEMENCIAT,Abergement-Clémenciat,L'Abergement-Clémenciat,108,
COM,35001,53,35,35D,353,1,ACIGNE,Acigné,Acigné,3510,
COM,35360,53,35,35D,352,0,VITRE,Vitré,Vitré,3525,
COM,52001,44,52,52D,521,1,AGEVILLE,Ageville,Ageville,5207,
COM,52121,44,52,52D,521,0,CHAUMONT,Chaumont,Chaumont,5204,
COMD,52999,44,52,52D,521,0,BROTTES,Brottes,Brottes,,52121
COM,97105,1,971,971,,0,BASSE TERRE,Basse-Terre,Basse-Terre,97198,
"""

CENTROIDS_CSV = """;GeoPoint;Annee;Code_Officiel_Commune;latitude;longitude
0;46.15, 4.92;2025;1001;46.15;4.92
1;48.13, -1.53;2025;35001;48.13;-1.53
2;48.11, -1.19;2025;35360;48.11;-1.19
3;48.0, 5.35;2025;52001;48.0;5.35
4;48.1, 5.14;2025;52121;48.1;5.14
5;15.99, -61.72;2025;97105;15.99;-61.72
"""

CODE_CHANGES_CSV = (
    "\ufeffAnnée;Niveau;Type;Ancien Code Officiel;Code Courant Officiel\n"
    "2025;COM;commune;52121;52121\n"
    "2025;COM;commune;52002;52001\n"
    "2025;COM;commune;52001;52001\n"
    "2025;DEP;département;52;52\n"
)

BASSINS_CSV = """reg,dep,code_commune_insee,code_bassin_BMO,lib_bassin_BMO
44,52,52121,4418,CHAUMONT
44,52,52001,4418,CHAUMONT
44,52,52999,4418,CHAUMONT
53,35,35360,5317,VITRE
53,35,35001,5317,VITRE
84,1,1001,8410,BOURG EN BRESSE
1,97,97105,101,BASSIN BASSE-TERRE
"""

EPCI_JSON: list[dict[str, Any]] = [
    {
        "code": "200068658",
        "nom": "CA de Chaumont",
        "type": "CA",
        "membres": [{"code": "52121"}, {"code": "52001"}],
    },
    {
        "code": "200039022",
        "nom": "Vitré Communauté",
        "type": "CA",
        "membres": [{"code": "35360"}, {"code": "35001"}],
    },
    {"code": "200069193", "nom": "CC de la Dombes", "type": "CC", "membres": [{"code": "01001"}]},
    {
        "code": "249710047",
        "nom": "CA du Grand Sud Caraïbe",
        "type": "METRO",
        "membres": [{"code": "97105"}],
    },
]

ZE_SHEET = (
    ["Zone d'emploi 2020", "Libellé zone d'emploi 2020", "Nombre communes"],
    ["ZE2020", "LIBZE2020", "NB_COM"],
    [
        ["0101", "Basse-Terre", 1],
        ["4404", "Chaumont", 3],
        ["5319", "Vitré", 2],
        ["8405", "Bourg-en-Bresse", 1],
    ],
)
ZE_COMPOSITION_SHEET = (
    [
        "Code géographique communal",
        "Libellé géographique",
        "Zone d'emploi 2020",
        "Libellé zone d'emploi 2020",
        "Partie régionale",
        "Département",
        "Région",
    ],
    ["CODGEO", "LIBGEO", "ZE2020", "LIBZE2020", "ZE2020_PARTIE_REG", "DEP", "REG"],
    [
        ["01001", "L'Abergement-Clémenciat", "8405", "Bourg-en-Bresse", None, "01", "84"],
        ["35001", "Acigné", "5319", "Vitré", None, "35", "53"],
        ["35360", "Vitré", "5319", "Vitré", None, "35", "53"],
        ["52002", "Ageville (ancienne)", "4404", "Chaumont", None, "52", "44"],
        ["52121", "Chaumont", "4404", "Chaumont", None, "52", "44"],
        ["97105", "Basse-Terre", "0101", "Basse-Terre", None, "971", "01"],
        ["99999", "Commune disparue", "4404", "Chaumont", None, "52", "44"],
    ],
)
EPCI_SHEET = (
    ["EPCI - Métropole", "Libellé de l'EPCI / Métropole", "Nature d'EPCI", "Nombre communes"],
    ["EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"],
    [
        ["200068658", "CA de Chaumont", "CA", 2],
        ["200039022", "Vitré Communauté", "CA", 2],
        ["200046977", "Métropole de Lyon", "METLYON", 59],
        ["ZZZZZZZZZ", "Sans objet", "ZZ", 0],
    ],
)
EPCI_COMPOSITION_SHEET = (
    [
        "Code géographique",
        "Libellé géographique",
        "EPCI - Métropole",
        "Libellé de l'EPCI / Métropole",
        "Département",
        "Région",
    ],
    ["CODGEO", "LIBGEO", "EPCI", "LIBEPCI", "DEP", "REG"],
    [
        ["52121", "Chaumont", "200068658", "CA de Chaumont", "52", "44"],
        ["35360", "Vitré", "200039022", "Vitré Communauté", "35", "53"],
        ["22001", "Île", "ZZZZZZZZZ", "Sans objet", "22", "53"],
    ],
)


def _box(minx: float, miny: float, maxx: float, maxy: float) -> dict[str, Any]:
    ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
    return {"type": "Polygon", "coordinates": [ring]}


# 8405 is a bow tie crossing itself at (4.9, 46.15): valid after repair, two triangles.
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[4.8, 46.0], [5.0, 46.3], [5.0, 46.0], [4.8, 46.3], [4.8, 46.0]]],
}
ZE_GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"ze2020": "4404", "libze2020": "Chaumont"},
            "geometry": _box(5.0, 47.9, 5.5, 48.3),
        },
        {
            "type": "Feature",
            "properties": {"ze2020": "5319", "libze2020": "Vitré"},
            "geometry": _box(-1.6, 48.0, -1.1, 48.3),
        },
        {
            "type": "Feature",
            "properties": {"ze2020": "8405", "libze2020": "Bourg-en-Bresse"},
            "geometry": BOWTIE,
        },
    ],
}

TITLE_LINES = [
    ["Zonages d'étude"],
    ["France - échantillon de test"],
    ["Mise en ligne le 17/03/2023       Géographie au 01/01/2023"],
    ["@Insee       Source(s) : Insee, Code officiel géographique"],
]


def write_insee_xlsx(
    path: Path, sheets: dict[str, tuple[list[Any], list[str], list[list[Any]]]]
) -> Path:
    """An XLSX laid out like INSEE's: four title lines, French labels, variable names, data."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (labels, variables, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        for line in [*TITLE_LINES, labels, variables, *rows]:
            sheet.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_open_data(root: Path, *, with_epci_xlsx: bool = False) -> Path:
    """Write the whole miniature folder under `root` and return it."""
    write_text(root / FILES["regions"], REGIONS_CSV)
    write_text(root / FILES["departements"], DEPARTEMENTS_CSV)
    write_text(root / FILES["cog_communes"], COG_CSV)
    write_text(root / FILES["centroids"], CENTROIDS_CSV)
    write_text(root / FILES["code_changes"], CODE_CHANGES_CSV)
    write_text(root / FILES["bassins_bmo"], BASSINS_CSV)
    population_lines = [
        "code,nom,type,zone,departement,region,arrondissement,siren,population,codesPostaux,chefLieu"
    ]
    for code, population in POPULATIONS.items():
        population_lines.append(
            f"{code},Commune {code},commune-actuelle,metro,{code[:2]},00,,,{population}.0,,"
        )
    population_lines.append("52999,Brottes,commune-deleguee,metro,52,44,,,700.0,,52121")
    write_text(root / FILES["populations"], "\n".join(population_lines) + "\n")
    write_text(root / FILES["epci_json"], json.dumps(EPCI_JSON, ensure_ascii=False))
    write_text(root / FILES["ze_geometry"], json.dumps(ZE_GEOJSON))
    write_insee_xlsx(
        root / FILES["zones_emploi"],
        {"ZE2020": ZE_SHEET, "Composition_communale": ZE_COMPOSITION_SHEET},
    )
    if with_epci_xlsx:
        write_insee_xlsx(
            root / FILES["epci_xlsx"],
            {"EPCI": EPCI_SHEET, "Composition_communale": EPCI_COMPOSITION_SHEET},
        )
    return root
