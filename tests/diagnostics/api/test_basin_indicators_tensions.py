"""GET /api/v1/basins/{id}/indicators/ carries the published tensions (tests/factories/tensions.py)."""

from __future__ import annotations

import pytest

from diagnostics.models import Role
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.basins import make_user
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.tensions import tension_batches
from tests.factories.tokens import token_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]


@pytest.fixture
def world():
    world = diagnostic_world()
    tension_batches()
    diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    return world


@pytest.fixture
def api_client(world):
    return token_client(make_user("observatoire-ge", role=Role.API_CLIENT, regions=[world.region]))


def url(pk: int) -> str:
    return f"/api/v1/basins/{pk}/indicators/"


def test_indicators_carry_the_published_tensions(api_client, world):
    data = api_client.get(url(world.basin.pk)).json()

    rows = data["tensions_published"]
    assert [(r["year"], r["bassin_bmo"], r["rome"], r["tension"]) for r in rows] == [
        (2019, "4418", "K1302", 4),
        (2021, "4418", "A1203", 5),
        (2021, "4418", "K1302", 3),
    ]
    assert rows[1]["factors"] == {
        "hiring_intensity": 4,
        "labour_shortage": 1,
        "non_durable_employment": 3,
        "working_conditions": 4,
        "geographic_mismatch": 4,
        "training_job_link": 3,
    }
    assert rows[0]["factors"]["hiring_intensity"] is None  # not published in 2019
    assert rows[0]["offers"] == 178.0 and rows[0]["job_seekers_abc"] == 116.0
    info = data["tensions_published_info"]
    assert info["whole_bassins"] is True and info["bassins"][0]["code"] == "4418"
    assert info["factors_published"]["2019"] == []
    assert "tensions" in data["sources"]


def test_year_and_source_filter_the_published_tensions(api_client, world):
    data = api_client.get(url(world.basin.pk), {"year": 2019, "source": "tensions"}).json()

    assert [(r["year"], r["rome"]) for r in data["tensions_published"]] == [(2019, "K1302")]
    assert set(data["sources"]) == {"tensions"}
    assert "tension_metiers" not in data and "unemployment" not in data

    other = api_client.get(url(world.basin.pk), {"source": "bmo"}).json()
    assert "tensions_published" not in other


def test_openapi_schema_documents_the_factor_keys(openapi_schema_yaml: str) -> None:
    text = openapi_schema_yaml  # validated by `spectacular --validate --fail-on-warn`
    assert "TensionFactors" in text
    for key in ("hiring_intensity", "labour_shortage", "training_job_link", "tensions_published"):
        assert key in text
