"""Production settings are secure by default: with DEBUG and the demo off and nothing but a
secret key and the hosts given, `check --deploy --fail-level WARNING` passes; cookies are Secure,
HttpOnly, SameSite=Lax with the __Host- prefix; a session ends after SESSION_IDLE_MINUTES idle
and SESSION_ABSOLUTE_HOURS after login."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from diagnostics.middleware import AUTH_STARTED_KEY, SEEN_KEY
from tests.factories.basins import make_user

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "prod-like-" + "x9Qz" * 16,
    "DJANGO_DEBUG": "false",
    "DJANGO_DEMO": "false",
    "DJANGO_ALLOWED_HOSTS": "territoires.example.fr",
}
UNSET = ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_COOKIES", "DJANGO_HSTS_SECONDS")


def _production(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET and not k.startswith("PYTEST")}
    env.update(PRODUCTION_ENV)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_defaults():
    # The security checks (all of check --deploy's); `make check` runs every check, the API
    # schema's warnings included.
    result = _production(
        "manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_defaults():
    code = (
        "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE']='cnam_territoires.settings';"
        "django.setup(); from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ['SECURE_SSL_REDIRECT','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE',"
        "'SESSION_COOKIE_HTTPONLY','CSRF_COOKIE_HTTPONLY','SESSION_COOKIE_SAMESITE',"
        "'SESSION_COOKIE_NAME','SECURE_HSTS_SECONDS','SESSION_COOKIE_AGE']}))"
    )
    result = _production("-c", code)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SESSION_COOKIE_AGE": 1800,
    }


@pytest.mark.django_db
def test_login_cookie_is_secure_httponly_samesite_and_short_lived(client, settings):
    user = make_user("delegue-cookie")
    user.set_password("un-mot-de-passe-solide-2026")
    user.save()

    response = client.post(
        reverse("login"),
        {"username": "delegue-cookie", "password": "un-mot-de-passe-solide-2026"},
    )

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid"  # DEBUG is off in the tests
    assert (cookie["secure"], cookie["httponly"], cookie["samesite"], cookie["path"]) == (
        True,
        True,
        "Lax",
        "/",
    )
    assert cookie["max-age"] == 30 * 60


@pytest.mark.django_db
def test_idle_session_has_expired_server_side(client):
    client.force_login(make_user("delegue-idle"))
    assert client.get(reverse("home")).status_code == 200

    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("home"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_activity_slides_the_expiry_at_most_once_a_minute(client, settings):
    client.force_login(make_user("delegue-actif"))
    client.get(reverse("home"))
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 120
    session.save()
    before = Session.objects.get().expire_date
    Session.objects.update(expire_date=before - timezone.timedelta(minutes=10))

    refreshed = client.get(reverse("home"))
    again = client.get(reverse("home"))

    assert settings.SESSION_COOKIE_NAME in refreshed.cookies  # saved with a new expiry
    assert settings.SESSION_COOKIE_NAME not in again.cookies  # within the minute: no write
    assert Session.objects.get().expire_date >= before


@pytest.mark.django_db
def test_session_ends_after_the_absolute_lifetime(client, settings):
    from diagnostics.models import AuditAction, AuditEvent

    client.force_login(make_user("delegue-marathon"))
    client.get(reverse("home"))
    session = client.session
    session[AUTH_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_HOURS * 3600 - 1
    session.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGOUT, username="delegue-marathon"
    ).exists()
