"""The full load of ../shared/data (done once per test run and snapshotted, tests/realdata_db.py),
then loaded again by this module: the second run must change nothing. The rows are committed
outside the per-test transactions, then deleted at the end of the module so that no other test
sees them."""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from django.db.models import Sum
from shapely.geometry import Point, shape

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
from diagnostics.services.territories import territories_load
from tests.realdata_db import REALDATA_GROUP, TERRITORIES, real_database

pytestmark = [pytest.mark.realdata, pytest.mark.slow, pytest.mark.django_db, REALDATA_GROUP]

MODELS = (Region, Departement, Epci, ZoneEmploi, BassinBmo, Commune, CommuneCodeChange)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@dataclass
class RealLoad:
    first: dict[str, TerritoryLoad]
    second: dict[str, TerritoryLoad]
    counts_first: dict[str, int]
    counts_second: dict[str, int]


@pytest.fixture(scope="module")
def real_load(django_db_setup, django_db_blocker, open_data_dir: Path):  # type: ignore[no-untyped-def]
    # The first load: done for real once per test run, restored from its snapshot when
    # another module built it first (its loads are the rows it left). The second load's rows
    # are emptied with the rest by real_database after the module.
    with django_db_blocker.unblock(), real_database(open_data_dir, [TERRITORIES]):
        first = list(TerritoryLoad.objects.all())
        counts_first = _counts()
        second = territories_load(source_dir=open_data_dir)
        yield RealLoad(
            first={load.dataset: load for load in first},
            second={load.dataset: load for load in second},
            counts_first=counts_first,
            counts_second=_counts(),
        )


def test_full_load_counts(real_load: RealLoad):
    assert {name: load.status for name, load in real_load.first.items()} == dict.fromkeys(
        (
            "regions",
            "departements",
            "epci",
            "zones_emploi",
            "bassins_bmo",
            "communes",
            "code_changes",
            "commune_cells",
        ),
        "done",
    )
    assert real_load.counts_first == {
        "Region": 18,
        "Departement": 101,
        "Epci": 1255,
        "ZoneEmploi": 306,
        # 404 bassins of the commune → bassin table, and the 6 that only the BMO files name.
        "BassinBmo": 410,
        "Commune": 34875,
        "CommuneCodeChange": 1871,
    }
    assert ZoneEmploi.objects.filter(geometry__isnull=False).count() == 287
    # Every commune has a zone d'emploi and a bassin BMO (old codes moved to current ones).
    assert Commune.objects.filter(zone_emploi__isnull=True).count() == 0
    assert Commune.objects.filter(bassin_bmo__isnull=True).count() == 0
    # The 4 island communes without EPCI (Île-de-Bréhat, Île-de-Sein, Ouessant, Île-d'Yeu).
    assert Commune.objects.filter(epci__isnull=True).count() == 4


def test_full_load_spot_checks(real_load: RealLoad):
    chaumont = Commune.objects.get(code="52121")
    vitre = Commune.objects.get(code="35360")

    assert (chaumont.zone_emploi_id, chaumont.bassin_bmo_id, chaumont.population) == (
        "4404",
        "4418",
        20827,
    )
    assert (vitre.zone_emploi_id, vitre.bassin_bmo_id, vitre.population) == ("5319", "5317", 19365)
    assert ZoneEmploi.objects.get(code="4404").name == "Chaumont"
    assert BassinBmo.objects.get(code="5317").name == "VITRE"
    assert Commune.objects.get(code="01001").departement_id == "01"
    assert Commune.objects.get(code="2A004").region_id == "94"
    # The approximate cell of Chaumont contains its centre and lies in its zone's box.
    cell = shape(chaumont.geometry)
    assert chaumont.geometry_approximate is True
    assert cell.contains(Point(chaumont.longitude, chaumont.latitude))
    zone = ZoneEmploi.objects.get(code="4404")
    assert zone.bbox is not None and chaumont.bbox is not None
    assert zone.bbox[0] <= chaumont.bbox[0] and chaumont.bbox[2] <= zone.bbox[2]


def test_full_load_reports_remapped_and_unknown_codes(real_load: RealLoad):
    details = real_load.first["communes"].details

    # 11 communes of the 2023 ZE composition reached through the table of code changes
    # (merged since, or restored from a merged commune); the bassin table lists 576
    # sub-communal codes (ignored) and 208 codes found nowhere (listed, skipped).
    assert details["zones_emploi_codes"]["remapped"] == 11
    assert details["zones_emploi_codes"]["unknown"] == 0
    assert details["bassins_bmo_codes"]["ignored"] == 576
    assert details["bassins_bmo_codes"]["unknown"] == 208
    assert len(details["bassins_bmo_codes"]["unknown_codes"]) == 50
    assert real_load.first["zones_emploi"].details["repaired"] == 0
    assert real_load.first["bassins_bmo"].details["bmo_only_bassins"] == {
        "count": 6,
        "codes": [
            "0104 BASSIN ILES DU NORD",
            "0113 BASSIN ILES DU NORD",
            "0116 BASSIN MARIE-GALANTE",
            "0304 MATOURY",
            "7549 AIGUILLON",
            "9399 MONACO",
        ],
    }
    assert real_load.first["commune_cells"].rows == 34746  # all but the 129 overseas communes


def test_second_run_creates_no_duplicates_and_writes_nothing(real_load: RealLoad):
    assert real_load.counts_second == real_load.counts_first
    for name in ("regions", "departements", "epci", "zones_emploi", "bassins_bmo", "communes"):
        details = real_load.second[name].details
        assert (details["created"], details["updated"]) == (0, 0), name
    assert real_load.second["code_changes"].details["created"] == 0
    assert real_load.second["commune_cells"].details["updated"] == 0


def test_population_of_ze_4404_matches_the_raw_files(real_load: RealLoad, open_data_dir: Path):
    composition = pd.read_excel(
        open_data_dir / "ze2020_commune_map/ZE2020_au_01-01-2023.xlsx",
        sheet_name="Composition_communale",
        header=5,
        dtype=str,
        engine="calamine",
    )
    populations = pd.read_csv(
        open_data_dir / "population_communes/communes_population_etalab.csv", dtype=str
    )
    populations = populations[populations["type"] == "commune-actuelle"]
    codes = set(composition.loc[composition["ZE2020"] == "4404", "CODGEO"])
    expected = int(
        populations.loc[populations["code"].isin(codes), "population"].astype(float).sum()
    )

    stored = Commune.objects.filter(zone_emploi="4404").aggregate(total=Sum("population"))["total"]

    assert stored == expected
    assert Commune.objects.filter(zone_emploi="4404").count() == 369  # 370 in 2023, one merger
