"""Empty and partial states that help (issue 10 §4): each page that lacks something says what
and how to get it, with the link for the roles allowed to act."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from diagnostics.models import Role
from diagnostics.selectors import diagnostic_frames
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.basins import make_region, make_user
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.sharing import share_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    diagnostic_frames.frames_cache_clear()
    yield
    diagnostic_frames.frames_cache_clear()


# --- A diagnostic without a dataset ---------------------------------------------------------


def test_report_without_bmo_names_the_dataset_the_import_page_and_the_command(client):
    world = diagnostic_world(sources=("chomage_ze", "defm"))
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    client.force_login(world.delegate)

    page = client.get(reverse("diagnostic-detail", args=[run.pk])).content.decode()

    section = page[page.index('id="recrutements"') : page.index('id="tension"')]
    assert (
        escape("Jeu de données absent de ce diagnostic : « BMO — besoins en main-d'œuvre ")
        in section
    )
    assert f'<a href="{reverse("import-create")}">Données › Imports › Nouvel import</a>' in section
    assert "python manage.py import_dataset --kind bmo FICHIER" in section
    # The sources that were imported keep their own sections.
    chomage = page[page.index('id="chomage"') : page.index('id="demandeurs"')]
    assert "Jeu de données absent" not in chomage


def test_report_for_a_mayor_says_who_imports_without_the_link(client):
    world = diagnostic_world(sources=("bmo",))
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    mayor = make_user("mairie-chaumont", role=Role.MAYOR_VIEWER)
    share_run(run, mayor)
    client.force_login(mayor)

    page = client.get(reverse("diagnostic-detail", args=[run.pk])).content.decode()

    chomage = page[page.index('id="chomage"') : page.index('id="demandeurs"')]
    assert escape("« Taux de chômage par zone d'emploi (Insee) »") in chomage
    assert "l'administrateur national ou la délégation régionale le fait" in chomage
    assert reverse("import-create") not in chomage
    assert "import_dataset --kind chomage_ze FICHIER" in chomage


# --- A region with no registered basin ------------------------------------------------------


def test_planning_on_registered_basins_of_an_empty_region_links_to_register_one(client):
    region = make_region("44", "Grand Est")
    client.force_login(make_user("delegue-44", role=Role.REGIONAL_DELEGATE, regions=[region]))

    response = client.get(reverse("planning"), {"region": "44", "source": "registered"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Aucun bassin enregistré dans la région Grand Est" in page
    assert f'<a class="fr-btn" href="{reverse("basin-create")}">Enregistrer un bassin</a>' in page


def test_basin_list_of_an_empty_region_links_to_register_one(client):
    region = make_region("44", "Grand Est")
    client.force_login(make_user("delegue-44", role=Role.REGIONAL_DELEGATE, regions=[region]))

    page = client.get(reverse("basin-list")).content.decode()

    assert "Aucun bassin pour l'instant" in page
    assert f'<a class="fr-btn" href="{reverse("basin-create")}">Enregistrer un bassin</a>' in page
