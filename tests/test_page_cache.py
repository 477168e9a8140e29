"""Cached fragments of the heavy pages (issue 15, `diagnostics.selectors.page_cache`): a
fragment cached for one reader never shows another reader what it may not see, and a change of
what a fragment reads (catalogue, imports, territories) renews it at once.

The world is the confidentiality sweep's (tests/test_confidentiality.py): region 44 with the
shared « Bassin Partagé de Chaumont » and the unshared « Bassin Zorglub de Biesles », whose
diagnostic region maps list both."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Concept
from catalogue.selectors.catalogue import catalogue_version
from diagnostics.models import ImportBatch, TerritoryLoad
from diagnostics.selectors.page_cache import data_version
from implantations.services.sharing import shared_version_create
from tests import test_confidentiality
from tests.factories.catalogue import make_path
from tests.factories.diagnostic_runs import done_batch
from tests.test_confidentiality import NAMES, SECRET_A, SHARED, texts_of

pytestmark = pytest.mark.django_db

scene = test_confidentiality.scene  # the sweep's world, as a fixture of this module
EMPTY_CATALOGUE = "Aucun parcours actif dans le catalogue"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(texts_of(response))


def test_a_report_cached_for_the_delegate_shows_the_mayor_only_its_basin(scene):  # type: ignore[no-untyped-def]
    delegate, mayor = scene.users["delegue_region_a"], scene.users["mairie_partagee"]
    run = scene.runs[SHARED]
    version = shared_version_create(run=run, user=delegate, recipients=[mayor.username])
    page = reverse("shared-version-detail", args=[version.pk])
    export = reverse("diagnostic-export", args=[run.pk, "tout", "xlsx"])
    as_delegate, as_mayor = _client(delegate), _client(mayor)

    delegate_page, delegate_export = as_delegate.get(page), as_delegate.get(export)
    mayor_page, mayor_export = as_mayor.get(page), as_mayor.get(export)

    # The delegate's answers (cached first) list the unshared basin of the region map…
    assert NAMES[SECRET_A][0] in _text(delegate_page)
    assert NAMES[SECRET_A][0] in _text(delegate_export)
    # …the mayor's, asked next, never do; they show its own basin.
    assert mayor_page.status_code == mayor_export.status_code == 200
    assert NAMES[SECRET_A][0] not in _text(mayor_page)
    assert NAMES[SECRET_A][0] not in _text(mayor_export)
    assert NAMES[SHARED][0] in _text(mayor_page)


def test_a_report_cached_for_the_mayor_shows_the_delegate_every_basin(scene):  # type: ignore[no-untyped-def]
    delegate, mayor = scene.users["delegue_region_a"], scene.users["mairie_partagee"]
    version = shared_version_create(
        run=scene.runs[SHARED], user=delegate, recipients=[mayor.username]
    )
    page = reverse("shared-version-detail", args=[version.pk])

    mayor_text = _text(_client(mayor).get(page))
    delegate_text = _text(_client(delegate).get(page))

    assert NAMES[SECRET_A][0] not in mayor_text
    assert NAMES[SECRET_A][0] in delegate_text


def test_the_report_shows_a_path_added_to_the_catalogue_after_it_was_cached(scene):  # type: ignore[no-untyped-def]
    client = _client(scene.users["delegue_region_a"])
    url = reverse("diagnostic-detail", args=[scene.runs[SHARED].pk])
    before = client.get(url).content.decode()

    make_path(title="Parcours ajouté après coup")
    after = client.get(url).content.decode()

    assert EMPTY_CATALOGUE in before
    assert EMPTY_CATALOGUE not in after


def test_data_version_changes_with_what_fragments_read(scene):  # type: ignore[no-untyped-def]
    start = data_version()

    batch = done_batch("bmo", "2030")
    with_batch = data_version()
    # A batch superseded by a claim (a queryset update: no signal) counts too.
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.SUPERSEDED)
    superseded = data_version()
    TerritoryLoad.objects.create(
        dataset="communes", status=TerritoryLoad.Status.DONE, started_at=timezone.now()
    )
    loaded = data_version()

    assert len({start, with_batch, loaded}) == 3
    assert superseded == start  # the batches in force are those of the start again


def test_catalogue_version_changes_with_a_path_and_a_list_label() -> None:
    start = catalogue_version()
    path = make_path(title="Parcours A")
    with_path = catalogue_version()
    path.concepts.set(Concept.objects.filter(code="fab_id"))
    with_concept = catalogue_version()
    Concept.objects.filter(code="fab_id").update(label="Fab ID renommé")
    relabelled = catalogue_version()

    assert len({start, with_path, with_concept, relabelled}) == 4


def test_data_version_reads_one_query_per_app(scene):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        data_version()

    # Every page with a fragment reads it: the import batches and territories in one query,
    # the catalogue (registered by its app) in another.
    assert len(queries) == 2


def test_a_cached_report_page_stays_within_its_queries(scene):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(scene.users["delegue_region_a"])
    url = reverse("diagnostic-detail", args=[scene.runs[SHARED].pk])
    client.get(url)  # the report's fragment is cached

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    # Session, user, the run and its batches, the reader's scope, the fragment's key (basins,
    # data: 3), notifications, demo notice… 16 while the data version took four queries.
    assert response.status_code == 200
    assert len(queries) <= 14, "\n".join(q["sql"][:120] for q in queries)
