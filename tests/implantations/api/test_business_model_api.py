"""Business model and regional planning over the API v1 (issue 14): scoped like the pages, the
figures of the page, 400 naming the assumption or parameter."""

from __future__ import annotations

import datetime as dt

import pytest

from diagnostics.models import Role
from implantations.models import BusinessScenario, ImplantationProject
from tests.factories.basins import BasinFactory, make_user
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.tokens import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return diagnostic_world(sources=())


def url(pk: int) -> str:
    return f"/api/v1/basins/{pk}/business-model/"


def test_business_model_of_a_basin_gives_the_pages_figures(world):
    data = token_client(world.delegate).get(url(world.basin.pk), {"concept": "fab_id"}).json()

    year1 = data["years"][1]
    # Fab ID defaults: 85 learners from year 1, 2 FTE × 55 000 €, 800 € of teaching each,
    # 15 % overheads, 12 000 € of rent; revenue per learner 0,2 × 1 200 + 0,6 × 2 800 +
    # 0,15 × 4 000 = 2 520 €, 55 % of it obtained in year 1.
    assert data["concept"] == "fab_id"
    assert year1["learners"] == 85
    assert year1["costs"] == pytest.approx(110_000 + 68_000 + 26_700 + 12_000)
    assert year1["revenues"] == pytest.approx(85 * 2_520 * 0.55)
    assert year1["balance"] == pytest.approx(117_810 - 216_700)
    assert data["estimated"] is True
    staff = next(a for a in data["assumptions"] if a["code"] == "staff_fte")
    # The AMI's two full-time staff: 0.5 FTE of steering (the assumption) + 1.5 FTE of services
    # (issue 18: AIOA, SAS-DOC, enrolment and exams, funding engineering).
    assert staff["value"] == 0.5 and staff["changed"] is False
    assert year1["staff_fte"] == 2.0


def test_assumptions_in_the_query_change_the_model_and_say_so(world):
    api = token_client(world.delegate)

    data = api.get(url(world.basin.pk), {"concept": "fab_id", "premises_lent": "1"}).json()

    assert data["years"][1]["costs"] == pytest.approx(216_700 - 12_000)
    lent = next(a for a in data["assumptions"] if a["code"] == "premises_lent")
    assert lent["changed"] is True


def test_a_bad_assumption_is_a_400_naming_it(world):
    response = token_client(world.delegate).get(
        url(world.basin.pk), {"concept": "fab_id", "staff_fte": "beaucoup", "ramp": "1;2"}
    )

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"staff_fte", "ramp"}
    assert "non numérique" in fields["staff_fte"][0]


def test_business_model_of_another_region_or_for_a_mayor_is_a_404(world):
    foreign = BasinFactory(name="Bassin breton", region=world.other_region)
    mayor = make_user("mairie", role=Role.MAYOR_VIEWER)

    assert token_client(world.delegate).get(url(foreign.pk)).status_code == 404
    assert token_client(mayor).get(url(world.basin.pk)).status_code == 404


def test_saving_a_scenario_needs_basins_write_then_reads_it_back(world):
    body = {"name": "Locaux prêtés", "concept": "fab_id", "assumptions": {"premises_lent": 1}}
    scenarios = f"{url(world.basin.pk)}scenarios/"

    refused = token_client(world.delegate, ["indicators:read"]).post(scenarios, body, format="json")
    created = token_client(world.delegate).post(scenarios, body, format="json")
    bad = token_client(world.delegate).post(
        scenarios, {**body, "assumptions": {"cpf_share": 2}}, format="json"
    )

    assert refused.status_code == 403
    assert created.status_code == 201, created.content
    scenario = BusinessScenario.objects.get()
    assert scenario.assumptions == {"premises_lent": 1}
    assert scenario.summary["learners_year4"] == 85
    assert bad.status_code == 400
    assert "cpf_share" in bad.json()["error"]["fields"]["assumptions"]
    read = token_client(world.delegate).get(url(world.basin.pk), {"scenario": scenario.pk}).json()
    assert read["scenario"]["id"] == scenario.pk
    assert read["years"][1]["costs"] == pytest.approx(216_700 - 12_000)


def test_business_model_of_a_project_uses_its_concept_and_the_basins_scenario(world):
    project = ImplantationProject.objects.create(
        basin=world.basin, name="Chaumont", concept="fab_id", start_year=2025,
        study_started_on=dt.date(2025, 1, 6),
    )  # fmt: skip
    BusinessScenario.objects.create(
        basin=world.basin, concept="fab_id", name="Sans loyer", assumptions={"premises_lent": 1}
    )

    data = token_client(world.delegate).get(f"/api/v1/projects/{project.pk}/business-model/").json()

    assert data["project"] == {"id": project.pk, "name": "Chaumont"}
    assert data["concept"] == "fab_id"
    assert data["scenario"]["name"] == "Sans loyer"
    assert data["years"][1]["costs"] == pytest.approx(216_700 - 12_000)


# --- Regional planning ------------------------------------------------------------------------


def test_planning_of_my_region_answers_the_plan_get_and_post_alike(world):
    api = token_client(world.delegate)

    got = api.get("/api/v1/planning/", {"region": "44", "source": "registered", "n": 1})
    posted = api.post(
        "/api/v1/planning/", {"region": "44", "source": "registered", "n": 1}, format="json"
    )

    assert got.status_code == 200, got.content
    assert posted.status_code == 200
    data = got.json()
    assert data["region"] == {"code": "44", "name": "Grand Est"}
    assert data["parameters"]["n"] == 1
    assert [c["code"] for c in data["candidates"]] == [
        c["code"] for c in posted.json()["candidates"]
    ]
    assert data["candidates"][0]["name"] == "Bassin 4418"


def test_planning_of_another_region_is_a_404_and_bad_parameters_a_400(world):
    api = token_client(world.delegate)

    assert api.get("/api/v1/planning/", {"region": "53"}).status_code == 404
    bad = api.get("/api/v1/planning/", {"region": "44", "n": "0", "min_km": "loin"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"n", "min_km"}
    assert api.get("/api/v1/planning/").status_code == 400  # region required


def test_planning_is_for_basin_managers(world):
    client = make_user("client-api", role=Role.API_CLIENT, regions=[world.region])

    assert token_client(client).get("/api/v1/planning/", {"region": "44"}).status_code == 403
