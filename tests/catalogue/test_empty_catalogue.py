"""A gap with an empty catalogue says so, and whom to ask (issue 10 §4)."""

import pytest
from django.test import Client
from django.urls import reverse

from catalogue.models import TrainingPath
from diagnostics.models import Role
from diagnostics.services.accounts import user_create
from tests.catalogue.scenario import build_scenario

pytestmark = pytest.mark.django_db
SENTENCE = "Aucun parcours actif dans le catalogue : l'administrateur du catalogue"


def test_gap_with_no_active_path_names_the_catalogue_admin_and_links_for_them(
    client: Client,
) -> None:
    scenario = build_scenario()
    TrainingPath.objects.update(status=TrainingPath.Status.ARCHIVED)
    client.force_login(user_create(username="admin", role=Role.NATIONAL_ADMIN))

    page = client.get(reverse("catalogue-basin-gap", args=[scenario.basin.pk])).content.decode()

    assert SENTENCE in page
    assert f'href="{reverse("admin:catalogue_trainingpath_changelist")}"' in page
    assert "les métiers des parcours n'ont pas de donnée" not in page


def test_gap_with_no_active_path_for_a_mayor_has_no_admin_link(client: Client) -> None:
    scenario = build_scenario()
    TrainingPath.objects.update(status=TrainingPath.Status.ARCHIVED)
    mayor = user_create(username="maire", role=Role.MAYOR_VIEWER)
    from implantations.services.sharing import shared_version_create

    version = shared_version_create(run=scenario.run, user=None, recipients=["maire"])
    client.force_login(mayor)

    # A mayor's office reads the gap frozen in its version (ADR 0014): nothing ranked, and no
    # link to the catalogue admin it may not open.
    page = client.get(reverse("shared-version-detail", args=[version.pk])).content.decode()

    assert "Aucun parcours classé." in page
    assert reverse("admin:catalogue_trainingpath_changelist") not in page
