"""Django admin: users with roles, territorial reference data, basins and their shares."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import (
    Basin,
    BasinShare,
    BasinSource,
    Commune,
    Departement,
    Region,
    Role,
    TerritoryLoad,
    User,
)
from diagnostics.services.accounts import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def bretagne() -> Region:
    return Region.objects.create(code="53", name="Bretagne")


@pytest.fixture
def communes(bretagne: Region) -> list[Commune]:
    departement = Departement.objects.create(code="35", name="Ille-et-Vilaine", region=bretagne)
    rows = [
        Commune(
            code=f"35{n:03d}",
            name=f"Commune {n}",
            departement=departement,
            region=bretagne,
            population=100 + n,
        )
        for n in range(1, 301)
    ]
    rows.append(
        Commune(
            code="35360", name="Vitré", departement=departement, region=bretagne, population=18_000
        )
    )
    return Commune.objects.bulk_create(rows)


def _client_for(client: Client, role: str, **kwargs: object) -> Client:
    client.force_login(user_create(username=f"staff-{role}", role=role, **kwargs))  # type: ignore[arg-type]
    return client


# --- reference data ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:diagnostics_user_changelist",
        "admin:diagnostics_region_changelist",
        "admin:diagnostics_departement_changelist",
        "admin:diagnostics_epci_changelist",
        "admin:diagnostics_zoneemploi_changelist",
        "admin:diagnostics_bassinbmo_changelist",
        "admin:diagnostics_commune_changelist",
        "admin:diagnostics_communecodechange_changelist",
        "admin:diagnostics_territoryload_changelist",
        "admin:diagnostics_basin_changelist",
        "admin:diagnostics_cnamsite_changelist",
        "admin:diagnostics_apitoken_changelist",
    ],
)
def test_admin_changelists_open_for_national_admin(client: Client, url_name: str) -> None:
    response = _client_for(client, Role.NATIONAL_ADMIN).get(reverse(url_name))

    assert response.status_code == 200


def test_commune_search_by_name_and_by_code(
    client: Client, communes: list[Commune], django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = _client_for(client, Role.NATIONAL_ADMIN)
    url = reverse("admin:diagnostics_commune_changelist")

    with django_assert_max_num_queries(12):
        by_name = client.get(url, {"q": "vitré"})
    by_code = client.get(url, {"q": "35360"})
    by_code_prefix = client.get(url, {"q": "3501"})

    assert [c.code for c in by_name.context["cl"].result_list] == ["35360"]
    assert [c.code for c in by_code.context["cl"].result_list] == ["35360"]
    # ^code: prefix search, 35010-35019
    assert len(by_code_prefix.context["cl"].result_list) == 10


def test_commune_change_page_uses_autocomplete_for_foreign_keys(
    client: Client, communes: list[Commune]
) -> None:
    client = _client_for(client, Role.NATIONAL_ADMIN)

    page = client.get(reverse("admin:diagnostics_commune_change", args=["35360"])).content.decode()

    for field in ("departement", "region", "epci", "zone_emploi", "bassin_bmo"):
        assert f'data-model-name="commune" data-field-name="{field}"' in page
    assert "Géométrie" in page  # summary, never the polygon itself


def test_territory_load_is_read_only(client: Client) -> None:
    load = TerritoryLoad.objects.create(
        dataset="communes", status="done", rows=10, started_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    client = _client_for(client, Role.NATIONAL_ADMIN)

    assert client.get(reverse("admin:diagnostics_territoryload_add")).status_code == 403
    page = client.get(reverse("admin:diagnostics_territoryload_change", args=[load.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(reverse("admin:diagnostics_territoryload_delete", args=[load.pk]))
    assert response.status_code == 403
    assert TerritoryLoad.objects.count() == 1


def test_catalogue_admin_views_reference_data_without_editing(
    client: Client, communes: list[Commune]
) -> None:
    client = _client_for(client, Role.CATALOGUE_ADMIN)

    assert client.get(reverse("admin:diagnostics_commune_changelist")).status_code == 200
    page = client.get(reverse("admin:diagnostics_commune_change", args=["35360"]))
    assert 'name="_save"' not in page.content.decode()
    response = client.post(
        reverse("admin:diagnostics_commune_change", args=["35360"]), {"name": "Autre"}
    )
    assert response.status_code == 403
    assert Commune.objects.get(code="35360").name == "Vitré"
    assert client.get(reverse("admin:diagnostics_user_changelist")).status_code == 403
    assert client.get(reverse("admin:diagnostics_basin_changelist")).status_code == 403


def test_non_staff_roles_are_sent_to_admin_login(client: Client, bretagne: Region) -> None:
    client = _client_for(client, Role.REGIONAL_DELEGATE, regions=["53"])

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))


# --- users ------------------------------------------------------------------------------------


def _add_user(client: Client, **fields: object) -> object:
    data = {"username": "nouveau", "email": "", "organisation": "", "usable_password": "false"}
    data.update(fields)  # type: ignore[arg-type]
    return client.post(reverse("admin:diagnostics_user_add"), data)


def test_admin_add_user_sets_staff_from_role(client: Client, bretagne: Region) -> None:
    client = _client_for(client, Role.NATIONAL_ADMIN)

    delegate = _add_user(client, username="marie", role=Role.REGIONAL_DELEGATE, regions=["53"])
    catalogue = _add_user(client, username="cat", role=Role.CATALOGUE_ADMIN)

    assert delegate.status_code == catalogue.status_code == 302  # type: ignore[attr-defined]
    marie = User.objects.get(username="marie")
    assert (marie.is_staff, list(marie.regions.values_list("code", flat=True))) == (False, ["53"])
    assert User.objects.get(username="cat").is_staff is True


def test_admin_add_delegate_without_region_is_refused(client: Client) -> None:
    client = _client_for(client, Role.NATIONAL_ADMIN)

    response = _add_user(client, username="marie", role=Role.REGIONAL_DELEGATE)

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "Un délégué régional suit au moins une région" in response.content.decode()  # type: ignore[attr-defined]
    assert not User.objects.filter(username="marie").exists()


def test_admin_add_user_short_password_is_refused(client: Client) -> None:
    client = _client_for(client, Role.NATIONAL_ADMIN)

    response = _add_user(
        client,
        username="jean",
        role=Role.MAYOR_VIEWER,
        usable_password="true",
        password1="court-123",
        password2="court-123",
    )

    assert "au minimum 12 caractères" in response.content.decode()  # type: ignore[attr-defined]
    assert not User.objects.filter(username="jean").exists()


def test_admin_role_change_updates_flags_but_superuser_keeps_them(client: Client) -> None:
    root = User.objects.create_superuser("root", "root@example.fr", "motdepasse-racine-2026")
    assert root.role == Role.MAYOR_VIEWER  # createsuperuser leaves the default role
    mayor = user_create(username="mairie", role=Role.MAYOR_VIEWER)
    client.force_login(root)

    def change(user: User, **fields: object) -> None:
        data = {
            "username": user.username,
            "role": user.role,
            "organisation": "",
            "first_name": "",
            "last_name": "",
            "email": user.email,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        } | fields
        response = client.post(reverse("admin:diagnostics_user_change", args=[user.pk]), data)
        assert response.status_code == 302, response.content.decode()[:2000]

    change(mayor, role=Role.CATALOGUE_ADMIN)
    change(root, organisation="DSI Cnam")

    mayor.refresh_from_db()
    root.refresh_from_db()
    assert (mayor.role, mayor.is_staff, mayor.is_superuser) == (Role.CATALOGUE_ADMIN, True, False)
    assert (root.organisation, root.is_staff, root.is_superuser) == ("DSI Cnam", True, True)


# --- basins -----------------------------------------------------------------------------------


@pytest.fixture
def basin(communes: list[Commune], bretagne: Region) -> Basin:
    vitre = Commune.objects.get(code="35360")
    basin = Basin.objects.create(
        name="Bassin de Vitré",
        region=bretagne,
        source_kind=BasinSource.COMMUNES,
        source_codes=["35360"],
        main_town=vitre,
        population=18_000,
        communes_count=1,
    )
    basin.communes.set([vitre])
    return basin


def test_basin_admin_cannot_add_and_shares_only_with_mayors(client: Client, basin: Basin) -> None:
    mayor = user_create(username="mairie-vitre", role=Role.MAYOR_VIEWER)
    user_create(username="autre-delegue", role=Role.REGIONAL_DELEGATE, regions=["53"])
    admin_client = _client_for(client, Role.NATIONAL_ADMIN)

    assert admin_client.get(reverse("admin:diagnostics_basin_add")).status_code == 403
    response = admin_client.get(reverse("admin:diagnostics_basin_change", args=[basin.pk]))
    share_field = response.context["inline_admin_formsets"][0].formset.empty_form.fields["user"]
    assert [u.username for u in share_field.queryset] == ["mairie-vitre"]

    response = admin_client.post(
        reverse("admin:diagnostics_basin_change", args=[basin.pk]),
        {
            "name": "Bassin de Vitré",
            "shares-TOTAL_FORMS": "1",
            "shares-INITIAL_FORMS": "0",
            "shares-MIN_NUM_FORMS": "0",
            "shares-MAX_NUM_FORMS": "1000",
            "shares-0-user": str(mayor.pk),
            "shares-0-basin": str(basin.pk),
        },
    )

    assert response.status_code == 302
    share = BasinShare.objects.get(basin=basin)
    admin_user = User.objects.get(username=f"staff-{Role.NATIONAL_ADMIN}")
    assert (share.user, share.shared_by) == (mayor, admin_user)
