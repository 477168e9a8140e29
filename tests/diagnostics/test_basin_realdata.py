"""Real data: `basin_create --zone-emploi 4404 --json` on the official territories
(../shared/data), checked against a sum computed here from the raw files."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

from tests.realdata_db import REALDATA_GROUP, TERRITORIES, real_database

pytestmark = [pytest.mark.django_db, pytest.mark.realdata, REALDATA_GROUP]


def _ze_population_from_raw_files(data: Path, ze_code: str) -> tuple[int, int]:
    """Communes of a zone d'emploi in INSEE's composition (2023 codes), merged communes moved
    to their current code(s) with the 2025 table de passage, populations légales of the
    `commune-actuelle` rows of Etalab's table. Returns (population, communes)."""
    composition = pd.read_excel(
        data / "ze2020_commune_map" / "ZE2020_au_01-01-2023.xlsx",
        sheet_name="Composition_communale",
        header=5,
        dtype=str,
        engine="calamine",
    )
    populations = pd.read_csv(
        data / "population_communes" / "communes_population_etalab.csv", dtype=str
    )
    current = populations[populations["type"] == "commune-actuelle"]
    # A few current communes have no population in the table: they count, for 0.
    population_of = dict(
        zip(current["code"], pd.to_numeric(current["population"]).fillna(0), strict=True)
    )
    changes = pd.read_csv(
        data / "cog_communes" / "odis_geocodes_passage_annuel_2025.csv",
        sep=";",
        dtype=str,
        encoding="utf-8-sig",
    )
    changes.columns = ["year", "level", "type", "old", "new"]
    codes: set[str] = set()
    for code in composition.loc[composition["ZE2020"] == ze_code, "CODGEO"]:
        if code in population_of:
            codes.add(code)
        else:
            codes.update(
                c for c in changes.loc[changes["old"] == code, "new"] if c in population_of
            )
    return int(sum(population_of[c] for c in codes)), len(codes)


def test_basin_create_zone_emploi_4404_population_matches_raw_files(open_data_dir: Path) -> None:
    expected_population, expected_communes = _ze_population_from_raw_files(open_data_dir, "4404")
    out = StringIO()

    # The full territory load of the run (tests/realdata_db.py), inside this test's transaction.
    with real_database(open_data_dir, [TERRITORIES]):
        call_command(
            "basin_create", "--name", "Chaumont", "--zone-emploi", "4404", "--json", stdout=out
        )

    data = json.loads(out.getvalue())
    assert expected_population == 120_929  # computed above from the raw files
    assert data["population"] == expected_population
    assert data["communes"] == expected_communes == 369
    assert data["main_town"]["code"] == "52121"
    assert data["main_town"]["population"] == 20_827  # data README spot-check
    assert data["regions"] == [{"code": "44", "name": "Grand Est"}]
