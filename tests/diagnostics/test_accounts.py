"""Accounts: the user_create service and command, password rules, login throttling, the login
page, and the role checks of `diagnostics.permissions`."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpResponse
from django.test import RequestFactory

from diagnostics.errors import ApplicationError
from diagnostics.models import ApiToken, Region, Role, User
from diagnostics.permissions import (
    CanManageBasins,
    CanReadBasins,
    IsNationalAdmin,
    RoleRequiredMixin,
    has_role,
    role_required,
)
from diagnostics.services.accounts import user_create

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "territoires-de-bretagne-2026"


@pytest.fixture
def regions() -> list[Region]:
    return [
        Region.objects.create(code="53", name="Bretagne"),
        Region.objects.create(code="44", name="Grand Est"),
    ]


# --- user_create ----------------------------------------------------------------------------


def test_user_create_delegate_with_regions(regions: list[Region]) -> None:
    user = user_create(
        username="marie",
        role=Role.REGIONAL_DELEGATE,
        regions=["53", "44", "53"],
        email=" marie@example.fr ",
        password=GOOD_PASSWORD,
        first_name="Marie",
        organisation="Cnam Bretagne",
    )

    user.refresh_from_db()
    assert sorted(user.regions.values_list("code", flat=True)) == ["44", "53"]
    assert (user.role, user.email, user.organisation) == (
        Role.REGIONAL_DELEGATE,
        "marie@example.fr",
        "Cnam Bretagne",
    )
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert user.check_password(GOOD_PASSWORD)
    assert not ApiToken.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("role", "staff", "superuser"),
    [
        (Role.NATIONAL_ADMIN, True, True),
        (Role.CATALOGUE_ADMIN, True, False),
        (Role.MAYOR_VIEWER, False, False),
    ],
)
def test_user_create_admin_flags_follow_role(role: str, staff: bool, superuser: bool) -> None:
    user = user_create(username=f"u-{role}", role=role)

    assert (user.is_staff, user.is_superuser) == (staff, superuser)
    assert not user.has_usable_password()


def test_user_create_api_client_gets_no_token_by_itself(regions: list[Region]) -> None:
    user = user_create(username="observatoire", role=Role.API_CLIENT, regions=["53"])

    assert not ApiToken.objects.filter(user=user).exists()  # tokens: page « Jetons d'API »
    assert list(user.regions.values_list("code", flat=True)) == ["53"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "maire"}, "Rôle inconnu : « maire »"),
        ({"role": Role.REGIONAL_DELEGATE}, "Un délégué régional suit au moins une région"),
        ({"role": Role.MAYOR_VIEWER, "regions": ["53"]}, "ne suit pas de régions"),
        (
            {"role": Role.REGIONAL_DELEGATE, "regions": ["53", "99", "98"]},
            "Région(s) inconnue(s) : 98, 99.",
        ),
        ({"role": Role.MAYOR_VIEWER, "password": "court-12"}, "Mot de passe refusé"),
        ({"role": Role.MAYOR_VIEWER, "password": "password1234"}, "trop courant"),
        ({"role": Role.MAYOR_VIEWER, "username": "  "}, "Le nom d'utilisateur est obligatoire"),
    ],
)
def test_user_create_bad_input_writes_nothing(
    regions: list[Region], kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"username": "nouveau"} | kwargs

    with pytest.raises(ApplicationError) as excinfo:
        user_create(**arguments)  # type: ignore[arg-type]

    assert message in excinfo.value.message
    assert User.objects.count() == 0


def test_user_create_short_password_says_twelve_characters() -> None:
    with pytest.raises(ApplicationError) as excinfo:
        user_create(username="jean", role=Role.MAYOR_VIEWER, password="Abc-123-xyz")

    assert "12 caractères" in excinfo.value.message


def test_user_create_duplicate_username_is_refused_case_insensitively() -> None:
    user_create(username="Marie", role=Role.MAYOR_VIEWER)

    with pytest.raises(ApplicationError, match="« marie » est déjà pris"):
        user_create(username="marie", role=Role.CATALOGUE_ADMIN)

    assert User.objects.count() == 1


# --- user_create command --------------------------------------------------------------------


def test_user_create_command_reads_password_from_env(
    regions: list[Region], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MDP_TEST", GOOD_PASSWORD)

    call_command(
        "user_create",
        "--username",
        "paul",
        "--role",
        "delegue_regional",
        "--region",
        "53",
        "--password-from-env",
        "MDP_TEST",
    )

    user = User.objects.get(username="paul")
    assert user.check_password(GOOD_PASSWORD)
    out = capsys.readouterr().out
    assert "Compte « paul » créé : Délégué régional." in out
    assert "régions suivies : Bretagne (53)" in out


def test_user_create_command_prints_api_token(
    regions: list[Region], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("user_create", "--username", "bi", "--role", "client_api", "--region", "44")

    token = ApiToken.objects.get(user__username="bi")
    out = capsys.readouterr().out
    key = re.search(r"(cnt_\w{8}_[\w-]+)", out)
    assert key is not None and key.group(1).startswith(f"cnt_{token.prefix}_")
    assert token.scopes == ["indicators:read"]
    assert key.group(1) not in token.key_hash  # stored hashed, never in clear


def test_user_create_command_missing_env_variable() -> None:
    with pytest.raises(CommandError, match="La variable d'environnement ABSENTE_X est absente"):
        call_command(
            "user_create",
            "--username",
            "x",
            "--role",
            "mairie",
            "--password-from-env",
            "ABSENTE_X",
        )
    assert User.objects.count() == 0


def test_user_create_command_common_password_fails_with_french_message() -> None:
    with pytest.raises(CommandError, match="Mot de passe refusé.*trop courant"):
        call_command(
            "user_create", "--username", "x", "--role", "mairie", "--password", "password1234"
        )
    assert User.objects.count() == 0


# --- login, throttling ----------------------------------------------------------------------


def _delegate_with_password(regions: list[Region]) -> User:
    return user_create(
        username="marie", role=Role.REGIONAL_DELEGATE, regions=["53"], password=GOOD_PASSWORD
    )


def test_login_with_right_password_goes_home(client, regions: list[Region]) -> None:  # type: ignore[no-untyped-def]
    _delegate_with_password(regions)

    response = client.post("/connexion/", {"username": "marie", "password": GOOD_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_wrong_password_shows_french_error(client, regions: list[Region]) -> None:  # type: ignore[no-untyped-def]
    _delegate_with_password(regions)

    response = client.post("/connexion/", {"username": "marie", "password": "pas-le-bon-mdp"})

    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()


def test_login_sixth_attempt_refused_even_with_right_password(  # type: ignore[no-untyped-def]
    client, regions: list[Region], settings
) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    _delegate_with_password(regions)
    for _ in range(5):
        client.post("/connexion/", {"username": "marie", "password": "pas-le-bon-mdp"})

    response = client.post("/connexion/", {"username": "marie", "password": GOOD_PASSWORD})

    assert response.status_code == 429
    page = response.content.decode()
    assert "Connexion suspendue" in page
    assert "Après 5 essais avec un mot de passe erroné pour le compte « marie »" in page
    assert "même avec le bon mot de passe" in page
    assert "pendant 30 minutes" in page
    assert "_auth_user_id" not in client.session


def test_login_four_failures_then_right_password_succeeds(  # type: ignore[no-untyped-def]
    client, regions: list[Region]
) -> None:
    _delegate_with_password(regions)
    for _ in range(4):
        client.post("/connexion/", {"username": "marie", "password": "pas-le-bon-mdp"})

    response = client.post("/connexion/", {"username": "marie", "password": GOOD_PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="marie").pk)


def test_login_page_lists_demo_accounts_in_demo_mode(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO = True
    user_create(username="demo-mairie", role=Role.MAYOR_VIEWER)
    user_create(username="demo-admin", role=Role.NATIONAL_ADMIN)
    user_create(username="autre-compte", role=Role.MAYOR_VIEWER)

    page = client.get("/connexion/").content.decode()

    assert "Comptes de démonstration" in page
    assert "Administrateur national : <code>demo-admin</code>" in page
    assert "Mairie, EPCI ou partenaire local : <code>demo-mairie</code>" in page
    # Role order: the national admin comes before the mayor.
    assert page.index("demo-admin") < page.index("demo-mairie")
    assert "autre-compte" not in page


def test_login_page_hides_demo_accounts_outside_demo(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO = False
    user_create(username="demo-admin", role=Role.NATIONAL_ADMIN)

    page = client.get("/connexion/").content.decode()

    assert 'name="username"' in page and 'name="password"' in page
    assert "fr-input-group" in page
    assert "Comptes de démonstration" not in page
    assert "demo-admin" not in page


# --- permissions ----------------------------------------------------------------------------


def _ok(request, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    return HttpResponse("ok")


def test_role_required_sends_anonymous_to_login() -> None:
    request = RequestFactory().get("/donnees/?tri=nom")
    request.user = AnonymousUser()

    response = role_required(Role.REGIONAL_DELEGATE)(_ok)(request)

    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion/?next=/donnees/%3Ftri%3Dnom"


def test_role_required_refuses_other_roles_with_403() -> None:
    request = RequestFactory().get("/")
    request.user = User(username="m", role=Role.MAYOR_VIEWER)

    with pytest.raises(PermissionDenied):
        role_required(Role.REGIONAL_DELEGATE, Role.NATIONAL_ADMIN)(_ok)(request)


def test_role_required_lets_listed_role_and_superuser_through() -> None:
    view = role_required(Role.NATIONAL_ADMIN)(_ok)
    request = RequestFactory().get("/")
    request.user = User(username="root", role=Role.MAYOR_VIEWER, is_superuser=True)

    assert view(request).content == b"ok"
    request.user = User(username="n", role=Role.NATIONAL_ADMIN)
    assert view(request).content == b"ok"


def test_role_required_refuses_inactive_user() -> None:
    assert not has_role(User(role=Role.NATIONAL_ADMIN, is_active=False), [Role.NATIONAL_ADMIN])


def test_role_required_mixin() -> None:
    from django.views import View

    class OnlyCatalogue(RoleRequiredMixin, View):
        allowed_roles = (Role.CATALOGUE_ADMIN,)

        def get(self, request):  # type: ignore[no-untyped-def]
            return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = User(username="c", role=Role.CATALOGUE_ADMIN)
    response = OnlyCatalogue.as_view()(request)
    assert isinstance(response, HttpResponse) and response.content == b"ok"
    request.user = User(username="d", role=Role.REGIONAL_DELEGATE)
    with pytest.raises(PermissionDenied):
        OnlyCatalogue.as_view()(request)


@pytest.mark.parametrize(
    ("role", "national", "manage", "read"),
    [
        (Role.NATIONAL_ADMIN, True, True, True),
        (Role.REGIONAL_DELEGATE, False, True, True),
        (Role.CATALOGUE_ADMIN, False, False, False),
        (Role.MAYOR_VIEWER, False, False, True),
        (Role.API_CLIENT, False, False, True),
    ],
)
def test_drf_permissions_by_role(role: str, national: bool, manage: bool, read: bool) -> None:
    request = RequestFactory().get("/api/")
    request.user = User(username="x", role=role)
    request.auth = None  # type: ignore[attr-defined]  # as DRF sets it for a session: no token

    answers = tuple(
        permission().has_permission(request, None)
        for permission in (IsNationalAdmin, CanManageBasins, CanReadBasins)
    )

    assert answers == (national, manage, read)
