"""Sharing a version of a diagnostic (issue 13): recipients, frozen copies, newer versions and
« ce qui a changé », revocation at once."""

from __future__ import annotations

import pytest

from diagnostics.models import BasinShare, SharedVersion, ShareRecipient
from diagnostics.selectors.access import diagnostic_run_readable_for
from diagnostics.selectors.sharing import (
    home_shared_versions_for,
    shared_version_list_for,
    shared_versions_of_basin,
    version_changes,
)
from diagnostics.services.basin_sharing import basin_unshare
from diagnostics.services.sharing import ShareError, share_recipient_revoke
from implantations.selectors.sharing import version_key_figures
from implantations.services.sharing import shared_version_create
from tests.factories.sharing import done_run, newer_run, sharing_world

pytestmark = pytest.mark.django_db


def _projects(version: SharedVersion) -> str:
    return next(
        f["value"] for f in version_key_figures(version) if f["label"] == "Projets de recrutement"
    )


def test_shared_version_create_freezes_the_run_its_figures_and_recommendation() -> None:
    world = sharing_world()
    run = done_run(world)

    version = shared_version_create(
        run=run,
        user=world.delegate,
        recipients=["mairie-chaumont, ML-CHAUMONT"],
        message="Pour le conseil",
    )

    assert version.run_id == run.pk and version.basin_id == world.basin.pk
    assert version.message == "Pour le conseil"
    assert _projects(version) == "150"  # BMO 2025: 100 + 50 published, the secret cell not counted
    assert version.recommendation is not None and version.recommendation["id"]
    assert set(version.grants.values_list("user__username", flat=True)) == {
        "mairie-chaumont",
        "ml-chaumont",
    }
    # Each recipient also gets the basin-level access grant.
    assert BasinShare.objects.filter(basin=world.basin).count() == 2


@pytest.mark.parametrize(
    "identifier",
    ["delegue-44", "delegue-53", "inconnu", "ancienne-mairie"],
    ids=["delegate", "other-delegate", "unknown", "deactivated"],
)
def test_shared_version_create_refuses_non_partner_accounts_and_writes_nothing(
    identifier: str,
) -> None:
    world = sharing_world()
    world.other_mayor.username = "ancienne-mairie"
    world.other_mayor.is_active = False
    world.other_mayor.save()
    run = done_run(world)

    with pytest.raises(ShareError) as exc:
        shared_version_create(
            run=run, user=world.delegate, recipients=[f"mairie-chaumont\n{identifier}"]
        )

    assert f"« {identifier} »" in exc.value.message
    assert exc.value.extra["field"] == "recipients"
    assert SharedVersion.objects.count() == 0 and BasinShare.objects.count() == 0


def test_shared_version_create_refuses_another_regions_delegate_and_an_unfinished_run() -> None:
    world = sharing_world()
    run = done_run(world)
    with pytest.raises(ShareError) as exc:
        shared_version_create(run=run, user=world.other_delegate, recipients=["mairie-chaumont"])
    assert exc.value.code == "forbidden"

    from diagnostics.services.diagnostics import diagnostic_request
    from tests.factories.diagnostic_runs import bmo_batch

    bmo_batch(2023, [("4418", "A1Z40", "Agriculteurs salariés", "A", 10, 1, 0)])
    pending = diagnostic_request(basin_id=world.basin.pk, user=world.delegate, enqueue=False)
    with pytest.raises(ShareError) as exc:
        shared_version_create(run=pending, user=world.delegate, recipients=["mairie-chaumont"])
    assert exc.value.code == "run_not_done"
    assert SharedVersion.objects.count() == 0


def test_newer_version_lists_both_newest_first_with_what_changed() -> None:
    world = sharing_world()
    first = shared_version_create(
        run=done_run(world), user=world.delegate, recipients=["mairie-chaumont"]
    )
    second = shared_version_create(
        run=newer_run(world), user=world.delegate, recipients=["mairie-chaumont"]
    )

    versions = shared_versions_of_basin(world.mayor, world.basin)
    assert [v.pk for v in versions] == [second.pk, first.pk]
    home = home_shared_versions_for(world.mayor)
    assert [[v.version.pk for v in entry.versions] for entry in home] == [[second.pk, first.pk]]
    assert all(v.unread for v in home[0].versions)

    second.key_figures = version_key_figures(second)
    first.key_figures = version_key_figures(first)
    changes = version_changes(second, first)
    projects = next(f for f in changes["figures"] if f["label"] == "Projets de recrutement")
    assert projects["old"] == "150 (BMO 2025)" and projects["new"] == "200 (BMO 2026)"
    assert projects["changed"] is True
    population = next(f for f in changes["figures"] if f["label"] == "Population")
    assert population["changed"] is False
    # The first version still reads what it read.
    first.refresh_from_db()
    assert _projects(first) == "150"


def test_sharing_the_same_run_again_adds_recipients_without_changing_the_version() -> None:
    world = sharing_world()
    run = done_run(world)
    version = shared_version_create(
        run=run, user=world.delegate, recipients=["mairie-chaumont"], message="A"
    )
    again = shared_version_create(
        run=run, user=world.delegate, recipients=["ml-chaumont"], message="B"
    )
    assert again.pk == version.pk
    again.refresh_from_db()
    assert again.message == "A"
    assert again.grants.count() == 2


def test_revoke_takes_effect_at_once_for_the_version_and_its_run() -> None:
    world = sharing_world()
    run = done_run(world)
    version = shared_version_create(
        run=run, user=world.delegate, recipients=["mairie-chaumont", "ml-chaumont"]
    )
    assert diagnostic_run_readable_for(world.mayor).filter(pk=run.pk).exists()

    revoked = share_recipient_revoke(
        version=version, user=world.delegate, recipient_id=world.mayor.pk
    )

    assert revoked == 1
    assert not shared_version_list_for(world.mayor).filter(pk=version.pk).exists()
    assert not diagnostic_run_readable_for(world.mayor).filter(pk=run.pk).exists()
    assert shared_version_list_for(world.partner).filter(pk=version.pk).exists()
    with pytest.raises(ShareError):
        share_recipient_revoke(version=version, user=world.other_delegate)


def test_mayor_never_reads_an_unshared_run_of_a_shared_basin() -> None:
    world = sharing_world()
    shared = done_run(world)
    shared_version_create(run=shared, user=world.delegate, recipients=["mairie-chaumont"])
    unshared = newer_run(world)
    readable = set(diagnostic_run_readable_for(world.mayor).values_list("pk", flat=True))
    assert readable == {shared.pk}
    assert unshared.pk not in readable
    assert set(diagnostic_run_readable_for(world.delegate).values_list("pk", flat=True)) == {
        shared.pk,
        unshared.pk,
    }


def test_basin_unshare_revokes_every_version_of_the_basin() -> None:
    world = sharing_world()
    shared_version_create(run=done_run(world), user=world.delegate, recipients=["mairie-chaumont"])
    shared_version_create(run=newer_run(world), user=world.delegate, recipients=["mairie-chaumont"])

    assert basin_unshare(basin=world.basin, user_id=world.mayor.pk, by=world.delegate) == 1

    assert not shared_version_list_for(world.mayor).exists()
    assert ShareRecipient.objects.filter(user=world.mayor, revoked_at__isnull=False).count() == 2
