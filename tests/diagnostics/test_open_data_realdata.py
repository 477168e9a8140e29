"""`load_open_data` on the real open data (../shared/data), loaded once for this module
(≈ 4 minutes on SQLite on a shared 2-core machine) outside the tests' transactions and removed
afterwards (tests/realdata_db.py, in the real-data xdist group: loaded once per run):

- every published file loads without any option;
- every code of every zoning the files name resolves to a non-empty commune set, through the
  basin service, except the bassins no file gives a commune to (named and checked here);
- an overseas bassin BMO (0101 Basse-Terre) shows its BMO, unemployment and tension figures as
  published;
- a one-commune basin shows the commune's 60 published months of job seekers;
- `manage.py demo --open-data-dir` builds the real-data demo on these data.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from django.db.models import Sum
from django.test import override_settings

from diagnostics.models import (
    Basin,
    BasinSource,
    CnamSite,
    Commune,
    DiagnosticRun,
    ImportBatch,
    User,
)
from diagnostics.selectors import diagnostic_frames
from diagnostics.selectors.access import basin_list_for
from diagnostics.services import open_data as od
from diagnostics.services.basin_resolution import BasinError
from diagnostics.services.basins import basin_create, basin_source_communes
from diagnostics.services.diagnostics import diagnostic_run_sync
from tests.factories.open_data import bmo_sheet
from tests.realdata_db import OPEN_DATA, REALDATA_GROUP, STEP_RESULTS, real_database

# First of the real-data tests: its load from an empty database leaves the territories
# snapshot that the other real-data modules restore (tests/realdata_db.py).
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.realdata_first,
    pytest.mark.slow,
    pytest.mark.django_db,
    REALDATA_GROUP,
]

DEFM_FILE = "demandeurs_emploi/odis_emploi_demandeur_export_2025-06-17.csv"
# Bassins BMO that no file gives a commune to: named only by the BMO files (0104, 0113 Îles du
# Nord, 0116 Marie-Galante, 0304 Matoury: splits newer than the commune table; 7549; 9399
# Monaco, outside France), and 0501 Saint-Pierre-et-Miquelon, whose two communes are not in
# the COG commune table (a collectivité d'outre-mer).
BASSINS_WITHOUT_COMMUNES = {"0104", "0113", "0116", "0304", "0501", "7549", "9399"}
# EPCI codes of the older INSEE lists that the COG 2026 EPCI list (the referential) no longer
# has; ZZZZZZZZZ is INSEE's "commune in no EPCI", not an EPCI.
EPCI_NOT_IN_REFERENTIAL = {"992367730", "994579670", "ZZZZZZZZZ"}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, open_data_dir: Path):  # type: ignore[no-untyped-def]
    """Loaded from an empty database (not from the territories snapshot: the first load of the
    territories is part of what is checked), not copied out (no other module uses it), and
    emptied after the module by real_database."""
    with (
        django_db_blocker.unblock(),
        tempfile.TemporaryDirectory() as media,
        override_settings(MEDIA_ROOT=media),
        real_database(open_data_dir, [OPEN_DATA], keep=False),
    ):
        results = STEP_RESULTS[(OPEN_DATA,)]
        again = od.open_data_load(source_dir=open_data_dir)
        diagnostic_frames.frames_cache_clear()
        yield {"first": results, "again": again}


def test_every_published_file_loads_without_option_then_nothing_twice(loaded) -> None:
    first, again = loaded["first"], loaded["again"]

    assert {r.key: r.status for r in first} == {r.key: "chargé" for r in first}, [
        (r.key, r.message) for r in first if r.status != "chargé"
    ]
    # territories + 15 files (3 BMO campaigns; population by age since issue 17)
    assert len(first) == 16
    assert all(b.options == {} for b in ImportBatch.objects.all())
    assert ImportBatch.objects.count() == 15
    defm = {r.key: r for r in first}["defm"]
    assert (
        ImportBatch.objects.get(pk=defm.batch_id).notes[
            "couples territoire-mois aux valeurs contradictoires"
        ]
        == 593
    )  # ADR 0005
    assert {r.status for r in again} == {"inchangé"}


# --- Every zone registrable -------------------------------------------------------------------


def _codes(data: Path, files: list[tuple[str, str, str]]) -> set[str]:
    codes: set[str] = set()
    for relative, column, sep in files:
        frame = pd.read_csv(data / relative, sep=sep, dtype=str, usecols=[column])
        codes |= set(frame[column].dropna().str.strip())
    return codes


def _resolved(kind: BasinSource, codes: set[str]) -> tuple[dict[str, int], dict[str, str]]:
    sizes: dict[str, int] = {}
    errors: dict[str, str] = {}
    for code in sorted(codes):
        try:
            sizes[code] = len(basin_source_communes(source_kind=kind, source_codes=[code]))
        except BasinError as exc:
            errors[code] = exc.message
    return sizes, errors


def test_every_zone_d_emploi_registrable(loaded, open_data_dir: Path) -> None:
    codes = _codes(
        open_data_dir,
        [
            ("ze2020_commune_map/ze2020_liste_2023.csv", "ZE2020", ","),
            ("ze2020_commune_map/ze2020_liste_2022.csv", "ZE2020", ","),
            ("ze2020_commune_map/gip_seed_insee_zones_emploi.csv", "ze2020", ","),
            ("ze2020_commune_map/ze2020_composition_communale_2023.csv", "ZE2020", ","),
            ("ze2020_commune_map/gip_seed_insee_zone_emploi_commune.csv", "ze2020", ","),
        ],
    )
    codes = {c.zfill(4) for c in codes}

    sizes, errors = _resolved(BasinSource.ZONE_EMPLOI, codes)

    assert len(codes) == 306 and errors == {}
    assert min(sizes.values()) >= 1
    assert {c for c in codes if c.startswith("01") or c.startswith("02")} <= set(sizes)
    assert sizes["4404"] > 1 and sizes["5319"] > 1


def test_every_bassin_bmo_registrable_except_those_without_communes(
    loaded, open_data_dir: Path
) -> None:
    codes = _codes(
        open_data_dir,
        [
            ("bassin_bmo_commune_map/bassin_emploi.csv", "code_bassin_BMO", ","),
            ("tensions_bassin_metier/mobiville_tensions_rome_bassin_2021.csv", "cbassin", ";"),
            (
                "tensions_bassin_metier/mobiville_tensions_fap_rome_bassin_2019_utf8.csv",
                "cbassin",
                ";",
            ),
        ],
    )
    for year in (2023, 2024, 2025):
        raw = bmo_sheet(open_data_dir, year, usecols=[f"BE{year % 100}"])
        codes |= set(raw[f"BE{year % 100}"].dropna().str.strip())
    # As typed by a user or written by a publisher: 101 and 0101 alike.
    typed = {c.lstrip("0") if len(c) == 4 and c.startswith("0") else c for c in codes}

    sizes, errors = _resolved(BasinSource.BASSIN_BMO, typed)

    four = {c.zfill(4) for c in typed}
    assert len(four) == 410
    assert {c.zfill(4) for c in errors} == BASSINS_WITHOUT_COMMUNES
    assert all("aucune commune n'est rattachée" in m for m in errors.values()), errors
    assert min(sizes.values()) >= 1
    # Overseas, typed on three digits: Guadeloupe, Martinique, Guyane, La Réunion, Mayotte.
    assert {"101", "102", "103", "105", "201", "202", "301", "401", "601"} <= set(sizes)
    assert len(sizes) == 403


def test_every_epci_of_the_referential_registrable(loaded, open_data_dir: Path) -> None:
    listed = json.loads((open_data_dir / "population_communes" / "epci.json").read_text())
    codes = {e["code"] for e in listed}
    older = _codes(
        open_data_dir,
        [
            ("epci_commune_map/gip_seed_insee_epci.csv", "epci", ","),
            ("epci_commune_map/intercommunalite_2023_EPCI.csv", "EPCI", ","),
            ("epci_commune_map/intercommunalite_2023_Composition_communale.csv", "EPCI", ","),
        ],
    )

    sizes, errors = _resolved(BasinSource.EPCI, codes | older)

    assert len(codes) == 1255
    assert set(errors) == EPCI_NOT_IN_REFERENTIAL
    assert all(m.startswith("EPCI inconnu") for m in errors.values())
    assert set(sizes) == codes and min(sizes.values()) >= 1
    overseas = {e["code"] for e in listed if any(m["code"][:2] == "97" for m in e["membres"])}
    assert len(overseas) == 23 and overseas <= set(sizes)


# --- Overseas bassin BMO: the figures as published --------------------------------------------


def test_overseas_bassin_0101_figures_as_published(loaded, open_data_dir: Path) -> None:
    basin = basin_create(
        name="Basse-Terre (bassin BMO)", source_kind=BasinSource.BASSIN_BMO, source_codes=["101"]
    )
    run = diagnostic_run_sync(basin_id=basin.pk)
    assert run.status == DiagnosticRun.Status.DONE, run.error_message

    for year in (2023, 2024, 2025):
        raw = bmo_sheet(open_data_dir, year)
        rows = raw[raw[f"BE{year % 100}"].str.strip().str.zfill(4) == "0101"]
        met, xmet = rows["met"].str.strip(), rows["xmet"].str.strip()
        both = (met != "*") & (xmet != "*")
        got = run.results["years"][str(year)]  # type: ignore[index]
        assert len(rows) > 0, year
        assert got["bmo_projects"] == int(met[met != "*"].astype(int).sum()), year
        assert got["bmo_masked_cells"] == int((met == "*").sum()), year
        assert got["bmo_difficult"] == int(xmet[both].astype(int).sum()), year
        assert got["bmo_estimated"] is False
    assert run.results["bmo"]["zones"] == ["0101"]  # type: ignore[index]
    assert "correspond exactement au bassin BMO 0101" in run.results["method"]["bmo"]  # type: ignore[index]

    # Unemployment: the bassin spans three ZE, so the rate is a flagged estimate.
    last = run.results["unemployment"][-1]  # type: ignore[index]
    assert last["period"] == "2023-T3" and last["rate"] is not None and last["estimated"] is True

    # Tensions 2021: every published line of the bassin, its indicator unchanged.
    raw_t = pd.read_csv(
        open_data_dir / "tensions_bassin_metier" / "mobiville_tensions_rome_bassin_2021.csv",
        sep=";",
        dtype=str,
    )
    raw_t = raw_t[raw_t["cbassin"].str.zfill(4) == "0101"]
    table = run.tables["tension_dares"]  # type: ignore[index]
    rows_t = [dict(zip(table["columns"], r, strict=True)) for r in table["rows"]]
    # One bassin: the basin's rows are the bassin's (labelled « bassin », not by code).
    got_t = {r["rome_code"]: r["published_tension"] for r in rows_t if str(r["year"]) == "2021"}
    expected_t = dict(zip(raw_t["ROME"], raw_t["ind_tension_d"].astype(int), strict=True))
    assert len(expected_t) > 0
    assert got_t == expected_t


# --- Job seekers of a one-commune basin ---------------------------------------------------------


def test_one_commune_basin_job_seekers_are_the_published_months(
    loaded, open_data_dir: Path
) -> None:
    raw = pd.read_csv(open_data_dir / DEFM_FILE, dtype=str)
    vitre = raw[raw["codgeo"] == "35360"]
    values = vitre.groupby("YEAR")["Demandeurs_Emploi"].agg(lambda v: sorted(set(v)))
    assert len(values) == 60 and all(len(v) == 1 for v in values)  # no contradiction here
    basin = basin_create(
        name="Vitré seule", source_kind=BasinSource.COMMUNES, source_codes=["35360"]
    )

    run = diagnostic_run_sync(basin_id=basin.pk)

    table = run.tables["job_seekers"]  # type: ignore[index]
    rows = [dict(zip(table["columns"], r, strict=True)) for r in table["rows"]]
    assert len(rows) == 60
    assert all(r["estimated"] is False and r["coverage"] == 1.0 for r in rows)
    assert all(r["value"] == r["direct_value"] for r in rows)
    from diagnostics.importers.defm import parse_month

    expected = {f"{parse_month(m):%Y-%m}": int(v[0]) for m, v in values.items()}
    assert {r["period"]: r["direct_value"] for r in rows} == expected
    assert "somme des chiffres publiés pour chaque commune" in run.results["method"]["job_seekers"]  # type: ignore[index]


# --- The demo on the real data ----------------------------------------------------------------


@pytest.mark.slow
def test_demo_on_real_territories(loaded, open_data_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`manage.py demo --open-data-dir` (moved from tests/diagnostics/test_demo.py, whose
    `territory_only` patch it keeps): its first step is `open_data_load`, the very load this
    module starts from (from an empty database, checked above), so the demo runs on it instead
    of loading every file again (≈ 100 s); the accounts, basins, sites and diagnostics are built
    as before, then a second run changes nothing."""
    from tests.diagnostics.test_demo import _territory_only, counts, run_demo

    _territory_only(monkeypatch)

    output = run_demo("--open-data-dir", str(open_data_dir))

    delegate = User.objects.get(username="demo-delegue")
    assert sorted(delegate.regions.values_list("code", flat=True)) == ["44", "53"]
    chaumont = Basin.objects.get(name="Bassin de Chaumont")
    assert chaumont.region_id == "44"
    assert chaumont.main_town_id == "52121"
    total = Commune.objects.filter(zone_emploi_id="4404").aggregate(total=Sum("population"))
    assert chaumont.population == total["total"]
    vitre = Basin.objects.get(name="Bassin de Vitré")
    assert (vitre.region_id, vitre.main_town_id, vitre.source_codes) == ("53", "35360", ["5319"])
    bmo = Basin.objects.get(name="Bassin BMO de Chaumont")
    assert bmo.communes.filter(code="52121").exists()
    assert Basin.objects.filter(region_id="53", source_kind="epci").count() == 1
    assert Basin.objects.get(name="Vitré et communes voisines").communes.count() == 12
    assert list(basin_list_for(User.objects.get(username="demo-mairie"))) == [chaumont]
    nancy = CnamSite.objects.get(name="Cnam Grand Est — Nancy (démo)")
    assert nancy.commune_id == "54395"
    assert CnamSite.objects.count() == 3
    assert "Bassin de Chaumont (région 44, zone_emploi)" in output
    assert "territoires réels déjà chargés" in output
    before = counts()

    again = run_demo("--open-data-dir", str(open_data_dir))

    assert "territoires réels déjà chargés" in again
    assert counts() == before
    diagnostic_frames.frames_cache_clear()
