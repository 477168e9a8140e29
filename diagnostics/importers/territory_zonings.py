"""Readers of the zonings: zones d'emploi (composition and geometry), bassins BMO and EPCI (the
Etalab JSON or the INSEE XLSX), each as a `Zoning` (zones + commune → zone composition)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import (
    COMMUNE_CODE_PATTERN,
    normalise_bassin_bmo_codes,
    normalise_commune_codes,
    normalise_region_codes,
)
from diagnostics.importers.territory_files import (
    ERROR_EXAMPLES,
    TerritoryFileError,
    Zoning,
    check_territory_codes,
    check_unique,
    mode_name,
    quoted,
    read_csv_columns,
    read_insee_sheet,
    require_file,
)

# EPCI natures on 4 characters at most (INSEE codes); the Etalab package spells métropoles out.
EPCI_NATURES = {"METRO": "ME", "MET69": "ME", "METLYON": "ME", "ZZ": ""}


def _check_insee_communes(composition: pd.DataFrame, *, path: Path, label: str) -> None:
    """The commune codes of an Insee « Composition_communale » sheet (column CODGEO)."""
    check_territory_codes(
        composition,
        c.CODE,
        COMMUNE_CODE_PATTERN,
        path=path,
        source_column="CODGEO",
        label=label,
        line_offset=0,
    )


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
    check_territory_codes(
        zones, c.CODE, r"^\d{4}$", path=path, source_column="ZE2020", label=label, line_offset=0
    )
    check_unique(zones, c.CODE, path=path, source_column="ZE2020", label=label)
    comp_raw = read_insee_sheet(
        path, sheet="Composition_communale", required=["CODGEO", "ZE2020"], label=label
    )
    composition = pd.DataFrame(
        {
            c.CODE: normalise_commune_codes(comp_raw["CODGEO"]),
            c.ZONE_EMPLOI_CODE: comp_raw["ZE2020"].str.strip().str.zfill(4),
        }
    )
    _check_insee_communes(composition, path=path, label=label)
    unknown = sorted(set(composition[c.ZONE_EMPLOI_CODE].dropna()) - set(zones[c.CODE]))
    if unknown or composition[c.ZONE_EMPLOI_CODE].isna().any():
        raise TerritoryFileError(
            f"Fichier {path.name} ({label}), feuille « Composition_communale », colonne "
            f"« ZE2020 » : zone(s) absente(s) de la feuille « ZE2020 » "
            f"({quoted(unknown[:ERROR_EXAMPLES]) or 'code vide'}).",
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
    require_file(path)
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
    check_unique(frame, c.CODE, path=path, source_column="ze2020", label=label)
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
    check_territory_codes(
        frame,
        c.CODE,
        COMMUNE_CODE_PATTERN,
        path=path,
        source_column="code_commune_insee",
        label=label,
    )
    check_territory_codes(
        frame,
        c.BASSIN_BMO_CODE,
        r"^\d{3,5}$",
        path=path,
        source_column="code_bassin_BMO",
        label=label,
    )
    names = mode_name(frame, c.BASSIN_BMO_CODE, c.NAME)
    regions = mode_name(frame.dropna(subset=[c.REGION_CODE]), c.BASSIN_BMO_CODE, c.REGION_CODE)
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
    require_file(path)
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
                f"Fichier {path.name} ({label}), EPCI n° {i} : champ(s) {quoted(missing)} "
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
    check_territory_codes(
        zones, c.CODE, r"^\d{9}$", path=path, source_column="code", label=label, line_offset=1
    )
    check_unique(zones, c.CODE, path=path, source_column="code", label=label)
    composition = pd.DataFrame(members, columns=[c.CODE, c.EPCI_CODE]).astype("string")
    composition[c.CODE] = normalise_commune_codes(composition[c.CODE])
    check_territory_codes(
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
    check_territory_codes(
        zones, c.CODE, r"^\d{9}$", path=path, source_column="EPCI", label=label, line_offset=0
    )
    check_unique(zones, c.CODE, path=path, source_column="EPCI", label=label)
    comp = read_insee_sheet(
        path, sheet="Composition_communale", required=["CODGEO", "EPCI"], label=label
    )
    comp = comp[comp["EPCI"].str.strip() != "ZZZZZZZZZ"]
    composition = pd.DataFrame(
        {c.CODE: normalise_commune_codes(comp["CODGEO"]), c.EPCI_CODE: comp["EPCI"].str.strip()}
    )
    _check_insee_communes(composition, path=path, label=label)
    return Zoning(
        zones=zones.sort_values(c.CODE).reset_index(drop=True),
        composition=composition.reset_index(drop=True),
    )
