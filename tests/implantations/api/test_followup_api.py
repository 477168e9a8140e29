"""Follow-up over the API v1 (issue 18): read in the project's scope, written with the
`projects:write` scope by the basin's managers (a 400 naming the fields, nothing written)."""

from __future__ import annotations

import pytest

from implantations.analytics import evaluation as ev
from implantations.models import ProjectFollowup
from tests.factories.tokens import token_client
from tests.implantations.services.test_followup import good_values

pytestmark = pytest.mark.django_db


def test_followup_write_needs_the_projects_scope(followup_world):
    project = followup_world["project"]
    url = f"/api/v1/projects/{project.pk}/followup/"
    body = {"year": 1, **good_values()}
    read_only = token_client(followup_world["delegate"], ["indicators:read"])
    assert read_only.post(url, body, format="json").status_code == 403
    writer = token_client(followup_world["delegate"], ["indicators:read", "projects:write"])
    response = writer.post(url, body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["counts"]["enrolled"] == 18
    rates = {r["code"]: r for r in data["rates"]}
    assert rates["completion"]["numerator"] == 15 and rates["completion"]["denominator"] == 18
    assert writer.post(url, body, format="json").status_code == 200  # replaced


def test_followup_write_refused_names_the_fields(followup_world):
    project = followup_world["project"]
    api = token_client(followup_world["delegate"])
    response = api.post(
        f"/api/v1/projects/{project.pk}/followup/",
        {"year": 1, **good_values(**{ev.CERTIFIED: 16})},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["certified"]
    assert "16 pour 15 parcours achevés" in fields["certified"][0]
    assert ProjectFollowup.objects.count() == 0


def test_followup_read_in_scope(followup_world, django_assert_max_num_queries):
    project = followup_world["project"]
    token_client(followup_world["delegate"]).post(
        f"/api/v1/projects/{project.pk}/followup/", {"year": 1, **good_values()}, format="json"
    )
    data = (
        token_client(followup_world["mayor"]).get(f"/api/v1/projects/{project.pk}/followup/").json()
    )
    year1 = next(y for y in data["years"] if y["year"] == 1)
    staff = next(v for v in year1["variances"] if v["line"] == ev.STAFF)
    # 120 000 for 118 500 planned: +1 500, +1,27 %
    assert (staff["planned"], staff["actual"], staff["variance"]) == (118_500.0, 120_000.0, 1_500.0)
    assert staff["variance_share"] == pytest.approx(0.0127, abs=1e-4)
    assert (
        token_client(followup_world["other_delegate"])
        .get(f"/api/v1/projects/{project.pk}/followup/")
        .status_code
        == 404
    )
    with django_assert_max_num_queries(20):
        summary = token_client(followup_world["mayor"]).get("/api/v1/evaluation/").json()
    assert [s["name"] for s in summary["sites"]] == ["Cnam à Chaumont"]
    assert summary["counts"]["enrolled"] == 18
