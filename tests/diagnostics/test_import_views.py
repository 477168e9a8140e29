"""Import pages: upload, detail with progress and report, CSV report, JSON progress, template."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from diagnostics.models import ImportBatch, IndicatorFact, Region, Role
from diagnostics.services.accounts import user_create
from tests.factories.diagnostics import CommuneFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "celery_eager")]
Status = ImportBatch.Status


@pytest.fixture
def delegate_client(client: Client) -> Client:
    Region.objects.create(code="44", name="Grand Est")
    client.force_login(user_create(username="delegue", role=Role.REGIONAL_DELEGATE, regions=["44"]))
    return client


def _csv_upload(text: str, name: str = "neet.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_upload_form_shows_kinds_and_template_link(delegate_client: Client) -> None:
    response = delegate_client.get(reverse("import-create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Détection automatique" in html
    assert "BMO — besoins en main-d&#x27;œuvre (France Travail)" in html or "BMO — besoins" in html
    assert reverse("import-template") in html


def test_upload_valid_indicator_file_redirects_to_done_batch(
    delegate_client: Client,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    CommuneFactory(code="52121")
    upload = _csv_upload(
        "niveau;code;periode;indicateur;valeur;unite;source\ncommune;52121;2020;part_neet;17,5;%;Insee\n",
        encoding="cp1252",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = delegate_client.post(reverse("import-create"), {"file": upload, "kind": ""})

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("import-detail", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.uploaded_by is not None
    assert (batch.status, batch.kind, batch.uploaded_by.username) == (
        Status.DONE,
        "indicator",
        "delegue",
    )
    assert IndicatorFact.objects.get().value == 17.5
    page = delegate_client.get(response.headers["Location"]).content.decode()
    assert "Import réussi" in page
    assert "1 lignes enregistrées" in page or "1 lignes" in page


def test_upload_form_refuses_bad_extension(delegate_client: Client) -> None:
    upload = SimpleUploadedFile("rapport.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = delegate_client.post(reverse("import-create"), {"file": upload, "kind": ""})
    assert response.status_code == 200
    assert "Extension « .pdf » non prise en charge" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_upload_form_refuses_file_over_limit(delegate_client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_FILE_MB = 1
    upload = _csv_upload("a;b\n" + "1;2\n" * 400_000)
    response = delegate_client.post(reverse("import-create"), {"file": upload, "kind": ""})
    assert "au-delà de la limite de 1 Mo" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def _rejected_batch(n_errors: int) -> ImportBatch:
    return ImportBatch.objects.create(
        kind="indicator",
        file_name="x.csv",
        sha256="a" * 64,
        status=Status.REJECTED,
        rows_read=n_errors,
        rows_rejected=n_errors,
        errors_total=n_errors,
        error_message=f"{n_errors} erreurs",
        error_report=[
            {"line": i + 2, "column": "valeur", "value": f"v{i}", "rule": "n'est pas un nombre"}
            for i in range(n_errors)
        ],
    )


def test_detail_of_rejected_batch_shows_the_first_500_errors_and_the_total(
    delegate_client: Client,
) -> None:
    batch = _rejected_batch(620)

    html = delegate_client.get(reverse("import-detail", args=[batch.pk])).content.decode()

    assert "Fichier refusé : aucune donnée écrite" in html
    assert "Les 500 premières erreurs sur 620." in html
    assert "<code>v499</code>" in html
    assert "<code>v500</code>" not in html
    assert reverse("import-report", args=[batch.pk]) in html


def test_report_csv_escapes_formulas(delegate_client: Client) -> None:
    batch = ImportBatch.objects.create(
        kind="indicator",
        file_name="x.csv",
        sha256="b" * 64,
        status=Status.REJECTED,
        errors_total=2,
        error_report=[
            {
                "line": 3,
                "column": "valeur",
                "value": '=HYPERLINK("http://x")',
                "rule": "n'est pas un nombre",
            },
            {
                "line": 4,
                "column": "valeur",
                "value": "-5",
                "rule": "doit être positif ou nul (≥ 0)",
            },
        ],
    )

    response = delegate_client.get(reverse("import-report", args=[batch.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="rapport-import-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["ligne", "colonne", "valeur", "règle"],
        ["3", "valeur", '\'=HYPERLINK("http://x")', "n'est pas un nombre"],
        ["4", "valeur", "'-5", "doit être positif ou nul (≥ 0)"],
    ]


def test_report_csv_of_a_file_level_refusal(delegate_client: Client) -> None:
    batch = ImportBatch.objects.create(
        kind="bmo",
        file_name="x.xlsx",
        sha256="c" * 64,
        status=Status.REJECTED,
        error_message="Le fichier « x.xlsx » est vide.",
    )
    body = delegate_client.get(reverse("import-report", args=[batch.pk])).content.decode(
        "utf-8-sig"
    )
    assert body.splitlines()[1] == ";;;Le fichier « x.xlsx » est vide."


def test_progress_json(delegate_client: Client) -> None:
    batch = ImportBatch.objects.create(
        kind="bmo",
        file_name="x.xlsx",
        sha256="d" * 64,
        status=Status.IMPORTING,
        progress_percent=60,
        progress_step="Écriture de 50076 lignes",
        rows_read=50076,
    )
    data = delegate_client.get(reverse("import-progress", args=[batch.pk])).json()
    assert data == {
        "id": batch.pk,
        "status": "importing",
        "status_label": "en écriture",
        "kind": "bmo",
        "kind_label": "BMO — besoins en main-d'œuvre (France Travail)",
        "running": True,
        "percent": 60,
        "step": "Écriture de 50076 lignes",
        "rows_read": 50076,
        "rows_written": 0,
        "rows_rejected": 0,
        "errors_total": 0,
        "error_message": "",
    }
    page = delegate_client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert 'data-running="1"' in page
    assert reverse("import-progress", args=[batch.pk]) in page


def test_list_shows_batches_with_badges(delegate_client: Client) -> None:
    _rejected_batch(3)
    html = delegate_client.get(reverse("import-list")).content.decode()
    assert "fr-badge--error" in html
    assert "x.csv" in html


def test_catalogue_admin_imports_only_rome_and_fap(client: Client) -> None:
    client.force_login(user_create(username="cat", role=Role.CATALOGUE_ADMIN))
    bmo_batch = _rejected_batch(1)
    bmo_batch.kind = "bmo"
    bmo_batch.save()

    form = client.get(reverse("import-create")).content.decode()
    listing = client.get(reverse("import-list")).content.decode()

    assert "Détection automatique" not in form
    assert 'value="bmo"' not in form
    assert "x.csv" not in listing
    assert client.get(reverse("import-detail", args=[bmo_batch.pk])).status_code == 404


def test_template_csv(delegate_client: Client) -> None:
    response = delegate_client.get(reverse("import-template"))
    lines = response.content.decode().splitlines()
    assert lines[0] == "niveau;code;periode;indicateur;valeur;unite;source"
    assert lines[1].startswith("commune;52121;")


def test_upload_with_an_option_passes_it_to_the_service(
    delegate_client: Client,
    django_capture_on_commit_callbacks,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from diagnostics.models import BassinBmo, BmoFact
    from tests.diagnostics.importers.bmo_samples import bmo_row, write_bmo

    BassinBmo.objects.create(code="4418", name="CHAUMONT")
    path = write_bmo(tmp_path / "bmo.xlsx", [bmo_row("A0X40", "9399", "4", "1", "*")])
    form = delegate_client.get(reverse("import-create")).content.decode()
    assert 'name="option_register_bassins"' in form

    with django_capture_on_commit_callbacks(execute=True):
        delegate_client.post(
            reverse("import-create"),
            {
                "file": SimpleUploadedFile("bmo.xlsx", path.read_bytes()),
                "kind": "bmo",
                "option_register_bassins": "on",
            },
        )

    batch = ImportBatch.objects.get()
    assert (batch.status, batch.options) == (Status.DONE, {"register_bassins": True})
    assert BassinBmo.objects.filter(code="9399").exists()
    assert BmoFact.objects.get().met == 4
    page = delegate_client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert "Ajouter au référentiel les bassins inconnus nommés par le fichier" in page


# --- « Relancer l'import » ------------------------------------------------------------------------


def _upload_bmo(client: Client, path: Path, capture) -> ImportBatch:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        client.post(
            reverse("import-create"),
            {"file": SimpleUploadedFile(path.name, path.read_bytes()), "kind": "bmo"},
        )
    return ImportBatch.objects.order_by("-pk").first()  # type: ignore[return-value]


def test_retry_a_refused_batch_once_the_bassins_are_loaded(
    delegate_client: Client,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from diagnostics.models import BassinBmo, BmoFact
    from tests.diagnostics.importers.bmo_samples import bmo_row, write_bmo

    path = write_bmo(
        tmp_path / "bmo.xlsx",
        [bmo_row("A0X40", "4418", "12", "5", "*"), bmo_row("A0X41", "4418", "3", "0", "1")],
    )
    refused = _upload_bmo(delegate_client, path, django_capture_on_commit_callbacks)
    assert refused.status == Status.REJECTED
    assert "chargez d'abord les territoires" in refused.error_message
    page = delegate_client.get(reverse("import-detail", args=[refused.pk])).content.decode()
    assert reverse("import-retry", args=[refused.pk]) in page
    assert "Relancer l&#x27;import" in page or "Relancer l'import" in page
    BassinBmo.objects.create(code="4418", name="CHAUMONT")

    with django_capture_on_commit_callbacks(execute=True):
        response = delegate_client.post(reverse("import-retry", args=[refused.pk]))

    retried = ImportBatch.objects.order_by("-pk").first()
    assert retried is not None and retried.pk != refused.pk
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("import-detail", args=[retried.pk])
    assert (retried.status, retried.kind, retried.rows_written) == (Status.DONE, "bmo", 2)
    assert (retried.sha256, retried.file_path) == (refused.sha256, refused.file_path)
    assert retried.uploaded_by is not None and retried.uploaded_by.username == "delegue"
    assert BmoFact.objects.filter(batch=retried).count() == 2
    refused.refresh_from_db()
    assert refused.status == Status.REJECTED  # kept as it was
    page = delegate_client.get(response.headers["Location"]).content.decode()
    assert f"Import relancé : nouvel import n° {retried.pk}." in page
    assert reverse("import-retry", args=[retried.pk]) not in page  # a done batch: no button

    # Clicked again from the refused batch's page: the done batch, nothing re-imported.
    again = delegate_client.post(reverse("import-retry", args=[refused.pk]), follow=True)

    assert ImportBatch.objects.count() == 2
    assert BmoFact.objects.count() == 2
    assert again.redirect_chain == [(reverse("import-detail", args=[retried.pk]), 302)]
    assert "rien n&#x27;a été relancé" in again.content.decode()


def test_retry_refused_for_a_batch_without_its_file_with_the_reason(
    delegate_client: Client,
) -> None:
    batch = _rejected_batch(3)  # refused before reading: no kept file

    page = delegate_client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    response = delegate_client.post(reverse("import-retry", args=[batch.pk]), follow=True)

    assert reverse("import-retry", args=[batch.pk]) not in page
    assert response.redirect_chain == [(reverse("import-detail", args=[batch.pk]), 302)]
    assert "Seul un import refusé ou en échec, dont le fichier est conservé" in (
        response.content.decode()
    )
    assert ImportBatch.objects.count() == 1


def test_retry_by_a_catalogue_admin_only_for_rome_and_fap(client: Client) -> None:
    admin = user_create(username="catalogue", role=Role.CATALOGUE_ADMIN)
    client.force_login(admin)
    fap = ImportBatch.objects.create(
        kind="fap", file_name="fap.csv", file_path="imports/x/fap.csv", sha256="c" * 64,
        status=Status.FAILED, error_message="base indisponible",
    )  # fmt: skip
    bmo = ImportBatch.objects.create(
        kind="bmo", file_name="bmo.xlsx", file_path="imports/y/bmo.xlsx", sha256="d" * 64,
        status=Status.FAILED,
    )  # fmt: skip

    page = client.get(reverse("import-detail", args=[fap.pk])).content.decode()

    assert reverse("import-retry", args=[fap.pk]) in page
    assert client.post(reverse("import-retry", args=[bmo.pk])).status_code == 404
    assert ImportBatch.objects.count() == 2
