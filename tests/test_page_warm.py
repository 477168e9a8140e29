"""Fragments filled before anyone asks (issue 15, « Load held »: `diagnostics.views.page_warm`,
`manage.py warm_pages`, the task sent after a run): a warmed page renders no report, and a
fragment warmed for one reader never shows another what it may not see.

The world is the confidentiality sweep's (tests/test_confidentiality.py): region 44 with the
shared « Bassin Partagé de Chaumont » and the unshared « Bassin Zorglub de Biesles », whose
diagnostic region maps list both; the mayor's office reads the shared basin only."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from diagnostics import dispatch
from diagnostics.models import Basin, DiagnosticRun
from diagnostics.selectors import page_cache
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from diagnostics.views import diagnostic_report
from diagnostics.views.page_warm import (
    diagnostic_reports_warm,
    latest_run_ids,
    pages_warm,
    staff_readers,
)
from implantations.services.sharing import shared_version_create
from tests import test_confidentiality
from tests.test_confidentiality import NAMES, SECRET_A, SECRET_B, SHARED, texts_of

pytestmark = pytest.mark.django_db

scene = test_confidentiality.scene  # the sweep's world, as a fixture of this module


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def no_render(monkeypatch):  # type: ignore[no-untyped-def]
    """From now on, rendering a report fails the test: a page must find it in the cache."""

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("report rendered during the request: the fragment was not warm")

    def arm() -> None:
        monkeypatch.setattr(diagnostic_report, "render_to_string", refuse)

    return arm


def test_staff_readers_keep_one_account_per_reach(scene):  # type: ignore[no-untyped-def]
    readers = staff_readers()

    # The scene's national admin, the delegate of 44 and the delegate of 53 (the demo's
    # catalogue admin, mayors and API client read no run page).
    assert sorted(u.username for u in readers) == sorted(
        [
            scene.users["admin_national"].username,
            scene.users["delegue_region_a"].username,
            scene.users["delegue_region_b"].username,
        ]
    )


def test_a_warmed_report_is_served_without_rendering(scene, no_render):  # type: ignore[no-untyped-def]
    cache.clear()
    run = scene.runs[SHARED]

    built = diagnostic_reports_warm(run_id=run.pk)
    no_render()
    as_delegate = _client(scene.users["delegue_region_a"]).get(
        reverse("diagnostic-detail", args=[run.pk])
    )
    as_admin = _client(scene.users["admin_national"]).get(
        reverse("diagnostic-detail", args=[run.pk])
    )

    # The admin and the delegate of 44 read the run (the delegate of 53 does not) with the same
    # scope and rights (both may run it and import): one fragment for both.
    assert built == 1
    assert as_delegate.status_code == as_admin.status_code == 200
    assert NAMES[SECRET_A][0] in "\n".join(texts_of(as_delegate))


def test_warming_again_renders_nothing(scene):  # type: ignore[no-untyped-def]
    cache.clear()
    first = diagnostic_reports_warm(run_id=scene.runs[SHARED].pk)

    again = diagnostic_reports_warm(run_id=scene.runs[SHARED].pk)

    assert (first, again) == (1, 0)


def test_a_version_warmed_for_its_mayor_shows_only_its_basin(scene, no_render):  # type: ignore[no-untyped-def]
    delegate, mayor = scene.users["delegue_region_a"], scene.users["mairie_partagee"]
    version = shared_version_create(
        run=scene.runs[SHARED], user=delegate, recipients=[mayor.username]
    )
    cache.clear()

    built = pages_warm(run_id=scene.runs[SHARED].pk)
    no_render()
    page = reverse("shared-version-detail", args=[version.pk])
    mayor_text = "\n".join(texts_of(_client(mayor).get(page)))
    delegate_text = "\n".join(texts_of(_client(delegate).get(page)))

    # The report of /diagnostics/<id>/ (admin and delegate of 44 alike), and the version's
    # for the staff (one) and for the mayor (its own scope: another).
    assert built == {
        "diagnostics.views.page_warm.diagnostic_reports_warm": 1,
        "implantations.views.page_warm.shared_versions_warm": 2,
    }
    assert NAMES[SHARED][0] in mayor_text
    assert NAMES[SECRET_A][0] not in mayor_text
    assert NAMES[SECRET_A][0] in delegate_text


def test_a_version_with_a_live_link_is_warmed_for_the_links_readers(scene, no_render):  # type: ignore[no-untyped-def]
    from diagnostics.services.share_links import share_link_create

    delegate, mayor = scene.users["delegue_region_a"], scene.users["mairie_partagee"]
    version = shared_version_create(
        run=scene.runs[SHARED], user=delegate, recipients=[mayor.username]
    )
    created = share_link_create(version=version, user=delegate, label="conseil municipal")
    cache.clear()

    built = pages_warm(run_id=scene.runs[SHARED].pk)
    no_render()
    page = Client().get(reverse("share-link-open", args=[created.token]))

    # The version's fragments for the staff and the mayor, and one for the link's readers.
    assert built["implantations.views.page_warm.shared_versions_warm"] == 3
    assert page.status_code == 200
    text = page.content.decode()
    assert NAMES[SHARED][0] in text and NAMES[SECRET_A][0] not in text
    assert "jeton-du-lien" not in text  # the fragment's placeholder, never shown


def test_a_link_that_no_longer_opens_is_not_warmed(scene):  # type: ignore[no-untyped-def]
    from diagnostics.services.share_links import share_link_create, share_link_revoke

    delegate, mayor = scene.users["delegue_region_a"], scene.users["mairie_partagee"]
    version = shared_version_create(
        run=scene.runs[SHARED], user=delegate, recipients=[mayor.username]
    )
    created = share_link_create(version=version, user=delegate)
    share_link_revoke(link=created.link, user=delegate)
    cache.clear()

    built = pages_warm(run_id=scene.runs[SHARED].pk)

    assert built["implantations.views.page_warm.shared_versions_warm"] == 2


def test_a_new_link_sends_the_warm_up_of_its_run(
    scene, settings, monkeypatch, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    from diagnostics.services.share_links import share_link_create

    sent: list[tuple[str, tuple[object, ...]]] = []
    monkeypatch.setattr(
        "diagnostics.services.share_links.task_send",
        lambda name, *args, **kwargs: sent.append((name, args)) or True,
    )
    delegate, mayor = scene.users["delegue_region_a"], scene.users["mairie_partagee"]
    version = shared_version_create(
        run=scene.runs[SHARED], user=delegate, recipients=[mayor.username]
    )

    settings.PAGES_WARM_AFTER_RUN = False
    with django_capture_on_commit_callbacks(execute=True):
        share_link_create(version=version, user=delegate)
    assert sent == []
    settings.PAGES_WARM_AFTER_RUN = True
    with django_capture_on_commit_callbacks(execute=True):
        share_link_create(version=version, user=delegate)
    assert sent == [(dispatch.PAGES_WARM, (scene.runs[SHARED].pk,))]


def test_warm_pages_command_fills_the_latest_run_of_every_basin(scene):  # type: ignore[no-untyped-def]
    cache.clear()
    out = StringIO()

    call_command("warm_pages", stdout=out, stderr=StringIO())

    # Three basins, one run each, each read alike by the admin and its region's delegate; no
    # shared version yet.
    assert "diagnostics.views.page_warm.diagnostic_reports_warm : 3 fragment(s)" in out.getvalue()
    assert "implantations.views.page_warm.shared_versions_warm : 0 fragment(s)" in out.getvalue()


def test_a_computed_run_sends_its_warm_up(
    scene, settings, monkeypatch, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    sent: list[tuple[str, tuple[object, ...]]] = []
    monkeypatch.setattr(
        "diagnostics.services.diagnostics.task_send",
        lambda name, *args, **kwargs: sent.append((name, args)) or True,
    )
    settings.PAGES_WARM_AFTER_RUN = True
    run = diagnostic_request(basin_id=scene.basins[SHARED].pk, params={"top_n": 5}, enqueue=False)

    with django_capture_on_commit_callbacks(execute=True):
        done = diagnostic_execute(run_id=run.pk)

    assert done.status == DiagnosticRun.Status.DONE
    assert (dispatch.PAGES_WARM, (run.pk,)) in sent


def test_no_warm_up_when_the_setting_is_off(
    scene, settings, monkeypatch, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    sent: list[str] = []
    monkeypatch.setattr(
        "diagnostics.services.diagnostics.task_send",
        lambda name, *args, **kwargs: sent.append(name) or True,
    )
    settings.PAGES_WARM_AFTER_RUN = False
    run = diagnostic_request(basin_id=scene.basins[SHARED].pk, params={"top_n": 5}, enqueue=False)

    with django_capture_on_commit_callbacks(execute=True):
        diagnostic_execute(run_id=run.pk)

    assert dispatch.PAGES_WARM not in sent


def test_the_warm_up_task_fills_the_run(scene):  # type: ignore[no-untyped-def]
    from diagnostics.tasks import pages_warm as task

    cache.clear()

    built = task.delay(scene.runs[SHARED].pk).get()

    assert built["diagnostics.views.page_warm.diagnostic_reports_warm"] == 1
    assert page_cache.fragments_built() > 0


def test_reference_basins_are_warmed_only_when_asked(scene):  # type: ignore[no-untyped-def]
    Basin.objects.filter(pk=scene.basins[SECRET_B].pk).update(is_reference=True)
    runs = {key: run.pk for key, run in scene.runs.items()}

    listed = latest_run_ids()
    with_references = latest_run_ids(references=True)

    assert listed == sorted([runs[SHARED], runs[SECRET_A]])
    assert with_references == sorted(runs.values())
