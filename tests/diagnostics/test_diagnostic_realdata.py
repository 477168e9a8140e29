"""Diagnostic runs on the real open data (../shared/data): ZE 4404 (Chaumont), ZE 5319 (Vitré)
and bassin BMO 4418, through the whole chain (territories and imports stored, selectors, engine,
stored results), cross-checked against figures computed here from the raw files with plain
pandas.

The territories, BMO 2023-2025, the unemployment rates and the job seekers are put in the
database for this module outside the tests' transactions (built once per test run, ≈ 2 minutes
on SQLite, then restored from a snapshot: tests/realdata_db.py), and removed afterwards by it so
that the rest of the suite sees an empty database.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

from diagnostics.models import BasinSource, DiagnosticRun
from diagnostics.services.basins import basin_create
from diagnostics.services.diagnostics import diagnostic_run_sync
from tests.factories.open_data import bmo_sheet, commune_maps, unemployment_sheet
from tests.realdata_db import BMO_AND_UNEMPLOYMENT, REALDATA_GROUP, imported, real_database

pytestmark = [pytest.mark.realdata, pytest.mark.slow, pytest.mark.django_db, REALDATA_GROUP]

# The territories, BMO 2023-2025 and the unemployment rates as the planning and import modules
# have them (built once per run), then the job seekers.
RECIPE = [
    *BMO_AND_UNEMPLOYMENT,
    imported(
        "defm",
        "demandeurs_emploi/odis_emploi_demandeur_export_2025-06-17.csv",
        duplicates_as_unknown=True,
    ),
]


@pytest.fixture(scope="module")
def real_data(django_db_setup, django_db_blocker, open_data_dir: Path):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), real_database(open_data_dir, RECIPE):
        yield open_data_dir


@pytest.fixture(scope="module")
def raw_bmo(open_data_dir: Path) -> dict[int, pd.DataFrame]:
    frames = {}
    for year in (2023, 2024, 2025):
        raw = bmo_sheet(open_data_dir, year)
        column = f"BE{str(year)[2:]}"
        frames[year] = raw.assign(bassin=raw[column].str.strip().str.lstrip("0"))
    return frames


@pytest.fixture(scope="module")
def raw_unemployment(open_data_dir: Path) -> pd.DataFrame:
    return unemployment_sheet(open_data_dir).assign(ZE2020=lambda f: f["ZE2020"].str.zfill(4))


def bmo_figures(raw: pd.DataFrame, bassin: str) -> dict[str, float]:
    """Σmet over published cells, masked met cells, difficult and its rate over the cells where
    met and xmet are both published — computed from the raw rows."""
    rows = raw[raw["bassin"] == bassin]
    met, xmet = rows["met"].str.strip(), rows["xmet"].str.strip()
    both = (met != "*") & (xmet != "*")
    difficult = xmet[both].astype(int).sum()
    return {
        "projects": int(met[met != "*"].astype(int).sum()),
        "masked": int((met == "*").sum()),
        "difficult": int(difficult),
        "rate": round(difficult / met[both].astype(int).sum(), 4),
    }


def run_for(name: str, kind: BasinSource, code: str) -> DiagnosticRun:
    basin = basin_create(name=name, source_kind=kind, source_codes=[code])
    run = diagnostic_run_sync(basin_id=basin.pk)
    assert run.status == DiagnosticRun.Status.DONE, run.error_message
    return run


def test_bassin_bmo_4418_matches_the_raw_files(real_data, raw_bmo):
    run = run_for("Chaumont (bassin BMO)", BasinSource.BASSIN_BMO, "4418")

    for year in (2023, 2024, 2025):
        expected = bmo_figures(raw_bmo[year], "4418")
        got = run.results["years"][str(year)]
        assert got["bmo_projects"] == expected["projects"], year
        assert got["bmo_masked_cells"] == expected["masked"], year
        assert got["bmo_difficult"] == expected["difficult"], year
        assert got["bmo_difficulty_rate"] == expected["rate"], year
        assert got["bmo_estimated"] is False
    assert run.results["years"]["2025"]["bmo_projects"] == 1163  # Σ published met, BE25 = 4418
    assert "correspond exactement au bassin BMO 4418" in run.results["method"]["bmo"]


def test_bassin_4418_job_seekers_start_from_its_published_communes(real_data, open_data_dir):
    run = run_for("Chaumont (bassin BMO)", BasinSource.BASSIN_BMO, "4418")
    codes = set(run.basin_snapshot["communes"])
    raw = pd.read_csv(
        open_data_dir / "demandeurs_emploi" / "odis_emploi_demandeur_export_2025-06-17.csv",
        dtype=str,
    )
    september = raw[(raw["YEAR"] == "septembre_2024") & raw["codgeo"].isin(codes)]
    expected_direct = int(september["Demandeurs_Emploi"].astype(int).sum())

    table = run.tables["job_seekers"]
    rows = {r[0]: dict(zip(table["columns"], r, strict=True)) for r in table["rows"]}

    assert "52121" in set(september["codgeo"])  # Chaumont: 1,760 in Sept 2024 (README)
    assert rows["2024-09"]["direct_value"] == expected_direct
    assert rows["2024-09"]["value"] > expected_direct  # + the unpublished communes' share
    assert rows["2024-09"]["estimated"] is True


@pytest.mark.parametrize(
    ("code", "name", "rate"), [("4404", "Chaumont (ZE)", 5.9), ("5319", "Vitré (ZE)", 3.9)]
)
def test_zone_emploi_unemployment_2023_t3(real_data, raw_unemployment, code, name, rate):
    run = run_for(name, BasinSource.ZONE_EMPLOI, code)

    raw = raw_unemployment.set_index("ZE2020").loc[code]
    series = {p["period"]: p for p in run.results["unemployment"]}
    assert float(raw["2023-T3"]) == rate  # the raw file itself
    assert series["2023-T3"]["rate"] == rate
    assert series["2023-T3"]["estimated"] is False  # one whole zone: the published rate
    assert series["2003-T1"]["rate"] == round(float(raw["2003-T1"]), 1)
    assert len(series) == 83 and run.results["gaps"]["unemployment"] == []
    assert run.results["years"]["2023"]["unemployment_quarters"] == 3


def test_zone_emploi_4404_bmo_is_apportioned_like_a_hand_computation(
    real_data, raw_bmo, open_data_dir
):
    run = run_for("Chaumont (ZE)", BasinSource.ZONE_EMPLOI, "4404")

    # Independently: each bassin's published projects × the share of its population in the ZE,
    # with the communes, bassins and populations of the raw files.
    ze, bassins, populations = commune_maps(open_data_dir)
    communes = bassins.rename(columns={"code_commune_insee": "code"}).merge(
        populations[["code", "population"]], on="code"
    )
    communes["population"] = pd.to_numeric(communes["population"]).fillna(0)
    in_ze = set(ze.loc[ze["ZE2020"] == "4404", "CODGEO"])
    communes["in_ze"] = communes["code"].isin(in_ze)
    per_bassin = communes.groupby("code_bassin_BMO").apply(
        lambda g: g.loc[g["in_ze"], "population"].sum() / g["population"].sum(),
        include_groups=False,
    )
    shares = per_bassin[per_bassin > 0]
    raw = raw_bmo[2025]
    expected = sum(
        share * bmo_figures(raw, bassin.lstrip("0"))["projects"] for bassin, share in shares.items()
    )

    got = run.results["years"]["2025"]
    assert got["bmo_estimated"] is True
    assert got["bmo_projects"] == pytest.approx(expected, rel=0.01)
    assert sorted(run.results["bmo"]["zones"]) == sorted(b.lstrip("0") for b in shares.index)


def test_command_json_has_the_issues_keys(real_data):
    basin = basin_create(name="Vitré", source_kind=BasinSource.ZONE_EMPLOI, source_codes=["5319"])
    out = StringIO()

    call_command("diagnostic_run", "--basin", str(basin.pk), "--sync", "--json", stdout=out)

    doc = json.loads(out.getvalue())
    assert {"id", "name", "population"} <= set(doc["basin"])
    assert {
        "population",
        "bmo_projects",
        "bmo_difficult",
        "bmo_seasonal",
        "bmo_difficulty_rate",
        "bmo_masked_cells",
        "job_seekers",
        "unemployment_rate",
    } <= set(doc["years"]["2025"])
    assert doc["unemployment"][-1] == {
        "period": "2023-T3",
        "rate": 3.9,
        "estimated": False,
        "coverage": 1.0,
        "region_rate": doc["unemployment"][-1]["region_rate"],
        "france_rate": doc["unemployment"][-1]["france_rate"],
    }
    assert all(
        {"code", "label", "projects", "difficulty_rate", "durable"} <= set(t)
        for t in doc["tension_metiers"]
    )
    assert doc["years"]["2025"]["bmo_estimated"] is True  # Vitré spans two bassins BMO
