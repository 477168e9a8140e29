"""The report leads with the published tension indicator and its factors; without the tensions
import it says which dataset is missing and how to import it (tests/factories/tensions.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from diagnostics.models import BasinShare, Role
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.basins import make_user
from tests.factories.diagnostic_runs import diagnostic_world
from tests.factories.sharing import share_run
from tests.factories.tensions import tension_batches

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_frames_cache")]


def report(client, user, basin) -> str:
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=basin.pk).pk)
    if user.is_mayor_viewer:  # a mayor's office reads the runs shared with it (ADR 0014)
        share_run(run, user)
    client.force_login(user)
    response = client.get(reverse("diagnostic-detail", args=[run.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_report_leads_with_the_published_tensions_and_their_factors(client):
    world = diagnostic_world()
    tension_batches()

    page = report(client, world.delegate, world.basin)

    section = page.index('id="tensions-publiees"')
    assert section < page.index('id="recrutements"') < page.index('id="tension"')
    assert page.index('href="#tensions-publiees"') < page.index('href="#recrutements"')
    body = page[section : page.index('id="recrutements"')]
    assert 'data-figure="tensions_published"' in body
    assert "Le bassin est la réunion exacte du bassin BMO 4418 CHAUMONT" in body
    assert "Source : Dares, France Travail" in body and "millésimes 2019 et 2021" in body
    assert "Intensité des embauches 2019" in body and "non publié" in body
    assert "2019 et 2021" in body and "2021 seulement" in body
    assert "Aménagement et entretien des espaces verts" in body
    assert "Les facteurs ne sont pas publiés en 2019" in body  # the text alternative
    # The recomputed index is a complement, named for what it is.
    assert "En complément : indice recalculé à partir des offres et demandeurs" in page
    assert "Indicateur de tension Dares</h3>" not in page
    assert '"tensions_published"' in page  # the heat-map's JSON


def test_report_without_tensions_names_the_dataset_and_links_the_import_page(client):
    world = diagnostic_world()

    page = report(client, world.delegate, world.basin)

    assert "Aucun indicateur de tension publié dans ce diagnostic" in page
    assert "« Tensions sur le marché du travail par métier (ROME) et bassin BMO »" in page
    assert "import_dataset --kind tensions FICHIER" in page
    assert f'href="{reverse("import-create")}"' in page


def test_mayor_without_import_right_is_told_whom_to_ask(client):
    world = diagnostic_world()
    mayor = make_user("mairie-chaumont", role=Role.MAYOR_VIEWER)
    BasinShare.objects.create(basin=world.basin, user=mayor)

    page = report(client, mayor, world.basin)

    assert "Aucun indicateur de tension publié dans ce diagnostic" in page
    assert f'href="{reverse("import-create")}"' not in page
    assert "Demandez-le à l'administrateur national ou à la délégation régionale." in page
