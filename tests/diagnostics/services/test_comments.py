"""Comments on a shared version (issue 13): who may write, threads, the edit delay, the
delegates' notification (in-app and e-mail)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from diagnostics.models import Notification, ShareComment
from diagnostics.selectors.sharing import comment_threads
from diagnostics.services.comments import (
    share_comment_create,
    share_comment_delete,
    share_comment_edit,
)
from diagnostics.services.sharing import ShareError, share_recipient_revoke
from implantations.services.sharing import shared_version_create
from tests.factories.sharing import done_run, sharing_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared():  # type: ignore[no-untyped-def]
    world = sharing_world()
    world.delegate.email = "delegue@cnam.example"
    world.delegate.save()
    version = shared_version_create(
        run=done_run(world), user=world.delegate, recipients=["mairie-chaumont", "ml-chaumont"]
    )
    return world, version


def test_mayor_comment_notifies_the_region_delegates_in_app_and_by_mail(
    shared,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    world, version = shared
    with django_capture_on_commit_callbacks(execute=True):
        comment = share_comment_create(
            version_id=version.pk,
            user=world.mayor,
            section="chomage",
            body="Le taux baisse chez nous.",
        )
    assert comment.author == world.mayor and comment.section == "chomage"
    notes = list(Notification.objects.filter(user=world.delegate))
    assert len(notes) == 1
    assert "Claire Maire (Mairie de Chaumont) a commenté « Chômage »" in notes[0].text
    assert notes[0].url.endswith(f"#commentaire-{comment.pk}")
    assert not Notification.objects.filter(user=world.other_delegate).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["delegue@cnam.example"]


def test_delegate_reply_is_threaded_and_notifies_nobody(shared) -> None:  # type: ignore[no-untyped-def]
    world, version = shared
    root = share_comment_create(
        version_id=version.pk, user=world.mayor, section="tension", body="Q ?"
    )
    reply = share_comment_create(
        version_id=version.pk, user=world.delegate, section="chomage", body="R.", parent_id=root.pk
    )
    again = share_comment_create(
        version_id=version.pk, user=world.partner, section="tension", body="R2.", parent_id=reply.pk
    )
    assert reply.section == "tension"  # a reply stays in its thread's section
    threads = comment_threads(version)["tension"]
    assert len(threads) == 1
    assert threads[0].comment.pk == root.pk
    assert [c.pk for c in threads[0].replies] == [reply.pk, again.pk]
    assert Notification.objects.count() == 2  # the mayor's and the partner's, not the delegate's


def test_comment_on_a_revoked_share_is_refused(shared) -> None:  # type: ignore[no-untyped-def]
    world, version = shared
    share_recipient_revoke(version=version, user=world.delegate, recipient_id=world.mayor.pk)
    with pytest.raises(ShareError) as exc:
        share_comment_create(version_id=version.pk, user=world.mayor, section="general", body="?")
    assert exc.value.code == "not_found"
    with pytest.raises(ShareError):
        share_comment_create(
            version_id=version.pk, user=world.other_mayor, section="general", body="?"
        )
    with pytest.raises(ShareError):
        share_comment_create(
            version_id=version.pk, user=world.other_delegate, section="general", body="?"
        )
    assert ShareComment.objects.count() == 0


@pytest.mark.parametrize(
    ("section", "body", "field"),
    [("inconnue", "texte", "section"), ("general", "   ", "body"), ("general", "x" * 4001, "body")],
)
def test_comment_bad_input_names_the_field(shared, section: str, body: str, field: str) -> None:  # type: ignore[no-untyped-def]
    world, version = shared
    with pytest.raises(ShareError) as exc:
        share_comment_create(version_id=version.pk, user=world.mayor, section=section, body=body)
    assert exc.value.extra["field"] == field


def test_author_edits_and_deletes_own_comment_within_the_delay_only(shared) -> None:  # type: ignore[no-untyped-def]
    world, version = shared
    comment = share_comment_create(
        version_id=version.pk, user=world.mayor, section="general", body="v1"
    )
    with pytest.raises(ShareError) as exc:
        share_comment_edit(comment_id=comment.pk, user=world.partner, body="pirate")
    assert exc.value.code == "forbidden"

    edited = share_comment_edit(comment_id=comment.pk, user=world.mayor, body="v2")
    assert edited.body == "v2" and edited.edited_at is not None

    ShareComment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=16)
    )
    with pytest.raises(ShareError) as exc:
        share_comment_delete(comment_id=comment.pk, user=world.mayor)
    assert exc.value.code == "too_late"
    assert ShareComment.objects.get(pk=comment.pk).deleted_at is None

    fresh = share_comment_create(
        version_id=version.pk, user=world.mayor, section="general", body="x"
    )
    deleted = share_comment_delete(comment_id=fresh.pk, user=world.mayor)
    assert deleted.deleted_at is not None and deleted.body == ""
