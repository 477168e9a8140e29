"""Request guards (issue 15): an oversized body is refused before it is read (413), a database
error escaping a view answers a French 503 saying nothing was saved (never a bare 500)."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from diagnostics.models import ImportBatch, Role
from diagnostics.services.accounts import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):  # type: ignore[no-untyped-def]
    client.force_login(user_create(username="admin-n", role=Role.NATIONAL_ADMIN))
    return client


def test_oversized_upload_is_refused_before_it_is_read(admin_client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REQUEST_MAX_BODY_MB = 1
    settings.IMPORT_MAX_FILE_MB = 1
    upload = SimpleUploadedFile("gros.csv", b"a;b\n" + b"1;2\n" * 600_000, content_type="text/csv")

    response = admin_client.post(reverse("import-create"), {"file": upload, "kind": ""})

    assert response.status_code == 413
    page = html.unescape(response.content.decode())
    assert "La demande fait 2,3 Mo : au-delà de la limite de 1 Mo par fichier" in page
    assert "Rien n'a été enregistré" in page
    assert ImportBatch.objects.count() == 0


def test_a_body_under_the_limit_goes_through(admin_client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REQUEST_MAX_BODY_MB = 1

    response = admin_client.get(reverse("import-create"))

    assert response.status_code == 200


def test_upload_and_form_sizes_are_capped_in_settings(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 5
    assert settings.REQUEST_MAX_BODY_MB == settings.IMPORT_MAX_FILE_MB + 1


def test_database_error_in_a_view_answers_503_in_french(admin_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("diagnostics.views.imports.import_batch_list", broken)

    response = admin_client.get(reverse("import-list"))

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = html.unescape(response.content.decode())
    assert "La base de données ne répond pas pour l'instant : rien n'a été enregistré." in page
