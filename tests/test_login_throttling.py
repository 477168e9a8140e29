"""Security review, extra: password spraying (one password tried over many usernames from one
address) is throttled. django-axes locks a client address after AXES_FAILURE_LIMIT failures,
whatever the usernames, as well as a username + address pair; another address is not locked."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories.basins import make_user

pytestmark = pytest.mark.django_db

SPRAYER = "203.0.113.7"  # documentation range (RFC 5737): never a real client
OTHER = "198.51.100.20"


def _login(client, username: str, password: str, ip: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_lockout_parameters_cover_the_address_alone():
    assert "ip_address" in settings.AXES_LOCKOUT_PARAMETERS
    assert ["username", "ip_address"] in settings.AXES_LOCKOUT_PARAMETERS


def test_one_password_over_many_usernames_locks_the_address(client):
    limit = settings.AXES_FAILURE_LIMIT
    victim = make_user("delegue-victime")
    victim.set_password("le-bon-mot-de-passe-2026")
    victim.save()

    # One failure per username: no username+address pair reaches the limit.
    answers = [_login(client, f"compte-{i}", "Printemps2026!", SPRAYER) for i in range(limit)]
    locked = _login(client, victim.username, "le-bon-mot-de-passe-2026", SPRAYER)
    elsewhere = _login(client, victim.username, "le-bon-mot-de-passe-2026", OTHER)

    assert [a.status_code for a in answers[:-1]] == [200] * (limit - 1)  # form again
    assert locked.status_code == 429
    assert "Trop de tentatives de connexion infructueuses" in locked.content.decode()
    assert elsewhere.status_code == 302  # the right password from another address


def test_one_username_from_many_addresses_is_locked(client, settings):
    """A distributed brute force on one account: each address stays under axes' limit, the
    username alone reaches LOGIN_USERNAME_FAILURE_LIMIT and is refused from a new address."""
    from diagnostics.models import AuditAction, AuditEvent

    settings.LOGIN_USERNAME_FAILURE_LIMIT = 4
    victim = make_user("delegue-cible")
    victim.set_password("le-bon-mot-de-passe-2026")
    victim.save()

    answers = [
        _login(client, "delegue-cible", f"essai-{i}", f"198.51.100.{i + 1}") for i in range(4)
    ]
    locked = _login(client, "delegue-cible", "le-bon-mot-de-passe-2026", "192.0.2.200")
    other = _login(client, "delegue-cible-bis", "x", "192.0.2.201")

    assert [a.status_code for a in answers] == [200] * 4
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(settings.LOGIN_USERNAME_WINDOW_MINUTES * 60)
    assert "pour le compte « delegue-cible »" in locked.content.decode()
    assert other.status_code == 200  # another username is not locked
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.LOCKOUT, username="delegue-cible", details__scope="username"
        ).count()
        == 1
    )


def test_global_failures_suspend_every_password_login(client, settings):
    """A botnet: many usernames from many addresses. Past LOGIN_GLOBAL_FAILURE_LIMIT failures
    in the window, every login is refused (429), the admin's too."""
    settings.LOGIN_GLOBAL_FAILURE_LIMIT = 6
    user = make_user("delegue-honnete")
    user.set_password("le-bon-mot-de-passe-2026")
    user.save()

    for i in range(6):
        _login(client, f"compte-{i}", "Printemps2026!", f"203.0.113.{i + 10}")
    refused = _login(client, "delegue-honnete", "le-bon-mot-de-passe-2026", "192.0.2.9")
    admin = client.post(
        reverse("admin:login"), {"username": "x", "password": "y"}, REMOTE_ADDR="192.0.2.10"
    )

    assert refused.status_code == 429
    assert "connexions par mot de passe sont suspendues" in refused.content.decode()
    assert admin.status_code == 429


def test_under_the_limits_the_right_password_logs_in(client):
    user = make_user("delegue-distrait")
    user.set_password("le-bon-mot-de-passe-2026")
    user.save()

    _login(client, "delegue-distrait", "faux", "192.0.2.50")
    ok = _login(client, "delegue-distrait", "le-bon-mot-de-passe-2026", "192.0.2.50")

    assert ok.status_code == 302
