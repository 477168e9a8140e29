"""Personal API tokens (issue 14): hashed, scoped, expiring, revocable, throttled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from diagnostics.errors import ApplicationError
from diagnostics.models import ApiToken, Role, Scope
from diagnostics.models.tokens import token_hash
from diagnostics.services.tokens import api_token_create, api_token_revoke
from tests.factories.basins import BasinFactory, make_region, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    region = make_region("44", "Grand Est")
    basin = BasinFactory(name="Bassin de Chaumont", region=region)
    delegate = make_user("delegue-44", role=Role.REGIONAL_DELEGATE, regions=[region])
    return region, basin, delegate


def client_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_is_stored_hashed_and_shown_once(world):
    _, _, delegate = world

    created = api_token_create(user=delegate, name="tableau", scopes=[Scope.INDICATORS_READ])

    row = ApiToken.objects.get()
    assert created.key.startswith(f"cnt_{row.prefix}_") and len(created.key) == 4 + 8 + 1 + 43
    assert row.key_hash == token_hash(created.key)
    assert created.key not in str(ApiToken.objects.values_list().get())
    assert row.expires_at is not None
    assert dt.timedelta(days=89) < row.expires_at - timezone.now() <= dt.timedelta(days=90)


def test_token_scopes_never_exceed_the_role(world):
    region, _, _ = world
    mayor = make_user("mairie", role=Role.MAYOR_VIEWER)

    with pytest.raises(ApplicationError) as refused:
        api_token_create(user=mayor, name="x", scopes=[Scope.BASINS_WRITE])
    with pytest.raises(ApplicationError) as unknown:
        api_token_create(user=mayor, name="x", scopes=["everything"])

    assert refused.value.code == "scope_not_allowed"
    assert "basins:write" in refused.value.message
    assert unknown.value.code == "scope_unknown"
    assert not ApiToken.objects.exists()


def test_token_reads_and_records_its_last_use(world):
    _, basin, delegate = world
    key = api_token_create(user=delegate, name="t", scopes=[Scope.INDICATORS_READ]).key

    response = client_for(key).get(f"/api/v1/basins/{basin.pk}/")

    assert response.status_code == 200
    assert response.json()["name"] == "Bassin de Chaumont"
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("revoke", "Ce jeton a été révoqué."),
        ("expire", "Ce jeton a expiré le"),
        ("unknown", "Jeton inconnu."),
    ],
)
def test_refused_tokens_are_a_401_saying_why(world, change, message):
    _, basin, delegate = world
    created = api_token_create(user=delegate, name="t", scopes=[Scope.INDICATORS_READ])
    key = created.key
    if change == "revoke":
        api_token_revoke(token=created.token)
    elif change == "expire":
        ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    else:
        key = key[:-4] + ("aaaa" if not key.endswith("aaaa") else "bbbb")

    response = client_for(key).get(f"/api/v1/basins/{basin.pk}/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response.json()["error"]["message"].startswith(message)
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_without_the_scope_is_a_403_naming_it(world):
    _, basin, delegate = world
    key = api_token_create(user=delegate, name="lecture", scopes=[Scope.INDICATORS_READ]).key

    response = client_for(key).patch(
        f"/api/v1/basins/{basin.pk}/", {"name": "Nouveau nom"}, format="json"
    )

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "insufficient_scope"
    assert "basins:write" in error["message"]
    basin.refresh_from_db()
    assert basin.name == "Bassin de Chaumont"


def test_a_read_needs_indicators_read(world):
    _, basin, delegate = world
    key = api_token_create(user=delegate, name="écriture", scopes=[Scope.RUNS_WRITE]).key

    response = client_for(key).get(f"/api/v1/basins/{basin.pk}/")

    assert response.status_code == 403
    assert "indicators:read" in response.json()["error"]["message"]


def test_token_throttle_answers_429_with_retry_after(world, settings):
    _, basin, delegate = world
    settings.API_THROTTLE_RATES = {"token": "3/min", "user": "3/min", "anon": "2/min"}
    client = client_for(api_token_create(user=delegate, name="t", scopes=["indicators:read"]).key)

    codes = [client.get(f"/api/v1/basins/{basin.pk}/").status_code for _ in range(4)]
    other = client_for(api_token_create(user=delegate, name="u", scopes=["indicators:read"]).key)

    assert codes == [200, 200, 200, 429]
    last = client.get(f"/api/v1/basins/{basin.pk}/")
    assert last.json()["error"]["code"] == "throttled"
    assert 1 <= int(last["Retry-After"]) <= 60
    assert other.get(f"/api/v1/basins/{basin.pk}/").status_code == 200  # per token


def test_anonymous_and_bad_tokens_are_throttled_per_address(world, settings):
    _, basin, _ = world
    settings.API_THROTTLE_RATES = {"token": "100/min", "user": "100/min", "anon": "2/min"}

    codes = [
        client_for("cnt_deadbeef_" + "x" * 43).get(f"/api/v1/basins/{basin.pk}/").status_code
        for _ in range(3)
    ]

    assert codes == [401, 401, 429]
    assert "Retry-After" in APIClient().get("/api/v1/basins/").headers


def test_former_drf_keys_are_read_hashed(world):
    """Keys of the former DRF tokens (40 hex characters) were migrated hashed (0010)."""
    _, basin, delegate = world
    legacy = "0123456789abcdef0123456789abcdef01234567"
    ApiToken.objects.create(
        user=delegate,
        name="jeton d'origine (migré)",
        prefix=legacy[:8],
        key_hash=token_hash(legacy),
        scopes=["indicators:read"],
    )

    assert client_for(legacy).get(f"/api/v1/basins/{basin.pk}/").status_code == 200


# --- The « Jetons d'API » page --------------------------------------------------------------


def test_page_creates_a_token_shown_once(client, world):
    _, _, delegate = world
    client.force_login(delegate)

    response = client.post(
        "/compte/jetons/",
        {
            "name": "Observatoire",
            "scopes": ["indicators:read", "runs:write"],
            "expires_in_days": "30",
        },
    )

    token = ApiToken.objects.get(user=delegate)
    html = response.content.decode()
    key = html.split('<code id="new-token">')[1].split("</code>")[0]
    assert token_hash(key) == token.key_hash
    assert token.scopes == ["indicators:read", "runs:write"]
    assert response["Cache-Control"] == "no-store"
    again = client.get("/compte/jetons/").content.decode()
    assert key not in again and f"cnt_{token.prefix}_…" in again


def test_page_refuses_a_scope_of_another_role(client, world):
    mayor = make_user("mairie", role=Role.MAYOR_VIEWER)
    client.force_login(mayor)

    response = client.post(
        "/compte/jetons/", {"name": "x", "scopes": ["imports:write"], "expires_in_days": "30"}
    )

    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert "imports:write" in response.content.decode()  # the form's error names it


def test_revoking_another_users_token_is_a_404(client, world):
    _, _, delegate = world
    created = api_token_create(user=delegate, name="t", scopes=["indicators:read"])
    client.force_login(make_user("autre", role=Role.MAYOR_VIEWER))

    assert client.post(f"/compte/jetons/{created.token.pk}/revocation/").status_code == 404
    client.force_login(delegate)
    assert client.post(f"/compte/jetons/{created.token.pk}/revocation/").status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
