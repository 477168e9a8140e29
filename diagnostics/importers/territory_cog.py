"""Readers of the INSEE Code officiel géographique and its companions: régions, départements,
communes, populations, commune centroids and the yearly code changes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import (
    COMMUNE_CODE_PATTERN,
    DEPARTEMENT_CODE_PATTERN,
    REGION_CODE_PATTERN,
    normalise_commune_codes,
    normalise_departement_codes,
    normalise_region_codes,
)
from diagnostics.importers.territory_files import (
    CODE_CHANGES_YEAR,
    check_territory_codes,
    check_territory_numbers,
    check_unique,
    read_csv_columns,
)

# --- readers ----------------------------------------------------------------------------------


def read_regions(path: Path) -> pd.DataFrame:
    """COG régions (`reg, libelle`) -> CODE, NAME; codes on 2 digits (`1` -> `01`)."""
    label = "régions"
    raw = read_csv_columns(path, required=["reg", "libelle"], label=label)
    frame = pd.DataFrame(
        {c.CODE: normalise_region_codes(raw["reg"]), c.NAME: raw["libelle"].str.strip()}
    )
    check_territory_codes(
        frame, c.CODE, REGION_CODE_PATTERN, path=path, source_column="reg", label=label
    )
    check_unique(frame, c.CODE, path=path, source_column="reg", label=label)
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
    check_territory_codes(
        frame, c.CODE, DEPARTEMENT_CODE_PATTERN, path=path, source_column="dep", label=label
    )
    check_territory_codes(
        frame, c.REGION_CODE, REGION_CODE_PATTERN, path=path, source_column="reg", label=label
    )
    check_unique(frame, c.CODE, path=path, source_column="dep", label=label)
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
    check_territory_codes(
        frame, c.CODE, COMMUNE_CODE_PATTERN, path=path, source_column="com", label=label
    )
    check_unique(frame, c.CODE, path=path, source_column="com", label=label)
    communes = frame.sort_values(c.CODE).reset_index(drop=True)
    return Cog(communes=communes, infra_codes=frozenset(infra - set(communes[c.CODE])))


def read_populations(path: Path) -> pd.DataFrame:
    """Etalab populations légales (`code, type, population`), rows `type = commune-actuelle`
    -> CODE, POPULATION (Int64)."""
    label = "populations légales"
    raw = read_csv_columns(path, required=["code", "type", "population"], label=label)
    raw = raw[raw["type"].str.strip() == "commune-actuelle"]
    frame = pd.DataFrame({c.CODE: normalise_commune_codes(raw["code"])})
    numbers = check_territory_numbers(
        raw, "population", path=path, source_column="population", label=label, minimum=0
    )
    frame[c.POPULATION] = numbers.round().astype("Int64")
    # The package also lists the communes of the collectivités d'outre-mer (975, 977, 978, 98x),
    # whose codes follow the same pattern; they are simply not in the COG table.
    check_territory_codes(
        frame, c.CODE, COMMUNE_CODE_PATTERN, path=path, source_column="code", label=label
    )
    check_unique(frame, c.CODE, path=path, source_column="code", label=label)
    return frame.sort_values(c.CODE).reset_index(drop=True)


def read_centroids(path: Path) -> pd.DataFrame:
    """Commune points (sep `;`: `Code_Officiel_Commune, latitude, longitude`) -> CODE,
    LATITUDE, LONGITUDE (floats, WGS84)."""
    label = "centres des communes"
    raw = read_csv_columns(
        path, sep=";", required=["Code_Officiel_Commune", "latitude", "longitude"], label=label
    )
    frame = pd.DataFrame({c.CODE: normalise_commune_codes(raw["Code_Officiel_Commune"])})
    frame[c.LATITUDE] = check_territory_numbers(
        raw, "latitude", path=path, source_column="latitude", label=label, minimum=-90, maximum=90
    )
    frame[c.LONGITUDE] = check_territory_numbers(
        raw,
        "longitude",
        path=path,
        source_column="longitude",
        label=label,
        minimum=-180,
        maximum=180,
    )
    check_territory_codes(
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
    check_territory_codes(
        frame, c.OLD_CODE, COMMUNE_CODE_PATTERN, path=path, source_column=old_col, label=label
    )
    check_territory_codes(
        frame, c.NEW_CODE, COMMUNE_CODE_PATTERN, path=path, source_column=new_col, label=label
    )
    frame = frame[frame[c.OLD_CODE] != frame[c.NEW_CODE]].drop_duplicates()
    frame[c.YEAR] = pd.Series(year, index=frame.index, dtype="Int64")
    return frame.sort_values([c.OLD_CODE, c.NEW_CODE]).reset_index(drop=True)
