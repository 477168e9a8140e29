"""Files of the real open data (../shared/data) read by the real-data tests and the benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

# What a diagnostic reads, as (import kind, path under the data folder, import options): BMO
# 2023 to 2025 (registering the bassins BMO), unemployment by zone d'emploi, job seekers by
# commune (a duplicated row's figure counted as unknown).
DIAGNOSTIC_SERIES: list[tuple[str, str, dict[str, Any]]] = [
    ("bmo", "bmo/Base_open_data_BMO_2023.xlsx", {"register_bassins": True}),
    ("bmo", "bmo/Base_open_data_BMO_2024.xlsx", {"register_bassins": True}),
    ("bmo", "bmo/Base_open_data_BMO_2025.xlsx", {"register_bassins": True}),
    ("chomage_ze", "chomage_ze/chomage-zone-t1-2003-t3-2023.xlsx", {}),
    (
        "defm",
        "demandeurs_emploi/odis_emploi_demandeur_export_2025-06-17.csv",
        {"duplicates_as_unknown": True},
    ),
]


def bmo_sheet(open_data_dir: Path, year: int, **options: Any) -> pd.DataFrame:
    """France Travail's BMO workbook of `year` as published, every cell read as text (`options`:
    more `pandas.read_excel` arguments, e.g. `usecols`)."""
    return pd.read_excel(
        open_data_dir / "bmo" / f"Base_open_data_BMO_{year}.xlsx",
        sheet_name=f"BMO_{year}_open_data",
        engine="calamine",
        dtype=str,
        **options,
    )


def unemployment_sheet(open_data_dir: Path) -> pd.DataFrame:
    """The Insee's quarterly unemployment rates by zone d'emploi (sheet `txcho_ze`), one row per
    zone (the notes under the table dropped), its code `ZE2020` as text."""
    wide = pd.read_excel(
        open_data_dir / "chomage_ze" / "chomage-zone-t1-2003-t3-2023.xlsx",
        sheet_name="txcho_ze",
        header=5,
        engine="calamine",
        dtype={"ZE2020": str},
    )
    return wide[wide["ZE2020"].notna()]


def commune_maps(open_data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The raw commune files, as text: the Insee's composition of the zones d'emploi 2020
    (CODGEO → ZE2020), France Travail's bassins BMO (code_commune_insee → code_bassin_BMO, one
    row per commune) and the communes' populations (current communes only)."""
    ze = pd.read_csv(
        open_data_dir / "ze2020_commune_map" / "ze2020_composition_communale_2023.csv", dtype=str
    )
    bassins = pd.read_csv(
        open_data_dir / "bassin_bmo_commune_map" / "bassin_emploi.csv", dtype=str
    ).drop_duplicates("code_commune_insee")
    populations = pd.read_csv(
        open_data_dir / "population_communes" / "communes_population_etalab.csv", dtype=str
    )
    return ze, bassins, populations[populations["type"] == "commune-actuelle"]
