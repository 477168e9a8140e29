"""Typed partners (issue 18): the rules of who writes what, the list's scope and filters, the
form's French 400, the API with the `partners:write` scope, the recommendation's constraints
counting the partners located in a basin, and a project partner linked to a typed partner."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from diagnostics.models import Organisation, OrganisationContact, Region, Role
from diagnostics.services.accounts import user_create
from diagnostics.services.partners import (
    ContactInput,
    OrganisationInput,
    PartnerError,
    organisation_save,
)
from implantations.analytics.constraints import constraints_check
from implantations.selectors.assets import host_summary
from tests.factories.basins import BasinFactory, make_commune
from tests.factories.tokens import make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    a = Region.objects.create(code="91", name="Région Alpha")
    Region.objects.create(code="92", name="Région Bêta")
    town = make_commune("91001", population=30_000, region=a, name="Ville-Alpha")
    elsewhere = make_commune("91002", population=9_000, region=a, col=3, name="Ailleurs")
    basin = BasinFactory(name="Bassin Alpha", region=a, communes=[town])
    return {
        "basin": basin,
        "town": town,
        "elsewhere": elsewhere,
        "admin": user_create(username="o-admin", role=Role.NATIONAL_ADMIN),
        "delegate_a": user_create(username="o-del-a", role=Role.REGIONAL_DELEGATE, regions=["91"]),
        "delegate_b": user_create(username="o-del-b", role=Role.REGIONAL_DELEGATE, regions=["92"]),
        "mayor": user_create(username="o-mairie", role=Role.MAYOR_VIEWER),
    }


def _save(user: Any, **fields: Any) -> Organisation:
    data = {"name": "Mission locale Alpha", "kind": "mission_locale", "region": "91", **fields}
    return organisation_save(data=OrganisationInput(**data), user=user)


def test_organisation_save_writes_the_partner_and_its_contacts(world: dict[str, Any]) -> None:
    organisation = _save(
        world["delegate_a"],
        commune_code="91001",
        contacts=[
            ContactInput("Sophie Lefort", "directrice", "s.lefort@example.org", "03 25 00 00 02"),
            ContactInput("Thomas Girard"),
        ],
    )

    assert organisation.commune_id == "91001"
    assert list(organisation.contacts.values_list("name", "role", "email", "phone")) == [
        ("Sophie Lefort", "directrice", "s.lefort@example.org", "03 25 00 00 02"),
        ("Thomas Girard", "", "", ""),
    ]
    # Saving again replaces the contacts.
    organisation_save(
        data=OrganisationInput(
            name="Mission locale Alpha", kind="mission_locale", region="91",
            contacts=[ContactInput("Inès Roussel", "coordinatrice")],
        ),
        user=world["delegate_a"],
        organisation=organisation,
    )  # fmt: skip
    assert list(OrganisationContact.objects.values_list("name", flat=True)) == ["Inès Roussel"]
    with pytest.raises(PartnerError, match="existe déjà"):
        _save(world["admin"])


@pytest.mark.parametrize(
    ("user", "fields", "message"),
    [
        ("delegate_b", {}, "n'est pas une de vos régions"),
        ("delegate_a", {"region": ""}, "partenaires nationaux sont gérés"),
        ("delegate_a", {"commune_code": "99999"}, "code INSEE inconnu"),
        ("admin", {"region": "92", "commune_code": "91001"}, "n'est pas dans la région"),
        ("admin", {"contacts": [ContactInput("X", email="pas-une-adresse")]}, "adresse"),
        ("admin", {"contacts": [ContactInput("X", phone="appelez-moi")]}, "téléphone invalide"),
        ("admin", {"website": "javascript:alert(1)"}, "Site internet"),
        ("mayor", {}, "Votre rôle"),
    ],
)
def test_organisation_save_refuses_with_a_french_message(
    world: dict[str, Any], user: str, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(PartnerError, match=message):
        _save(world[user], **fields)
    assert not Organisation.objects.exists()


def test_partner_list_scope_and_filters(client: Client, world: dict[str, Any]) -> None:
    _save(world["admin"], commune_code="91001")
    _save(world["admin"], name="OPCO national", kind="opco", region="")
    _save(world["admin"], name="CCI Bêta", kind="chambre_consulaire", region="92")
    url = reverse("partner-list")

    client.force_login(world["delegate_a"])
    names = [o.name for o in client.get(url).context["organisations"]]
    only_opco = [o.name for o in client.get(url, {"kind": "opco"}).context["organisations"]]
    national = [o.name for o in client.get(url, {"region": "national"}).context["organisations"]]
    bad = client.get(url, {"kind": "ferme"})
    client.force_login(world["admin"])
    everyone = client.get(url, {"q": "alpha"}).context["organisations"]

    assert sorted(names) == ["Mission locale Alpha", "OPCO national"]  # not region 92's
    assert only_opco == ["OPCO national"]
    assert national == ["OPCO national"]
    assert bad.status_code == 400
    assert [o.name for o in everyone] == ["Mission locale Alpha"]


def test_partner_export_is_the_list_as_csv_one_row_per_contact(
    client: Client, world: dict[str, Any]
) -> None:
    from diagnostics.services.partners import ContactInput

    _save(
        world["admin"],
        commune_code="91001",
        contacts=[
            ContactInput(name="Anne Martin", role="directrice", email="anne@example.org"),
            ContactInput(name="=HYPERLINK(1)", role="", phone="01 02 03 04 05"),
        ],
    )
    _save(world["admin"], name="OPCO national", kind="opco", region="")
    _save(world["admin"], name="CCI Bêta", kind="chambre_consulaire", region="92")
    url = reverse("partner-export")

    client.force_login(world["delegate_a"])
    response = client.get(url)
    lines = response.content.decode("utf-8-sig").splitlines()
    only_opco = client.get(url, {"kind": "opco"}).content.decode("utf-8-sig").splitlines()
    bad = client.get(url, {"kind": "ferme"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="partenaires.csv"'
    assert lines[0].startswith("Partenaire;Type;Région;Commune;Code commune")
    # Two contacts → two rows (in the page's order: by name, the formula escaped); the OPCO without a contact → one row; region 92's CCI left out.
    assert lines[1:] == [
        "Mission locale Alpha;Mission locale;Région Alpha;Ville-Alpha;91001;;;"
        "'=HYPERLINK(1);;;01 02 03 04 05",
        "Mission locale Alpha;Mission locale;Région Alpha;Ville-Alpha;91001;;;"
        "Anne Martin;directrice;anne@example.org;",
        "OPCO national;OPCO (opérateur de compétences);national;;;;;;;;",
    ]
    assert only_opco[1:] == ["OPCO national;OPCO (opérateur de compétences);national;;;;;;;;"]
    assert bad.status_code == 400 and "invalide" in bad.content.decode()
    client.force_login(world["mayor"])
    assert client.get(url).status_code == 403


def test_partner_form_answers_400_and_edits_only_in_scope(
    client: Client, world: dict[str, Any]
) -> None:
    organisation = _save(world["admin"])
    client.force_login(world["delegate_a"])

    bad = client.post(
        reverse("partner-create"),
        {
            "name": "Lycée Alpha", "kind": "lycee", "region": "91",
            "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "Jean", "contacts-0-email": "jean@",
        },
    )  # fmt: skip
    ok = client.post(
        reverse("partner-edit", kwargs={"pk": organisation.pk}),
        {
            "name": "Mission locale Alpha", "kind": "mission_locale", "region": "91",
            "commune_code": "91001", "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "Sophie Lefort", "contacts-0-email": "s.lefort@example.org",
        },
    )  # fmt: skip

    assert bad.status_code == 400
    assert "Contact n° 1 : adresse électronique invalide (jean@)" in bad.content.decode()
    assert not Organisation.objects.filter(name="Lycée Alpha").exists()
    assert ok.status_code == 302
    assert organisation.contacts.get().email == "s.lefort@example.org"
    client.force_login(world["delegate_b"])
    assert client.get(reverse("partner-edit", kwargs={"pk": organisation.pk})).status_code == 404
    client.force_login(world["mayor"])
    assert client.get(reverse("partner-list")).status_code == 403


def test_partner_api_write_needs_the_scope(world: dict[str, Any]) -> None:
    api = APIClient()
    body = {
        "name": "PLIE Alpha", "kind": "plie", "region": "91",
        "contacts": [{"name": "Marc Dubreuil", "role": "chargé de mission"}],
    }  # fmt: skip
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {make_token(world['delegate_a'], ['indicators:read'])}"
    )
    refused = api.post("/api/v1/partners/", body, format="json")
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {make_token(world['delegate_a'], ['partners:write', 'indicators:read'])}"
    )
    created = api.post("/api/v1/partners/", body, format="json")
    bad = api.post("/api/v1/partners/", {**body, "region": "92"}, format="json")
    listed = api.get("/api/v1/partners/", {"kind": "plie"})

    assert refused.status_code == 403
    assert created.status_code == 201
    assert created.json()["contacts"] == [
        {"name": "Marc Dubreuil", "role": "chargé de mission", "email": "", "phone": ""}
    ]
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {
        "region": ["Région : Région Bêta n'est pas une de vos régions."]
    }
    assert [p["name"] for p in listed.json()["results"]] == ["PLIE Alpha"]


def test_partner_notes_longer_than_the_bound_are_a_400_and_nothing_is_stored(
    world: dict[str, Any],
) -> None:
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {make_token(world['delegate_a'], ['partners:write'])}"
    )
    body = {"name": "PLIE Alpha", "kind": "plie", "region": "91"}

    long = api.post("/api/v1/partners/", {**body, "notes": "x" * 5001}, format="json")

    assert long.status_code == 400
    assert long.json()["error"]["fields"] == {
        "notes": ["Assurez-vous que ce champ comporte au plus 5000\xa0caractères."]
    }
    assert not Organisation.objects.filter(name="PLIE Alpha").exists()
    assert (
        api.post("/api/v1/partners/", {**body, "notes": "x" * 5000}, format="json").status_code
        == 201
    )


def test_typed_partners_of_the_basin_lift_the_constraints(world: dict[str, Any]) -> None:
    basin = world["basin"]
    before = {c.code: c.passed for c in constraints_check(host_summary([], None))}
    _save(world["admin"], name="Lycée Jean-Monnet", kind="lycee", commune_code="91001")
    _save(world["admin"], name="Tiers-lieu La Fabrique", kind="tiers_lieu", commune_code="91001")
    # Outside the basin, and a kind that is not a place: neither counts.
    _save(world["admin"], name="Lycée d'ailleurs", kind="lycee", commune_code="91002")
    _save(world["admin"], name="Agence France Travail", kind="france_travail", commune_code="91001")
    from diagnostics.selectors.partners import basin_organisations

    summary = host_summary([], None, basin_organisations(basin))
    after = {c.code: c for c in constraints_check(summary)}

    assert before == {"lycee_partner": False, "shared_place": False, "growth_host": False}
    assert summary.lycee_partners == ("Lycée Jean-Monnet",)
    assert summary.shared_places == ("Tiers-lieu La Fabrique",)
    assert after["lycee_partner"].passed and "Lycée Jean-Monnet" in after["lycee_partner"].reason
    assert after["shared_place"].passed
    assert not after["growth_host"].passed


def test_project_partner_links_a_typed_partner(world: dict[str, Any]) -> None:
    import datetime as dt

    from implantations.models import ImplantationProject
    from implantations.services.project_partners import project_partners_replace

    organisation = _save(world["admin"], commune_code="91001")
    project = ImplantationProject.objects.create(
        basin=world["basin"], name="Projet Alpha", concept="fab_id", start_year=2026,
        study_started_on=dt.date(2026, 1, 5),
    )  # fmt: skip

    partners = project_partners_replace(
        project=project,
        partners=[{"organisation": str(organisation.pk), "commitment": "SAS d'orientation"}],
        user=world["delegate_a"],
    )

    assert [(p.name, p.kind, p.organisation_id) for p in partners] == [
        ("Mission locale Alpha", "emploi", organisation.pk)
    ]


def test_partner_api_list_query_count_does_not_grow_with_partners(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(6):
        _save(
            world["admin"], name=f"Partenaire {i}", commune_code="91001",
            contacts=[ContactInput(f"Contact {i}"), ContactInput(f"Autre {i}")],
        )  # fmt: skip
    api = APIClient()
    api.force_authenticate(world["delegate_a"])

    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/partners/")

    assert response.status_code == 200
    assert response.json()["count"] == 6
    assert all(len(p["contacts"]) == 2 for p in response.json()["results"])
