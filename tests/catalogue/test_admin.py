"""Curation in the admin: search and filters, referential check in the form, history of every
change with its author, and the CSV import page with its line errors."""

from typing import Any

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalogue.models import TrainingPath
from diagnostics.models import Role
from diagnostics.services.accounts import user_create
from tests.factories.catalogue import SectorFactory, make_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(client: Client):  # type: ignore[no-untyped-def]
    user = user_create(username="camille", role=Role.CATALOGUE_ADMIN)
    client.force_login(user)
    return user


def form_data(path: TrainingPath, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": path.code,
        "title": path.title,
        "sector": path.sector_id,
        "status": path.status,
        "certification_type": path.certification_type,
        "rncp_code": "",
        "level": path.level or "",
        "duration_hours": path.duration_hours,
        "modalities": list(path.modalities.values_list("code", flat=True)),
        "cpf_eligible": "on",
        "bmo_codes": " | ".join(path.bmo_codes),
        "rome_codes": " | ".join(path.rome_codes),
    }
    data.update(changes)
    return data


def test_changelist_search_and_filters(client: Client, curator) -> None:
    digital = SectorFactory(code="NUM", name="Numérique")
    make_path(title="Développeur web", sector=digital, modalities=["distance"])
    make_path(title="Module DOC", concepts=["fab_id"])
    url = reverse("admin:catalogue_trainingpath_changelist")

    search = client.get(url, {"q": "web"}).content.decode()
    by_concept = client.get(url, {"concepts__code__exact": "fab_id"}).content.decode()
    without = client.get(url, {"metiers": "sans"}).content.decode()

    assert "Développeur web" in search and "Module DOC" not in search
    assert "Module DOC" in by_concept and "Développeur web" not in by_concept
    assert "Module DOC" in without and "Développeur web" in without  # neither has codes


def test_change_form_checks_codes_against_referentials(client: Client, curator, referentials):
    path = make_path(title="Comptable assistant", bmo_codes=["L1X60"])
    url = reverse("admin:catalogue_trainingpath_change", args=[path.pk])

    response = client.post(url, form_data(path, rome_codes="M1203 | M9999"))

    assert response.status_code == 200
    assert "Code(s) ROME inconnu(s) du référentiel ROME importé : M9999." in (
        response.content.decode()
    )
    path.refresh_from_db()
    assert path.rome_codes == []


def test_every_change_is_in_the_history_with_its_author(client: Client, curator, referentials):
    path = make_path(title="Comptable assistant", bmo_codes=["L1X60"])
    url = reverse("admin:catalogue_trainingpath_change", args=[path.pk])

    response = client.post(
        url, form_data(path, rome_codes="M1203", modalities=["presentiel", "distance"])
    )

    assert response.status_code == 302
    latest = TrainingPath.history.filter(id=path.pk).first()
    assert latest.history_user == curator
    assert latest.rome_codes == ["M1203"]
    assert sorted(m.modality_id for m in latest.modalities.all()) == ["distance", "presentiel"]
    history_page = client.get(reverse("admin:catalogue_trainingpath_history", args=[path.pk]))
    assert history_page.status_code == 200
    assert "camille" in history_page.content.decode()


def _csv_format_index() -> int:
    model_admin: Any = admin.site._registry[TrainingPath]
    formats = model_admin.get_import_formats()
    return next(i for i, f in enumerate(formats) if f().get_title() == "csv")


def test_admin_import_shows_line_errors_and_writes_nothing(client: Client, curator, referentials):
    SectorFactory(code="CPT", name="Comptabilité")
    content = (
        b"code;intitule;filiere;type;niveau;duree_heures;modalites;metiers_bmo;codes_rome\n"
        b"CPT-01;Comptable assistant;CPT;titre_rncp;4;800;presentiel;L1X60;M1203\n"
        b"CPT-02;Gestionnaire de paie;CPT;titre_rncp;5;800;presentiel;L4X80;M1507\n"
    )

    response = client.post(
        reverse("admin:catalogue_trainingpath_import"),
        {
            "format": _csv_format_index(),
            "import_file": SimpleUploadedFile("catalogue.csv", content, "text/csv"),
            "resource": 0,
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "L4X80" in page and "M1507" in page
    assert "Code(s) ROME inconnu(s) du référentiel ROME importé : M1507." in page
    assert not TrainingPath.objects.exists()


def test_delegate_has_no_admin(client: Client) -> None:
    from diagnostics.models import Region

    Region.objects.create(code="44", name="Grand Est")
    client.force_login(user_create(username="d", role=Role.REGIONAL_DELEGATE, regions=["44"]))

    response = client.get(reverse("admin:catalogue_trainingpath_changelist"))

    assert response.status_code == 302  # to the admin login


def test_admin_edits_purposes_rolling_entries_and_rncp_code(client: Client, curator) -> None:
    path = make_path(title="Développeur web", bmo_codes=[], rome_codes=[])
    url = reverse("admin:catalogue_trainingpath_change", args=[path.pk])

    saved = client.post(
        url,
        form_data(
            path,
            purposes=["reconversion", "bootcamp"],
            rolling_entries="on",
            rncp_code="RNCP37674",
            level=7,
        ),
    )
    refused = client.post(url, form_data(path, rncp_code="RNCP-37674"))
    by_purpose = client.get(
        reverse("admin:catalogue_trainingpath_changelist"),
        {"purposes__code__exact": "bootcamp"},
    ).content.decode()

    assert saved.status_code == 302
    path.refresh_from_db()
    assert sorted(path.purposes.values_list("code", flat=True)) == ["bootcamp", "reconversion"]
    assert (path.rolling_entries, path.rncp_code, path.level) == (True, "RNCP37674", 7)
    assert refused.status_code == 200
    assert "Code attendu : RNCP12345 ou RS1234." in refused.content.decode()
    assert "Développeur web" in by_purpose
