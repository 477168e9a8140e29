"""The security audit log: who, when, what, from where, for each audited action, and its
retention (diagnostics.services.audit, diagnostics.signals)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import AuditAction, AuditEvent, BasinShare, ImportBatch, Role
from diagnostics.services.accounts import user_create
from diagnostics.services.audit import audit_purge, audit_record
from diagnostics.services.tokens import api_token_create, api_token_revoke
from tests.factories.basins import BasinFactory, make_region, make_user

pytestmark = pytest.mark.django_db

CLIENT_IP = "203.0.113.41"


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_login_logout_and_failed_login_are_recorded_with_address(client):
    user = make_user("delegue-journal")
    user.set_password("un-mot-de-passe-solide-2026")
    user.save()

    client.post(
        reverse("login"), {"username": "delegue-journal", "password": "faux"}, REMOTE_ADDR=CLIENT_IP
    )
    client.post(
        reverse("login"),
        {"username": "delegue-journal", "password": "un-mot-de-passe-solide-2026"},
        REMOTE_ADDR=CLIENT_IP,
    )
    client.post(reverse("logout"), REMOTE_ADDR=CLIENT_IP)

    failed, login, logout = (
        _events(AuditAction.LOGIN_FAILED),
        _events(AuditAction.LOGIN),
        _events(AuditAction.LOGOUT),
    )
    assert [(e.username, e.actor_id, e.ip_address) for e in failed] == [
        ("delegue-journal", None, CLIENT_IP)
    ]
    assert [(e.username, e.actor_id, e.ip_address) for e in login] == [
        ("delegue-journal", user.pk, CLIENT_IP)
    ]
    assert [(e.username, e.ip_address) for e in logout] == [("delegue-journal", CLIENT_IP)]


def test_share_and_revoke_through_the_page_record_who_and_whom(client):
    region = make_region("44", "Grand Est")
    delegate = make_user("delegue-44", regions=[region])
    mayor = make_user("mairie-chaumont", role=Role.MAYOR_VIEWER)
    basin = BasinFactory(name="Bassin de Chaumont", region=region)
    client.force_login(delegate)

    client.post(
        reverse("basin-share", args=[basin.pk]), {"user": "mairie-chaumont"}, REMOTE_ADDR=CLIENT_IP
    )
    assert BasinShare.objects.filter(basin=basin, user=mayor).exists()
    client.post(
        reverse("basin-share", args=[basin.pk]),
        {"action": "unshare", "user_id": mayor.pk},
        REMOTE_ADDR=CLIENT_IP,
    )

    share, unshare = _events(AuditAction.SHARE), _events(AuditAction.UNSHARE)
    assert [(e.username, e.target_label, e.target_id, e.details, e.ip_address) for e in share] == [
        (
            "delegue-44",
            "Bassin de Chaumont",
            str(basin.pk),
            {"shared_with": "mairie-chaumont"},
            CLIENT_IP,
        )
    ]
    assert [(e.username, e.target_id, e.details) for e in unshare] == [
        ("delegue-44", str(basin.pk), {"shared_with": "mairie-chaumont"})
    ]


def test_basin_deletion_through_the_page_is_recorded(client):
    region = make_region("44", "Grand Est")
    delegate = make_user("delegue-44", regions=[region])
    basin = BasinFactory(name="Bassin à supprimer", region=region)
    pk = basin.pk
    client.force_login(delegate)

    client.post(reverse("basin-delete", args=[pk]), {"confirm": "oui"}, REMOTE_ADDR=CLIENT_IP)

    [event] = _events(AuditAction.BASIN_DELETE)
    assert (event.username, event.target_type, event.target_id, event.target_label) == (
        "delegue-44",
        "diagnostics.Basin",
        str(pk),
        "Bassin à supprimer",
    )
    assert event.ip_address == CLIENT_IP


def test_account_creation_role_change_and_token_are_recorded():
    make_region("44", "Grand Est")
    user = user_create(username="client-api-x", role=Role.API_CLIENT, regions=["44"])
    created = api_token_create(user=user, name="tableau", scopes=["indicators:read"])

    user.role = Role.MAYOR_VIEWER
    user.save()
    user.regions.clear()
    api_token_revoke(token=created.token)

    assert [e.details for e in _events(AuditAction.USER_CREATE)] == [{"role": "client_api"}]
    [token_event] = _events(AuditAction.TOKEN_CREATE)
    assert token_event.target_id == str(user.pk)
    assert token_event.details == {
        "token": f"cnt_{created.token.prefix}_…",
        "name": "tableau",
        "scopes": ["indicators:read"],
    }
    assert created.key not in str(token_event.details)  # never the secret
    assert [e.details for e in _events(AuditAction.ROLE_CHANGE)] == [
        {"role_before": "client_api", "role_after": "mairie"},
        {"regions_after": [], "change": "clear"},
    ]
    assert [e.target_id for e in _events(AuditAction.TOKEN_REVOKE)] == [str(user.pk)]


def test_import_batch_creation_is_recorded_with_its_uploader():
    uploader = make_user("delegue-import")
    ImportBatch.objects.create(
        kind="bmo", file_name="bmo-2025.xlsx", sha256="a" * 64, uploaded_by=uploader
    )

    [event] = _events(AuditAction.IMPORT)
    assert (event.username, event.target_label, event.details["kind"]) == (
        "delegue-import",
        "bmo-2025.xlsx",
        "bmo",
    )


def test_audit_record_refuses_an_unknown_action():
    with pytest.raises(ValueError, match="inconnue"):
        audit_record(action="coffee")


def test_purge_deletes_only_entries_older_than_the_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    old = audit_record(action=AuditAction.LOGIN_FAILED, username="ancien")
    AuditEvent.objects.filter(pk=old.pk).update(at=now - dt.timedelta(days=31))
    recent = audit_record(action=AuditAction.LOGIN_FAILED, username="recent")
    AuditEvent.objects.filter(pk=recent.pk).update(at=now - dt.timedelta(days=29))

    assert audit_purge(now=now) == 1

    assert sorted(AuditEvent.objects.values_list("username", flat=True)) == ["", "recent"]
    assert _events(AuditAction.AUDIT_PURGE)[0].details["deleted"] == 1


def test_purge_command_takes_days(capsys):
    old = audit_record(action=AuditAction.LOGIN_FAILED, username="ancien")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=3))

    call_command("audit_purge", "--days", "2")

    assert "1 entrée(s)" in capsys.readouterr().out
    assert not AuditEvent.objects.filter(username="ancien").exists()


def test_purge_applies_the_retention_to_axes_logs_and_expired_sessions(settings):
    from axes.models import AccessLog
    from django.contrib.sessions.models import Session

    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    old = AccessLog.objects.create(ip_address="192.0.2.1", username="ancien", user_agent="x")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=now - dt.timedelta(days=40))
    AccessLog.objects.create(ip_address="192.0.2.2", username="recent", user_agent="x")
    Session.objects.create(
        session_key="a" * 32, session_data="", expire_date=now - dt.timedelta(minutes=1)
    )
    Session.objects.create(
        session_key="b" * 32, session_data="", expire_date=now + dt.timedelta(minutes=5)
    )

    audit_purge(now=now)

    assert list(AccessLog.objects.values_list("username", flat=True)) == ["recent"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]
