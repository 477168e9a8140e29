"""The prospective section of a run (services.prospective through diagnostic_execute), its
parameters, and its place in the API: the world of tests/factories/prospective.py."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from diagnostics.models import Role
from diagnostics.services.diagnostic_params import DiagnosticError, diagnostic_params_clean
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.basins import make_user
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.prospective import prospective_batches
from tests.factories.tokens import make_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]


@pytest.fixture
def world():
    world = diagnostic_world()
    prospective_batches()
    return world


def run_document(world, **params):
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk, params=params).pk)
    assert run.status == "done", run.error_message
    return run


def test_saturated_metiers_and_bridges_of_the_run(world):
    run = run_document(world)
    prospective = run.results["prospective"]

    saturated = prospective["saturated"]
    assert [i["rome"] for i in saturated["items"]] == ["K1303", "D1507"]  # surplus 238, 115
    assert saturated["items"][0]["surplus"] == 238.0
    assert saturated["items"][0]["label"] == "Garde d'enfant"
    assert saturated["items"][0]["bmo_projects"] is None  # no FAP 2009 pairing: unknown
    assert saturated["job_seekers"] == 415.0
    bridges = prospective["bridges"]
    # K1303 (K13) → K1302 (K13); D1507 (D15) → D1502 (D15); N1101 has none.
    assert [(t["rome"], t["job_seekers_concerned"]) for t in bridges["targets"]] == [
        ("K1302", 263.0),
        ("D1502", 152.0),
    ]
    assert bridges["targets_without_bridge"] == ["N1101"]
    assert bridges["bridged_job_seekers"] == 415.0
    # Bassin 4418 = communes 52001 and 52002: 16,000 inhabitants → 415 / 16 = 25.94 per 1,000.
    assert bridges["bridged_per_1000"] == pytest.approx(25.94)
    assert any("aucune appellation" in limit for limit in bridges["data_limits"])
    stored = run.tables["prospective_bridges"]
    assert stored["title"].startswith("Passerelles")
    assert len(stored["rows"]) == 2


def test_replacement_needs_basin_region_france(world):
    prospective = run_document(world).results["prospective"]
    summary = {s["area"]: s for s in prospective["replacement"]["summary"]}
    # 52 in 2021: 300 / 900; the basin is 16,000 of 25,000 inhabitants of 52 (same mix).
    assert summary["basin"]["senior_share"] == pytest.approx(1 / 3)
    assert summary["basin"]["working_age"] == pytest.approx(900 * 0.64)
    assert summary["basin"]["estimated"] is True
    assert summary["region"]["senior_share"] == pytest.approx(1 / 3)
    # France = 52 + 35: (300 + 400) / (900 + 2200).
    assert summary["france"]["senior_share"] == pytest.approx(700 / 3100)
    # 2011 → 2021 in 52: 200 / 900 → 300 / 900, + 11.1 points.
    assert summary["basin"]["change_points"] == pytest.approx(100 / 9)
    assert "ne signifie pas" in prospective["replacement"]["not_meaning"]


def test_short_series_are_not_projected_and_say_why(world):
    series = {
        s["series"]: s for s in run_document(world).results["prospective"]["projections"]["series"]
    }
    assert series["bmo_projects"]["available"] is False
    assert "2 point(s)" in series["bmo_projects"]["reason"]
    assert series["unemployment"]["available"] is False  # 4 quarters
    assert series["unemployment"]["projection"] == []


def test_key_sectors(world):
    sectors = run_document(world).results["prospective"]["sectors"]
    # 4418 only: G 90 / 120, F 30 / 120; France: G 100 / 200.
    assert [(t["section"], t["share"], t["france_share"]) for t in sectors["naf"]["top"]] == [
        ("G", 0.75, 0.5),
        ("F", 0.25, 0.5),
    ]
    assert "instantané" in sectors["naf"]["message"]
    assert sectors["families"]["first"] == "2024" and sectors["families"]["last"] == "2025"


def test_thresholds_are_run_parameters(world):
    run = run_document(world, saturation_min_ratio=5, bridge_min_tension=5)
    prospective = run.results["prospective"]
    assert [i["rome"] for i in prospective["saturated"]["items"]] == ["K1303"]  # 10.5 ≥ 5 > 4.1
    assert [t["rome"] for t in prospective["bridges"]["targets"]] == ["K1302"]
    assert prospective["parameters"]["saturation_min_ratio"] == 5.0


def test_bad_parameters_are_named_in_french():
    with pytest.raises(DiagnosticError, match="saturation_max_tension .* hors bornes"):
        diagnostic_params_clean({"saturation_max_tension": 7})
    with pytest.raises(DiagnosticError, match="projection_horizon"):
        diagnostic_params_clean({"projection_horizon": "beaucoup"})
    assert (
        diagnostic_params_clean({"saturation_min_ratio": "3,5".replace(",", ".")})[
            "saturation_min_ratio"
        ]
        == 3.5
    )


def test_api_indicators_carry_the_prospective_section(world):
    run_document(world)
    user = make_user("observatoire-ge", role=Role.API_CLIENT, regions=[world.region])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(user)}")

    data = client.get(f"/api/v1/basins/{world.basin.pk}/indicators/").json()
    assert data["prospective"]["bridges"]["bridged_job_seekers"] == 415.0
    only = client.get(
        f"/api/v1/basins/{world.basin.pk}/indicators/", {"source": "prospective"}
    ).json()
    assert "prospective" in only and "tension_metiers" not in only
    assert {"tensions", "population_age", "defm_secteur"} <= set(only["sources"])
    other = client.get(f"/api/v1/basins/{world.basin.pk}/indicators/", {"source": "bmo"}).json()
    assert "prospective" not in other
