"""Writes with values the stored columns cannot hold (fuzzing of the forms and the API's
writes, 2026-12-07): refused with a 400 naming the field, and nothing stored. Before, an
amount of 123,456,789 € was saved by SQLite (10-digit column), could not be read back, and
every page of the project answered 500 until the database was fixed by hand; a count past the
32-bit column, or a body nested thousands of levels deep, was a 500."""

from __future__ import annotations

import pytest

from implantations.analytics import evaluation as ev
from implantations.models.funding import CpfTopUpScenario, ProjectService
from tests.factories.tokens import token_client
from tests.implantations.api.test_projects_api import project  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [("direct_cost", 123_456_789), ("revenue", 1e15), ("reach", 1e20)],
)
def test_project_services_past_their_columns_are_a_400_and_nothing_is_stored(
    project,  # noqa: F811
    field,
    value,
):
    world, mine = project
    api = token_client(world.delegate)

    response = api.put(
        f"/api/v1/projects/{mine.pk}/services/",
        {"services": {"aioa": {field: value}}},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert f"services.aioa.{field}" in response.json()["error"]["fields"]
    assert not ProjectService.objects.filter(project=mine).exists()
    # The project's pages still answer.
    assert api.get(f"/api/v1/projects/{mine.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [("ceiling", "123456789"), ("path_price", "100000000"), ("learners", 10**20)],
)
def test_a_topup_past_its_columns_is_a_400_and_nothing_is_stored(project, field, value):  # noqa: F811
    world, mine = project
    api = token_client(world.delegate)
    body = {"name": "Agglo", "rate_percent": "100", "ceiling": "800", "learners": 17,
            "path_price": "2000"}  # fmt: skip

    response = api.post(
        f"/api/v1/projects/{mine.pk}/topups/", {**body, field: value}, format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not CpfTopUpScenario.objects.filter(project=mine).exists()


def test_a_body_nested_too_deep_is_a_400_in_french(project):  # noqa: F811
    world, mine = project
    api = token_client(world.delegate)
    body = "[" * 5000 + "]" * 5000

    response = api.put(
        f"/api/v1/projects/{mine.pk}/services/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert "trop imbriqué" in response.content.decode()


def test_followup_counts_and_amounts_past_their_columns_are_refused():
    errors = ev.followup_check({ev.ENROLLED: 2**63, ev.COMPLETED: 1_000_001})

    assert errors[ev.ENROLLED].endswith("au plus 1\u202f000\u202f000.")
    assert errors[ev.COMPLETED].endswith("au plus 1\u202f000\u202f000.")
    assert ev.followup_check({ev.ENROLLED: 1_000_000}) == {}


def test_revoking_a_share_for_a_recipient_past_bigint_is_refused_by_its_serializer():
    from diagnostics.api.sharing import ShareRevokeApi

    def valid(recipient: object) -> bool:
        return ShareRevokeApi.ShareRevokeInputSerializer(data={"recipient": recipient}).is_valid()

    # Past bigint, the id reached the query (OverflowError, a 500).
    assert not valid(10**20) and not valid(0)
    assert valid(12) and valid(None)


def test_an_uploaded_file_name_is_shortened_to_what_the_disk_and_the_column_hold():
    from diagnostics.services.import_requests import FILE_NAME_MAX, _shortened

    # A 300-character name exceeded the file system's 255 bytes: the upload answered 503.
    long = "b" * 300 + ".csv"
    kept = _shortened(long, 120)
    assert kept == "b" * 116 + ".csv"
    assert len(_shortened(long, FILE_NAME_MAX)) == 240  # 240 bytes at most
    assert _shortened("é" * 200 + ".xlsx", 255).endswith(".xlsx")
    assert len(_shortened("é" * 200 + ".xlsx", 255).encode()) <= 240
    assert _shortened("bmo_2025.csv", 120) == "bmo_2025.csv"


@pytest.mark.parametrize(
    ("formset_path", "limit"),
    [
        ("implantations.forms.projects.PartnerFormSet", 30),
        ("implantations.forms.projects.MemberFormSet", 30),
        ("diagnostics.forms.partners.ContactFormSet", 20),
        ("implantations.forms.funding.FundingFormSet", 40),
    ],
)
def test_a_posted_form_count_builds_no_more_forms_than_allowed(formset_path, limit):
    from django.utils.module_loading import import_string

    formset_class = import_string(formset_path)
    data = {"f-TOTAL_FORMS": "999999", "f-INITIAL_FORMS": "0"}

    formset = formset_class(data=data, prefix="f")

    # Django built up to max_num + 1,000 forms by default (12–40 s rendered, fuzzing).
    assert len(formset.forms) == limit
    assert not formset.is_valid()
    assert f"au plus {limit} formulaire" in " ".join(formset.non_form_errors())
