"""Readers of the official territory files: each turns one file, as published, into a normalised
pandas frame with the columns of `diagnostics.analytics.columns`. No database access here.

Which file for which dataset (the paths of `FILES`, relative to the open data folder):

- régions, départements, communes: the INSEE code officiel géographique (COG) tables
  (`v_commune` format: `typecom, com, reg, dep, ..., libelle`), leading zeros stripped by the
  copy and restored here. The commune table holds the 34,875 communes of 1 January 2025 (the
  same set as the 2025 centroids and the 2025 table of code changes), hence `COG_VINTAGE`.
- populations: Etalab's `@etalab/decoupage-administratif` 6.0.0 (populations légales in force on
  1 January 2026, COG 2026), rows of type `commune-actuelle`; its folder README gives the vintage
  2026, hence `POPULATION_VINTAGE`.
- commune centres: the ODIS commune points (sep `;`, 2025 geography).
- zones d'emploi: the INSEE original `ZE2020_au_01-01-2023.xlsx` (sheets `ZE2020` and
  `Composition_communale`, header row after a few title lines). It is the most recent official
  composition on disk (the 2022 one matches fewer current communes); the 81 codes of communes
  merged since 2023 are moved to their current code through the table of code changes, and the
  communes split again since (communes rétablies) get the zone of the commune they came from.
- zone polygons: `ze2020_2025_metropole.geojson` (287 metropolitan zones, WGS84).
- bassins BMO: France Travail's commune → bassin table `bassin_emploi.csv` (404 bassins), plus
  the bassins that the BMO survey files present (`bmo/Base_open_data_BMO_*.xlsx`) name but that
  table lacks (2023: 104, 7549; 2024: 104, 304, 7549; 2025: 113, 116, 7549, 9399 Monaco): only
  their code, name and région are read (`read_bmo_bassins`), so that every published BMO file
  imports against the referential; such bassins have no commune.
- EPCI: see `read_epci_json` (preferred) and `read_epci_xlsx` (fallback).
- code changes: the INSEE table de passage annuelle 2025 (old code → current code).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import (
    COMMUNE_CODE_PATTERN,
    DEPARTEMENT_CODE_PATTERN,
    REGION_CODE_PATTERN,
    invalid_codes,
    normalise_bassin_bmo_codes,
    normalise_commune_codes,
    normalise_departement_codes,
    normalise_region_codes,
)
from diagnostics.errors import ApplicationError

COG_VINTAGE = 2025
POPULATION_VINTAGE = 2026
CODE_CHANGES_YEAR = 2025
HEADER_SEARCH_ROWS = 30
ERROR_EXAMPLES = 5

FILES: dict[str, str] = {
    "regions": "cog_communes/gip_seed_insee_regions.csv",
    "departements": "cog_communes/gip_seed_insee_departements.csv",
    "cog_communes": "cog_communes/gip_seed_insee_communes_cog.csv",
    "populations": "population_communes/communes_population_etalab.csv",
    "centroids": "cog_communes/odis_corresp_geo_point_codes_communes.csv",
    "code_changes": "cog_communes/odis_geocodes_passage_annuel_2025.csv",
    "zones_emploi": "ze2020_commune_map/ZE2020_au_01-01-2023.xlsx",
    "ze_geometry": "ze2020_geometry/ze2020_2025_metropole.geojson",
    "bassins_bmo": "bassin_bmo_commune_map/bassin_emploi.csv",
    "epci_json": "population_communes/epci.json",
    "epci_xlsx": "epci_commune_map/Intercommunalite_Metropole_au_01-01-2023.xlsx",
}
# The BMO survey files whose bassins complete the commune → bassin table (any vintage present).
BMO_FILES_GLOB = "bmo/Base_open_data_BMO_*.xlsx"
BMO_SHEET_RE = re.compile(r"BMO_(\d{4})_open_data", re.IGNORECASE)
BMO_BASSIN_RE = re.compile(r"BE(\d{2})", re.IGNORECASE)
BMO_BASSIN_CODE_PATTERN = r"^\d{3,5}$"

# EPCI natures on 4 characters at most (INSEE codes); the Etalab package spells métropoles out.
EPCI_NATURES = {"METRO": "ME", "MET69": "ME", "METLYON": "ME", "ZZ": ""}


class TerritoryFileError(ApplicationError):
    """A territory file cannot be used as a whole: absent, unreadable, wrong sheet, missing
    column or invalid values. The message names the file, the sheet or column, and what was
    expected."""

    code = "territory_file_error"


@dataclass(frozen=True)
class Zoning:
    """A zoning read from one file: its zones and the commune → zone composition."""

    zones: pd.DataFrame
    composition: pd.DataFrame  # CODE (commune), <zone column>


# --- low-level reading ------------------------------------------------------------------------


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise TerritoryFileError(f"Fichier introuvable : {path}.", extra={"file": str(path)})


def read_csv_columns(
    path: Path, *, required: list[str], sep: str = ",", label: str
) -> pd.DataFrame:
    """A CSV read as strings (empty cells as <NA>), checked for the `required` columns."""
    _require_file(path)
    try:
        frame = pd.read_csv(
            path, sep=sep, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""]
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) illisible en CSV (séparateur « {sep} », UTF-8) : "
            f"{exc}.",
            extra={"file": str(path)},
        ) from exc
    frame.columns = [str(col).strip() for col in frame.columns]
    missing = [col for col in required if col not in frame.columns]
    if missing:
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) : colonne(s) {_quoted(missing)} absente(s). "
            f"Colonnes attendues : {_quoted(required)} ; colonnes trouvées : "
            f"{_quoted(frame.columns.tolist())}.",
            extra={"file": str(path), "missing_columns": missing},
        )
    return frame


def read_insee_sheet(path: Path, *, sheet: str, required: list[str], label: str) -> pd.DataFrame:
    """One sheet of an INSEE XLSX as published: a few title lines, a line of French labels, then
    the line of variable names (`required` must all be on it), then the data."""
    _require_file(path)
    try:
        workbook = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:  # calamine raises its own error types for a non-XLSX file
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) illisible comme classeur Excel : {exc}.",
            extra={"file": str(path)},
        ) from exc
    with workbook:
        sheets = [str(name) for name in workbook.sheet_names]
        if sheet not in sheets:
            raise TerritoryFileError(
                f"Fichier {path.name} ({label}) : feuille « {sheet} » absente. "
                f"Feuilles trouvées : {_quoted(sheets)}.",
                extra={"file": str(path), "sheet": sheet},
            )
        raw = pd.read_excel(workbook, sheet_name=sheet, header=None, dtype=str)
    header_row = None
    for i in range(min(HEADER_SEARCH_ROWS, len(raw))):
        values = {str(v).strip() for v in raw.iloc[i].tolist() if pd.notna(v)}
        if set(required) <= values:
            header_row = i
            break
    if header_row is None:
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}), feuille « {sheet} » : aucune ligne d'en-tête avec "
            f"les colonnes {_quoted(required)} dans les {HEADER_SEARCH_ROWS} premières lignes.",
            extra={"file": str(path), "sheet": sheet, "missing_columns": required},
        )
    frame = raw.iloc[header_row + 1 :].copy()
    frame.columns = [
        str(v).strip() if pd.notna(v) else f"_col{i}" for i, v in enumerate(raw.iloc[header_row])
    ]
    frame = frame.dropna(how="all")
    # Keep the spreadsheet row number (1-based) for error messages.
    frame.index = frame.index + 1
    return frame.astype("string")


def _quoted(values: list[str]) -> str:
    return ", ".join(f"« {v} »" for v in values)


def _check_codes(
    frame: pd.DataFrame,
    column: str,
    pattern: str,
    *,
    path: Path,
    source_column: str,
    label: str,
    line_offset: int = 2,
) -> None:
    """Refuse the file when codes are missing or malformed, naming a few lines."""
    bad = invalid_codes(frame[column], pattern)
    if len(bad):
        examples = "; ".join(
            f"ligne {int(str(idx)) + line_offset} : « {'' if pd.isna(v) else v} »"
            for idx, v in bad.head(ERROR_EXAMPLES).items()
        )
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}), colonne « {source_column} » : {len(bad)} code(s) "
            f"absent(s) ou invalide(s) ({examples}).",
            extra={"file": str(path), "column": source_column, "count": int(len(bad))},
        )


def _check_numbers(
    frame: pd.DataFrame,
    column: str,
    *,
    path: Path,
    source_column: str,
    label: str,
    minimum: float | None = None,
    maximum: float | None = None,
    line_offset: int = 2,
) -> pd.Series:
    raw = frame[column]
    numbers = pd.to_numeric(raw.str.replace(",", ".", regex=False), errors="coerce")
    bad = raw.notna() & numbers.isna()
    if minimum is not None:
        bad |= numbers < minimum
    if maximum is not None:
        bad |= numbers > maximum
    if bad.any():
        examples = "; ".join(
            f"ligne {int(str(idx)) + line_offset} : « {v} »"
            for idx, v in raw[bad].head(ERROR_EXAMPLES).items()
        )
        expected = "un nombre"
        if minimum is not None and maximum is not None:
            expected = f"un nombre entre {minimum} et {maximum}"
        elif minimum is not None:
            expected = f"un nombre ≥ {minimum}"
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}), colonne « {source_column} » : {int(bad.sum())} "
            f"valeur(s) invalide(s), attendu {expected} ({examples}).",
            extra={"file": str(path), "column": source_column, "count": int(bad.sum())},
        )
    return numbers


def _check_unique(
    frame: pd.DataFrame, column: str, *, path: Path, source_column: str, label: str
) -> None:
    dup = frame[column][frame[column].duplicated()]
    if len(dup):
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}), colonne « {source_column} » : {len(dup)} code(s) en "
            f"double ({_quoted(sorted(set(dup))[:ERROR_EXAMPLES])}).",
            extra={"file": str(path), "column": source_column},
        )


def _mode_name(frame: pd.DataFrame, key: str, name: str) -> pd.DataFrame:
    """One name per code: the most frequent spelling (ties: alphabetical)."""
    counts = frame.groupby([key, name]).size().reset_index(name="_n")
    counts = counts.sort_values([key, "_n", name], ascending=[True, False, True])
    return counts.drop_duplicates(key)[[key, name]]


# --- readers ----------------------------------------------------------------------------------


def read_regions(path: Path) -> pd.DataFrame:
    """COG régions (`reg, libelle`) -> CODE, NAME; codes on 2 digits (`1` -> `01`)."""
    label = "régions"
    raw = read_csv_columns(path, required=["reg", "libelle"], label=label)
    frame = pd.DataFrame(
        {c.CODE: normalise_region_codes(raw["reg"]), c.NAME: raw["libelle"].str.strip()}
    )
    _check_codes(frame, c.CODE, REGION_CODE_PATTERN, path=path, source_column="reg", label=label)
    _check_unique(frame, c.CODE, path=path, source_column="reg", label=label)
    return frame.sort_values(c.CODE).reset_index(drop=True)


def read_departements(path: Path) -> pd.DataFrame:
    """COG départements (`dep, reg, libelle`) -> CODE, NAME, REGION_CODE (`1` -> `01`)."""
    label = "départements"
    raw = read_csv_columns(path, required=["dep", "reg", "libelle"], label=label)
    frame = pd.DataFrame(
        {
            c.CODE: normalise_departement_codes(raw["dep"]),
            c.NAME: raw["libelle"].str.strip(),
            c.REGION_CODE: normalise_region_codes(raw["reg"]),
        }
    )
    _check_codes(
        frame, c.CODE, DEPARTEMENT_CODE_PATTERN, path=path, source_column="dep", label=label
    )
    _check_codes(
        frame, c.REGION_CODE, REGION_CODE_PATTERN, path=path, source_column="reg", label=label
    )
    _check_unique(frame, c.CODE, path=path, source_column="dep", label=label)
    return frame.sort_values(c.CODE).reset_index(drop=True)


@dataclass(frozen=True)
class Cog:
    """The communes of the COG, and the codes of its sub-communal entities (communes déléguées,
    associées, arrondissements municipaux) that zoning files sometimes list too."""

    communes: pd.DataFrame
    infra_codes: frozenset[str]


def read_cog_communes(path: Path) -> Cog:
    """COG communes (`typecom, com, reg, dep, libelle`), rows `typecom = COM` only (communes
    déléguées, associées and arrondissements municipaux are not communes) -> CODE, NAME,
    DEPARTEMENT_CODE, REGION_CODE with codes normalised (`1001` -> `01001`)."""
    label = "communes du COG"
    raw = read_csv_columns(path, required=["typecom", "com", "reg", "dep", "libelle"], label=label)
    is_commune = raw["typecom"].str.strip() == "COM"
    infra = set(normalise_commune_codes(raw.loc[~is_commune, "com"]).dropna())
    raw = raw[is_commune]
    frame = pd.DataFrame(
        {
            c.CODE: normalise_commune_codes(raw["com"]),
            c.NAME: raw["libelle"].str.strip(),
            c.DEPARTEMENT_CODE: normalise_departement_codes(raw["dep"]),
            c.REGION_CODE: normalise_region_codes(raw["reg"]),
        }
    )
    _check_codes(frame, c.CODE, COMMUNE_CODE_PATTERN, path=path, source_column="com", label=label)
    _check_unique(frame, c.CODE, path=path, source_column="com", label=label)
    communes = frame.sort_values(c.CODE).reset_index(drop=True)
    return Cog(communes=communes, infra_codes=frozenset(infra - set(communes[c.CODE])))


def read_populations(path: Path) -> pd.DataFrame:
    """Etalab populations légales (`code, type, population`), rows `type = commune-actuelle`
    -> CODE, POPULATION (Int64)."""
    label = "populations légales"
    raw = read_csv_columns(path, required=["code", "type", "population"], label=label)
    raw = raw[raw["type"].str.strip() == "commune-actuelle"]
    frame = pd.DataFrame({c.CODE: normalise_commune_codes(raw["code"])})
    numbers = _check_numbers(
        raw, "population", path=path, source_column="population", label=label, minimum=0
    )
    frame[c.POPULATION] = numbers.round().astype("Int64")
    # The package also lists the communes of the collectivités d'outre-mer (975, 977, 978, 98x),
    # whose codes follow the same pattern; they are simply not in the COG table.
    _check_codes(frame, c.CODE, COMMUNE_CODE_PATTERN, path=path, source_column="code", label=label)
    _check_unique(frame, c.CODE, path=path, source_column="code", label=label)
    return frame.sort_values(c.CODE).reset_index(drop=True)


def read_centroids(path: Path) -> pd.DataFrame:
    """Commune points (sep `;`: `Code_Officiel_Commune, latitude, longitude`) -> CODE,
    LATITUDE, LONGITUDE (floats, WGS84)."""
    label = "centres des communes"
    raw = read_csv_columns(
        path, sep=";", required=["Code_Officiel_Commune", "latitude", "longitude"], label=label
    )
    frame = pd.DataFrame({c.CODE: normalise_commune_codes(raw["Code_Officiel_Commune"])})
    frame[c.LATITUDE] = _check_numbers(
        raw, "latitude", path=path, source_column="latitude", label=label, minimum=-90, maximum=90
    )
    frame[c.LONGITUDE] = _check_numbers(
        raw,
        "longitude",
        path=path,
        source_column="longitude",
        label=label,
        minimum=-180,
        maximum=180,
    )
    _check_codes(
        frame,
        c.CODE,
        COMMUNE_CODE_PATTERN,
        path=path,
        source_column="Code_Officiel_Commune",
        label=label,
    )
    frame = frame.dropna(subset=[c.LATITUDE, c.LONGITUDE]).drop_duplicates(c.CODE)
    return frame.sort_values(c.CODE).reset_index(drop=True)


def read_code_changes(path: Path, *, year: int = CODE_CHANGES_YEAR) -> pd.DataFrame:
    """INSEE table de passage (sep `;`: `Niveau, Ancien Code Officiel, Code Courant Officiel`),
    commune rows whose code changed -> OLD_CODE, NEW_CODE, YEAR. A commune split again has one
    row per current code. Rows where the code did not change are left out."""
    label = "table de passage des codes communes"
    old_col, new_col = "Ancien Code Officiel", "Code Courant Officiel"
    raw = read_csv_columns(path, sep=";", required=["Niveau", old_col, new_col], label=label)
    raw = raw[raw["Niveau"].str.strip() == "COM"]
    frame = pd.DataFrame(
        {
            c.OLD_CODE: normalise_commune_codes(raw[old_col]),
            c.NEW_CODE: normalise_commune_codes(raw[new_col]),
        }
    )
    _check_codes(
        frame, c.OLD_CODE, COMMUNE_CODE_PATTERN, path=path, source_column=old_col, label=label
    )
    _check_codes(
        frame, c.NEW_CODE, COMMUNE_CODE_PATTERN, path=path, source_column=new_col, label=label
    )
    frame = frame[frame[c.OLD_CODE] != frame[c.NEW_CODE]].drop_duplicates()
    frame[c.YEAR] = pd.Series(year, index=frame.index, dtype="Int64")
    return frame.sort_values([c.OLD_CODE, c.NEW_CODE]).reset_index(drop=True)


def read_zones_emploi(path: Path) -> Zoning:
    """INSEE `ZE2020_au_01-01-20yy.xlsx` as published: sheet `ZE2020` (`ZE2020, LIBZE2020`) ->
    zones CODE, NAME; sheet `Composition_communale` (`CODGEO, ZE2020`) -> composition CODE,
    ZONE_EMPLOI_CODE (commune codes as in the file, not yet moved to current codes)."""
    label = "zones d'emploi 2020"
    zones_raw = read_insee_sheet(
        path, sheet="ZE2020", required=["ZE2020", "LIBZE2020"], label=label
    )
    zones = pd.DataFrame(
        {
            c.CODE: zones_raw["ZE2020"].str.strip().str.zfill(4),
            c.NAME: zones_raw["LIBZE2020"].str.strip(),
        }
    )
    _check_codes(
        zones, c.CODE, r"^\d{4}$", path=path, source_column="ZE2020", label=label, line_offset=0
    )
    _check_unique(zones, c.CODE, path=path, source_column="ZE2020", label=label)
    comp_raw = read_insee_sheet(
        path, sheet="Composition_communale", required=["CODGEO", "ZE2020"], label=label
    )
    composition = pd.DataFrame(
        {
            c.CODE: normalise_commune_codes(comp_raw["CODGEO"]),
            c.ZONE_EMPLOI_CODE: comp_raw["ZE2020"].str.strip().str.zfill(4),
        }
    )
    _check_codes(
        composition,
        c.CODE,
        COMMUNE_CODE_PATTERN,
        path=path,
        source_column="CODGEO",
        label=label,
        line_offset=0,
    )
    unknown = sorted(set(composition[c.ZONE_EMPLOI_CODE].dropna()) - set(zones[c.CODE]))
    if unknown or composition[c.ZONE_EMPLOI_CODE].isna().any():
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}), feuille « Composition_communale », colonne "
            f"« ZE2020 » : zone(s) absente(s) de la feuille « ZE2020 » "
            f"({_quoted(unknown[:ERROR_EXAMPLES]) or 'code vide'}).",
            extra={"file": str(path), "column": "ZE2020"},
        )
    return Zoning(
        zones=zones.sort_values(c.CODE).reset_index(drop=True),
        composition=composition.reset_index(drop=True),
    )


def read_ze_geometry(path: Path) -> pd.DataFrame:
    """Zone d'emploi polygons, GeoJSON FeatureCollection in WGS84 with the property `ze2020`
    -> CODE, GEOMETRY (shapely, possibly invalid: the service repairs and counts them)."""
    label = "contours des zones d'emploi"
    _require_file(path)
    if path.suffix.lower() == ".topojson":
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) : le format TopoJSON n'est pas lu ; donnez la "
            f"version GeoJSON (WGS84).",
            extra={"file": str(path)},
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) illisible en GeoJSON : {exc}.",
            extra={"file": str(path)},
        ) from exc
    is_collection = isinstance(data, dict) and data.get("type") == "FeatureCollection"
    features = data.get("features") if is_collection else None
    if not isinstance(features, list):
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) : une FeatureCollection GeoJSON est attendue.",
            extra={"file": str(path)},
        )
    codes: list[str] = []
    geoms: list[BaseGeometry | None] = []
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code = props.get("ze2020")
        if code in (None, ""):
            raise TerritoryFileError(
                f"Fichier {path.name} ({label}), entité n° {i} : propriété « ze2020 » absente.",
                extra={"file": str(path), "column": "ze2020"},
            )
        try:
            geom = shape(feature["geometry"]) if feature.get("geometry") else None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise TerritoryFileError(
                f"Fichier {path.name} ({label}), entité n° {i} (zone {code}) : géométrie "
                f"illisible ({exc}).",
                extra={"file": str(path)},
            ) from exc
        if geom is not None and geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise TerritoryFileError(
                f"Fichier {path.name} ({label}), zone {code} : polygone attendu, "
                f"« {geom.geom_type} » trouvé.",
                extra={"file": str(path)},
            )
        codes.append(str(code).strip().zfill(4))
        geoms.append(geom)
    frame = pd.DataFrame({c.CODE: codes, c.GEOMETRY: geoms})
    _check_unique(frame, c.CODE, path=path, source_column="ze2020", label=label)
    return frame.sort_values(c.CODE).reset_index(drop=True)


def read_bassins_bmo(path: Path) -> Zoning:
    """France Travail commune → bassin BMO table (`reg, code_commune_insee, code_bassin_BMO,
    lib_bassin_BMO`) -> zones CODE, NAME, REGION_CODE (the most frequent name and region of the
    bassin's rows) and composition CODE, BASSIN_BMO_CODE. Bassin codes are written on four
    digits (`101` -> `0101` for Basse-Terre, `normalise_bassin_bmo_codes`), as everywhere."""
    label = "bassins BMO"
    required = ["reg", "code_commune_insee", "code_bassin_BMO", "lib_bassin_BMO"]
    raw = read_csv_columns(path, required=required, label=label)
    frame = pd.DataFrame(
        {
            c.CODE: normalise_commune_codes(raw["code_commune_insee"]),
            c.BASSIN_BMO_CODE: normalise_bassin_bmo_codes(raw["code_bassin_BMO"]),
            c.NAME: raw["lib_bassin_BMO"].str.strip(),
            c.REGION_CODE: normalise_region_codes(raw["reg"]),
        }
    )
    _check_codes(
        frame,
        c.CODE,
        COMMUNE_CODE_PATTERN,
        path=path,
        source_column="code_commune_insee",
        label=label,
    )
    _check_codes(
        frame,
        c.BASSIN_BMO_CODE,
        r"^\d{3,5}$",
        path=path,
        source_column="code_bassin_BMO",
        label=label,
    )
    names = _mode_name(frame, c.BASSIN_BMO_CODE, c.NAME)
    regions = _mode_name(frame.dropna(subset=[c.REGION_CODE]), c.BASSIN_BMO_CODE, c.REGION_CODE)
    zones = names.merge(regions, on=c.BASSIN_BMO_CODE, how="left").rename(
        columns={c.BASSIN_BMO_CODE: c.CODE}
    )
    zones = zones[[c.CODE, c.NAME, c.REGION_CODE]].sort_values(c.CODE).reset_index(drop=True)
    composition = frame[[c.CODE, c.BASSIN_BMO_CODE]].reset_index(drop=True)
    return Zoning(zones=zones, composition=composition)


def read_epci_json(path: Path) -> Zoning:
    """EPCI from Etalab's `@etalab/decoupage-administratif` `epci.json` (`code, nom, type,
    membres[].code`) -> zones CODE, NAME, NATURE and composition CODE, EPCI_CODE.

    Preferred over the INSEE XLSX of 1 January 2023: it describes the COG 2026 geography, and all
    of its 34,871 member codes are communes of the current COG table (the 4 others are island
    communes without EPCI), whereas 81 codes of the 2023 XLSX are communes merged since and 7
    current communes are missing from it. Natures are the INSEE ones (`METRO` -> `ME`)."""
    label = "EPCI"
    _require_file(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) illisible en JSON : {exc}.", extra={"file": str(path)}
        ) from exc
    if not isinstance(data, list):
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) : une liste d'EPCI est attendue.",
            extra={"file": str(path)},
        )
    zones_rows: list[dict[str, Any]] = []
    members: list[tuple[str, str]] = []
    for i, item in enumerate(data, start=1):
        missing = [k for k in ("code", "nom", "type", "membres") if k not in item]
        if missing:
            raise TerritoryFileError(
                f"Fichier {path.name} ({label}), EPCI n° {i} : champ(s) {_quoted(missing)} "
                f"absent(s) (attendus : « code », « nom », « type », « membres »).",
                extra={"file": str(path), "missing_columns": missing},
            )
        code = str(item["code"]).strip()
        nature = str(item["type"]).strip().upper()
        zones_rows.append(
            {
                c.CODE: code,
                c.NAME: str(item["nom"]).strip(),
                c.NATURE: EPCI_NATURES.get(nature, nature)[:4],
            }
        )
        members.extend((str(m.get("code", "")), code) for m in item["membres"])
    zones = pd.DataFrame(zones_rows, columns=c.EPCI_COLUMNS).astype("string")
    _check_codes(
        zones, c.CODE, r"^\d{9}$", path=path, source_column="code", label=label, line_offset=1
    )
    _check_unique(zones, c.CODE, path=path, source_column="code", label=label)
    composition = pd.DataFrame(members, columns=[c.CODE, c.EPCI_CODE]).astype("string")
    composition[c.CODE] = normalise_commune_codes(composition[c.CODE])
    _check_codes(
        composition,
        c.CODE,
        COMMUNE_CODE_PATTERN,
        path=path,
        source_column="membres.code",
        label=label,
        line_offset=1,
    )
    return Zoning(zones=zones.sort_values(c.CODE).reset_index(drop=True), composition=composition)


def read_epci_xlsx(path: Path) -> Zoning:
    """INSEE `Intercommunalite_Metropole_au_01-01-20yy.xlsx` as published: sheet `EPCI` (`EPCI,
    LIBEPCI, NATURE_EPCI`) and sheet `Composition_communale` (`CODGEO, EPCI`). The pseudo-EPCI
    `ZZZZZZZZZ` (communes without EPCI) is left out. Used when `epci.json` is absent."""
    label = "EPCI"
    raw = read_insee_sheet(
        path, sheet="EPCI", required=["EPCI", "LIBEPCI", "NATURE_EPCI"], label=label
    )
    raw = raw[raw["EPCI"].str.strip() != "ZZZZZZZZZ"]
    zones = pd.DataFrame(
        {
            c.CODE: raw["EPCI"].str.strip(),
            c.NAME: raw["LIBEPCI"].str.strip(),
            c.NATURE: raw["NATURE_EPCI"]
            .str.strip()
            .str.upper()
            .map(lambda v: EPCI_NATURES.get(v, v)[:4] if isinstance(v, str) else ""),
        }
    )
    _check_codes(
        zones, c.CODE, r"^\d{9}$", path=path, source_column="EPCI", label=label, line_offset=0
    )
    _check_unique(zones, c.CODE, path=path, source_column="EPCI", label=label)
    comp = read_insee_sheet(
        path, sheet="Composition_communale", required=["CODGEO", "EPCI"], label=label
    )
    comp = comp[comp["EPCI"].str.strip() != "ZZZZZZZZZ"]
    composition = pd.DataFrame(
        {c.CODE: normalise_commune_codes(comp["CODGEO"]), c.EPCI_CODE: comp["EPCI"].str.strip()}
    )
    _check_codes(
        composition,
        c.CODE,
        COMMUNE_CODE_PATTERN,
        path=path,
        source_column="CODGEO",
        label=label,
        line_offset=0,
    )
    return Zoning(
        zones=zones.sort_values(c.CODE).reset_index(drop=True),
        composition=composition.reset_index(drop=True),
    )


# --- bassins named by the BMO survey files --------------------------------------------------------


def bmo_bassin_files(root: Path) -> list[Path]:
    """The BMO survey files under the open data folder `root` (`BMO_FILES_GLOB`), sorted."""
    return sorted(p for p in Path(root).glob(BMO_FILES_GLOB) if p.is_file())


def _bmo_text(value: Any) -> str | None:
    """A BMO cell as text: calamine gives the codes as floats (`104.0` -> `104`)."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    return text or None


def read_bmo_bassins(path: Path) -> pd.DataFrame:
    """The bassins a France Travail BMO survey file names, as published (sheet
    `BMO_<year>_open_data`, header row with `BEyy`, `NOMBEyy` and `REG`; the other columns are
    not read) -> CODE, NAME, REGION_CODE (the most frequent name and région of the bassin's
    rows), YEAR (the year of the sheet). Codes are spelled as the BMO importer spells them
    (`101`, `7549`), régions on 2 digits."""
    from python_calamine import CalamineWorkbook

    label = "bassins des fichiers BMO"
    _require_file(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for a non-XLSX file
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}) illisible comme classeur Excel : {exc}.",
            extra={"file": str(path)},
        ) from exc
    try:
        sheets = [str(name) for name in workbook.sheet_names]
        matches = sorted(n for n in sheets if BMO_SHEET_RE.fullmatch(n))
        if not matches:
            raise TerritoryFileError(
                f"Fichier {path.name} ({label}) : feuille « BMO_AAAA_open_data » absente. "
                f"Feuilles trouvées : {_quoted(sheets)}.",
                extra={"file": str(path), "sheet": "BMO_AAAA_open_data"},
            )
        sheet = matches[-1]
        rows = iter(workbook.get_sheet_by_name(sheet).iter_rows())
        header: list[str] = []
        header_line = 0
        for header_line, row in enumerate(rows, start=1):
            header = [_bmo_text(v) or "" for v in row]
            if any(BMO_BASSIN_RE.fullmatch(h) for h in header) or header_line >= HEADER_SEARCH_ROWS:
                break
        bassin_col = next((h for h in header if BMO_BASSIN_RE.fullmatch(h)), None)
        wanted = [bassin_col, f"NOM{bassin_col}", "REG"] if bassin_col else []
        upper = [h.upper() for h in header]
        missing = [w for w in wanted if w.upper() not in upper] if wanted else ["BEaa"]
        if missing:
            raise TerritoryFileError(
                f"Fichier {path.name} ({label}), feuille « {sheet} » : colonne(s) "
                f"{_quoted(missing)} absente(s) de la ligne d'en-tête (attendues : « BEaa » "
                f"(code du bassin), « NOMBEaa », « REG »).",
                extra={"file": str(path), "sheet": sheet, "missing_columns": missing},
            )
        i_code, i_name, i_reg = (upper.index(w.upper()) for w in wanted)
        width = max(i_code, i_name, i_reg) + 1
        records = []
        for line, row in enumerate(rows, start=header_line + 1):
            cells: list[Any] = list(row)
            if len(cells) < width:
                cells += [None] * (width - len(cells))
            code, name = _bmo_text(cells[i_code]), _bmo_text(cells[i_name])
            if code is None and name is None:
                continue  # an empty line
            records.append((line, code, name, _bmo_text(cells[i_reg])))
    finally:
        workbook.close()
    year_match = BMO_SHEET_RE.fullmatch(sheet)
    frame = pd.DataFrame.from_records(
        records, columns=["_line", c.CODE, c.NAME, c.REGION_CODE]
    ).astype({c.CODE: "string", c.NAME: "string", c.REGION_CODE: "string"})
    frame.index = pd.Index(frame["_line"])
    _check_codes(
        frame,
        c.CODE,
        BMO_BASSIN_CODE_PATTERN,
        path=path,
        source_column=str(bassin_col),
        label=label,
        line_offset=0,
    )
    frame[c.CODE] = normalise_bassin_bmo_codes(frame[c.CODE])
    frame[c.REGION_CODE] = normalise_region_codes(frame[c.REGION_CODE])
    frame[c.NAME] = frame[c.NAME].fillna(frame[c.CODE]).str.strip()
    names = _mode_name(frame, c.CODE, c.NAME)
    regions = _mode_name(frame.dropna(subset=[c.REGION_CODE]), c.CODE, c.REGION_CODE)
    zones = names.merge(regions, on=c.CODE, how="left")
    zones[c.YEAR] = int(year_match.group(1)) if year_match else pd.NA
    return zones[[c.CODE, c.NAME, c.REGION_CODE, c.YEAR]].sort_values(c.CODE).reset_index(drop=True)


def bassins_named_by_bmo(zones: pd.DataFrame, bmo: list[pd.DataFrame]) -> pd.DataFrame:
    """The bassins of the BMO files (`read_bmo_bassins` frames) absent from `zones` (the bassins
    of the commune → bassin table) -> CODE, NAME, REGION_CODE, with the name and région of the
    most recent file naming each; sorted by code. Bassins already in `zones` keep the table's
    name: the table is the referential, the BMO files only complete it."""
    columns = [c.CODE, c.NAME, c.REGION_CODE]
    if not bmo:
        return pd.DataFrame(columns=columns).astype("string")
    named = pd.concat(bmo, ignore_index=True)
    named = named.sort_values([c.CODE, c.YEAR], ascending=[True, False], kind="stable")
    named = named.drop_duplicates(c.CODE)
    added = named[~named[c.CODE].isin(set(zones[c.CODE].dropna()))]
    return added[columns].astype("string").sort_values(c.CODE).reset_index(drop=True)
