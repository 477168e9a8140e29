"""A run's payload carries the published tension rows of the basin's bassins BMO
(services.tensions_published), on the hand-made world of tests/factories/tensions.py."""

from __future__ import annotations

import pytest

from diagnostics.analytics.tension_records import published_tension_records_of
from diagnostics.models import DiagnosticRun
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.tensions import tension_batches

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]
FACTORS_2021_A1203 = {
    "hiring_intensity": 4,
    "labour_shortage": 1,
    "non_durable_employment": 3,
    "working_conditions": 4,
    "geographic_mismatch": 4,
    "training_job_link": 3,
}


def run_for(basin) -> DiagnosticRun:
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=basin.pk).pk)
    assert run.status == DiagnosticRun.Status.DONE, run.error_message
    return run


def test_run_payload_has_the_published_rows_of_its_bassin():
    world = diagnostic_world()
    tension_batches()

    doc = run_for(world.basin).results

    assert published_tension_records_of(doc["tensions_published"]) == [
        {
            "year": 2019,
            "bassin_bmo": "4418",
            "rome": "K1302",
            "label": "Assistance auprès d'adultes",
            "tension": 4,
            "factors": dict.fromkeys(FACTORS_2021_A1203),
            "offers": 178.0,
            "job_seekers_abc": 116.0,
        },
        {
            "year": 2021,
            "bassin_bmo": "4418",
            "rome": "A1203",
            "label": "Aménagement et entretien des espaces verts",
            "tension": 5,
            "factors": FACTORS_2021_A1203,
            "offers": 42.78,
            "job_seekers_abc": 95.75,
        },
        {
            "year": 2021,
            "bassin_bmo": "4418",
            "rome": "K1302",
            "label": "Assistance auprès d'adultes",
            "tension": 3,
            "factors": {
                "hiring_intensity": 2,
                "labour_shortage": 2,
                "non_durable_employment": 4,
                "working_conditions": 3,
                "geographic_mismatch": 1,
                "training_job_link": None,  # blank in the file: unknown, not 0
            },
            "offers": 10.0,
            "job_seekers_abc": 20.0,
        },
    ]
    info = doc["tensions_published_info"]
    assert info["available"] is True and info["whole_bassins"] is True
    assert [b["code"] for b in info["bassins"]] == ["4418"]
    assert info["factors_published"] == {"2019": [], "2021": list(FACTORS_2021_A1203)}
    assert info["note"].startswith("Le bassin est la réunion exacte du bassin BMO 4418 CHAUMONT")
    assert info["source"].startswith("Source : Dares, France Travail")
    assert "millésimes 2019 et 2021" in info["source"]


def test_run_table_puts_the_vintages_side_by_side():
    world = diagnostic_world()
    tension_batches()

    table = run_for(world.basin).tables["tensions_published"]

    rows = [dict(zip(table["columns"], r, strict=True)) for r in table["rows"]]
    assert [(r["rome_code"], r["vintages"]) for r in rows] == [
        ("A1203", "2021 seulement"),
        ("K1302", "2019 et 2021"),
    ]
    assert rows[1]["tension_2019"] == 4 and rows[1]["tension_2021"] == 3
    assert rows[1]["hiring_intensity_2019"] == "non publié"
    assert rows[0]["tension_2019"] == "absent"
    assert rows[1]["training_job_link_2021"] == "non renseigné"
    labels = dict(zip(table["columns"], table["labels"], strict=True))
    assert labels["hiring_intensity_2019"] == "Intensité des embauches 2019"
    assert labels["tension_2021"] == "Indicateur de tension 2021"


def test_basin_across_two_bassins_lists_both_and_says_not_apportioned():
    world = diagnostic_world()
    tension_batches()
    basin = world.make_basin("Chaumont-Biesles", ["52001", "52003"])

    doc = run_for(basin).results

    entries = {
        (e["year"], e["bassin_bmo"], e["rome"])
        for e in published_tension_records_of(doc["tensions_published"])
    }
    assert entries == {
        (2019, "4418", "K1302"),
        (2019, "4419", "K1302"),
        (2021, "4418", "A1203"),
        (2021, "4418", "K1302"),
        (2021, "4419", "A1203"),
    }
    info = doc["tensions_published_info"]
    assert info["whole_bassins"] is False
    # 52001 is 10 000 of 4418's 16 000 inhabitants; 52003 4 000 of 4419's 9 000.
    assert [(b["code"], b["zone_share"]) for b in info["bassins"]] == [
        ("4418", 0.625),
        ("4419", 0.4444),
    ]
    assert "4418 CHAUMONT (62\u202f% de sa population dans le bassin)" in info["note"]
    assert "ne sont pas réparties au bassin" in info["note"]


def test_run_without_tension_import_says_which_dataset_and_how():
    world = diagnostic_world()

    doc = run_for(world.basin).results

    assert published_tension_records_of(doc["tensions_published"]) == []
    info = doc["tensions_published_info"]
    assert info["available"] is False
    assert "Tensions sur le marché du travail par métier (ROME) et bassin BMO" in info["message"]
    assert "import_dataset --kind tensions" in info["message"]
    assert "/donnees/imports/nouveau/" in info["message"]
