"""The import door of the API (issue 14): 202 + batch URL, status, row-level report; the same
validation, atomicity and versioning as the import page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from diagnostics.models import ImportBatch, IndicatorFact, Role
from tests.factories.basins import make_region, make_user
from tests.factories.diagnostics import CommuneFactory
from tests.factories.tokens import token_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "celery_eager")]

HEADER = "niveau;code;periode;indicateur;valeur;unite;source\n"


@pytest.fixture
def delegate():
    return make_user(
        "delegue", role=Role.REGIONAL_DELEGATE, regions=[make_region("44", "Grand Est")]
    )


def upload(text: str, name: str = "neet.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_import_is_a_202_then_done(delegate, django_capture_on_commit_callbacks):
    CommuneFactory(code="52121")
    api = token_client(delegate)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/imports/",
            {
                "file": upload(HEADER + "commune;52121;2020;part_neet;17,5;%;Insee\n"),
                "kind": "indicator",
            },
            format="multipart",
        )
    status = api.get(response["Location"]).json()

    batch = ImportBatch.objects.get()
    assert response.status_code == 202
    assert response["Location"].endswith(f"/api/v1/imports/{batch.pk}/")
    assert (status["status"], status["running"], status["rows_written"]) == ("done", False, 1)
    assert IndicatorFact.objects.get().value == 17.5


def test_one_bad_row_refuses_the_file_with_a_row_level_report(
    delegate, django_capture_on_commit_callbacks
):
    CommuneFactory(code="52121")
    api = token_client(delegate)
    text = (
        HEADER
        + "commune;52121;2020;part_neet;17,5;%;Insee\ncommune;52121;2021;part_neet;beaucoup;%;Insee\n"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/imports/", {"file": upload(text), "kind": "indicator"})
    batch_url = response["Location"]
    status = api.get(batch_url).json()
    report = api.get(status["urls"]["report"]).json()

    assert status["status"] == "rejected"
    assert not IndicatorFact.objects.exists()  # nothing half-written
    assert report["count"] == 1
    line = report["results"][0]
    assert (line["row"], line["column"], line["value"]) == (3, "valeur", "beaucoup")
    assert line["message"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "indicator"}, "file"),
        ({"kind": "nope", "file": "x"}, "kind"),
        ({"kind": "indicator", "options": ["tout_accepter"], "file": "x"}, "options"),
    ],
)
def test_bad_requests_are_a_400_naming_the_field(delegate, data, field):
    if data.get("file") == "x":
        data = {**data, "file": upload(HEADER)}

    response = token_client(delegate).post("/api/v1/imports/", data)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not ImportBatch.objects.exists()


def test_bad_extension_says_so(delegate):
    response = token_client(delegate).post(
        "/api/v1/imports/", {"file": upload("x", name="neet.pdf"), "kind": "indicator"}
    )

    assert response.status_code == 400
    assert "Extension « .pdf »" in response.json()["error"]["fields"]["file"][0]


def test_import_needs_imports_write_and_an_importing_role(delegate):
    read_only = token_client(delegate, ["indicators:read"])
    mayor = token_client(make_user("mairie", role=Role.MAYOR_VIEWER))

    scope = read_only.post("/api/v1/imports/", {"file": upload(HEADER), "kind": "indicator"})
    role = mayor.get("/api/v1/imports/")

    assert scope.status_code == 403 and "imports:write" in scope.json()["error"]["message"]
    assert role.status_code == 403


def test_catalogue_admin_does_not_see_bmo_batches(delegate):
    batch = ImportBatch.objects.create(
        kind="bmo", file_name="bmo.xlsx", sha256="0" * 64, status="rejected", uploaded_by=delegate
    )
    catalogue = token_client(make_user("catalogue", role=Role.CATALOGUE_ADMIN))

    assert catalogue.get(f"/api/v1/imports/{batch.pk}/").status_code == 404
    assert catalogue.get("/api/v1/imports/").json()["count"] == 0
    assert token_client(delegate).get("/api/v1/imports/", {"kind": "bmo"}).json()["count"] == 1
