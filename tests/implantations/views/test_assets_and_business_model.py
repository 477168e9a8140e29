"""The basin assets page (lycées prefilled from the annuaire and confirmed, structures,
partners, letters; bad input refused whole) and the business-model page (simulate without
saving, save a scenario, scoping)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import BasinShare, Lycee, Role
from diagnostics.services.accounts import user_create
from implantations.models import (
    BasinPartnership,
    BusinessScenario,
    EmployerLetter,
    HostStructure,
)
from implantations.services.assets import basin_lycees_prefill, host_structure_create
from implantations.services.recommendation import RecommendationError
from tests.implantations.recommendation_world import (
    FAB_ID_SPEC,
    KM_PER_DEGREE,
    TURNKEY_SPEC,
    BasinSpec,
    batch,
    build_basin,
    delegate,
    region,
)

pytestmark = pytest.mark.django_db


def bare_basin(name: str = "Bassin nu"):  # type: ignore[no-untyped-def]
    """A basin with nothing recorded (no hosts, no partners, no run)."""
    return build_basin(
        BasinSpec(
            name=name,
            population=35_000,
            projects_per_1000=30,
            difficulty=50,
            trend=0,
            unemployment=8,
            unemployment_change=0,
            job_seekers_per_1000=80,
            cnam_km=40,
            lat=47.5,
        ),
        with_run=False,
    )


def annuaire(basin, layout: str = "officiel") -> None:  # type: ignore[no-untyped-def]
    """Three lycées in the basin's main town: vocational (official flag), general only, and one
    of the reduced extract whose paths are not published."""
    code = basin.main_town.code
    full, reduced = batch("lycees", "officiel-test"), batch("lycees", "reduit-test")
    lat = basin.main_town.latitude
    Lycee.objects.create(
        batch=full, uai="0520001A", name="Lycée professionnel Eiffel", layout="officiel",
        commune_code=code, latitude=lat + 2 / KM_PER_DEGREE, longitude=5.0,
        voie_generale=False, voie_technologique=False, voie_professionnelle=True,
    )  # fmt: skip
    Lycee.objects.create(
        batch=full, uai="0520002B", name="Lycée général Curie", layout="officiel",
        commune_code=code, latitude=lat, longitude=5.0,
        voie_generale=True, voie_technologique=False, voie_professionnelle=False,
    )  # fmt: skip
    Lycee.objects.create(
        batch=reduced, uai="0520003C", name="Lycée polyvalent Moulin", layout="reduit",
        commune_code=code, latitude=lat + 5 / KM_PER_DEGREE, longitude=5.0,
        vocational_guess_from_name=True,
    )  # fmt: skip


# --- Assets ----------------------------------------------------------------------------------


def test_prefill_records_vocational_and_unknown_lycees_unconfirmed() -> None:
    basin = bare_basin()
    annuaire(basin)

    created = basin_lycees_prefill(basin=basin, user=delegate())

    by_uai = {h.uai: h for h in created}
    assert set(by_uai) == {"0520001A", "0520003C"}  # the general-only lycée is left out
    eiffel, moulin = by_uai["0520001A"], by_uai["0520003C"]
    assert eiffel.confirmed is False and eiffel.flags_official is True
    assert eiffel.voie_professionnelle is True
    assert eiffel.distance_km == pytest.approx(2.0, abs=0.01)
    assert moulin.flags_unknown and not moulin.flags_official
    assert "supposée d'après le nom" in moulin.notes
    # Again: nothing new.
    assert basin_lycees_prefill(basin=basin, user=delegate()) == []


def test_assets_page_prefill_confirm_and_declare(client: Client) -> None:
    basin = bare_basin()
    annuaire(basin)
    client.force_login(delegate())
    url = reverse("basin-assets", args=[basin.pk])

    assert "Ajouter les lycées de l'annuaire" in client.get(url).content.decode()
    assert client.post(url, {"action": "prefill"}).status_code == 302
    eiffel = HostStructure.objects.get(uai="0520001A")
    moulin = HostStructure.objects.get(uai="0520003C")
    client.post(url, {"action": "confirm", "host_id": eiffel.pk})
    client.post(
        url,
        {
            "action": "declare_paths",
            "host_id": moulin.pk,
            "voie_technologique": "oui",
            "confirm": "oui",
        },
    )

    eiffel.refresh_from_db()
    moulin.refresh_from_db()
    assert eiffel.confirmed is True
    assert (moulin.voie_technologique, moulin.voie_professionnelle, moulin.confirmed) == (
        True,
        False,
        True,
    )
    page = client.get(url).content.decode()
    assert "partenaire confirmé" in page and "Lycée polyvalent Moulin" in page


def test_official_paths_are_not_overwritten() -> None:
    basin = bare_basin()
    annuaire(basin)
    basin_lycees_prefill(basin=basin, user=delegate())
    from implantations.services.assets import host_structure_update

    eiffel = HostStructure.objects.get(uai="0520001A")
    with pytest.raises(RecommendationError, match="viennent de l'annuaire officiel"):
        host_structure_update(
            basin=basin,
            user=delegate(),
            host_id=eiffel.pk,
            set_flags=True,
            voie_professionnelle=False,
        )


def test_add_host_with_unknown_commune_is_refused_and_nothing_written(client: Client) -> None:
    basin = bare_basin()
    client.force_login(delegate())

    response = client.post(
        reverse("basin-assets", args=[basin.pk]),
        {
            "action": "add_host",
            "kind": "campus",
            "name": "Campus connecté",
            "commune_code": "99999",
        },
    )

    assert response.status_code == 200
    assert "Commune inconnue : « 99999 »" in response.content.decode()
    assert HostStructure.objects.count() == 0


def test_add_lycee_without_its_path_is_refused(client: Client) -> None:
    basin = bare_basin()
    client.force_login(delegate())
    response = client.post(
        reverse("basin-assets", args=[basin.pk]),
        {"action": "add_host", "kind": "lycee", "name": "Lycée sans voie"},
    )
    assert response.status_code == 200
    assert "Cochez la voie professionnelle ou technologique" in response.content.decode()
    assert HostStructure.objects.count() == 0


def test_add_host_computes_its_distance_from_the_commune(client: Client) -> None:
    basin = bare_basin()
    client.force_login(delegate())
    client.post(
        reverse("basin-assets", args=[basin.pk]),
        {
            "action": "add_host",
            "kind": "chambre_consulaire",
            "name": "CCI de la Haute-Marne",
            "commune_code": basin.main_town.code,
            "premises_can_grow": "oui",
            "confirmed": "on",
        },
    )
    host = HostStructure.objects.get()
    assert (host.distance_km, host.premises_can_grow, host.confirmed) == (0.0, True, True)


def test_partners_and_letters(client: Client) -> None:
    basin = bare_basin()
    client.force_login(delegate())
    url = reverse("basin-assets", args=[basin.pk])

    client.post(
        url,
        {
            "action": "partners",
            "epci_commitment": "convention",
            "town_lends_premises": "oui",
            "inventory_done": "on",
        },
    )
    client.post(url, {"action": "add_letter", "employer": "Forges de Bologne", "learners": "6"})
    bad = client.post(url, {"action": "add_letter", "employer": "", "learners": "-2"})

    partnership = BasinPartnership.objects.get(basin=basin)
    assert (partnership.epci_commitment, partnership.town_lends_premises) == ("convention", True)
    assert partnership.inventory_done and partnership.letters_recorded
    assert list(EmployerLetter.objects.values_list("employer", "learners")) == [
        ("Forges de Bologne", 6)
    ]
    assert bad.status_code == 200 and EmployerLetter.objects.count() == 1


@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        ("9999-12-31", "La date de réception (31/12/9999) est dans le futur."),
        ("1999-12-31", "La date de réception (31/12/1999) est antérieure au 01/01/2000."),
    ],
)
def test_a_letter_received_in_the_future_or_before_2000_is_refused(
    client: Client, received_on: str, message: str
) -> None:
    basin = bare_basin()
    client.force_login(delegate())
    url = reverse("basin-assets", args=[basin.pk])

    bad = client.post(
        url, {"action": "add_letter", "employer": "Forges", "received_on": received_on}
    )
    good = client.post(
        url, {"action": "add_letter", "employer": "Forges", "received_on": "2025-03-14"}
    )

    assert bad.status_code == 200
    assert message in bad.content.decode()
    assert list(EmployerLetter.objects.values_list("received_on", flat=True)) == [
        dt.date(2025, 3, 14)
    ]
    assert good.status_code == 302


def test_assets_page_is_read_only_for_a_mayor_and_hidden_from_other_regions(
    client: Client,
) -> None:
    basin = build_basin(TURNKEY_SPEC)
    mayor = user_create(username="mairie", role=Role.MAYOR_VIEWER)
    BasinShare.objects.create(basin=basin, user=mayor)
    url = reverse("basin-assets", args=[basin.pk])

    client.force_login(mayor)
    # A mayor's office reads its shared versions (none here: home) and proposes assets there.
    page = client.get(url)
    assert (page.status_code, page["Location"]) == (302, reverse("home"))
    assert client.post(url, {"action": "prefill"}).status_code == 403

    region("53", "Bretagne")
    client.force_login(user_create(username="d53", role=Role.REGIONAL_DELEGATE, regions=["53"]))
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "prefill"}).status_code == 404


def test_service_refuses_a_user_who_cannot_manage_the_basin() -> None:
    basin = bare_basin()
    region("53", "Bretagne")
    other = user_create(username="d53", role=Role.REGIONAL_DELEGATE, regions=["53"])
    with pytest.raises(RecommendationError, match="Seuls les délégués de la région"):
        host_structure_create(basin=basin, user=other, kind="campus", name="Campus")


# --- Business model page ---------------------------------------------------------------------


def test_business_model_page_defaults_to_the_recommended_concept(client: Client) -> None:
    basin = build_basin(FAB_ID_SPEC)  # the town lends premises
    client.force_login(delegate())
    client.get(reverse("recommendation-detail", args=[basin.pk]))

    response = client.get(reverse("business-model", args=[basin.pk]))
    page = response.content.decode()

    assert response.status_code == 200
    assert response.context["concept"] == "fab_id"
    model = response.context["model"]
    # Premises lent (from the basin's partners): the hand-checked Fab ID years.
    assert model.years["balance"].round(2).tolist() == [
        -45_000,
        -86_890,
        -54_760,
        -22_630,
        9_500,
        9_500,
    ]
    assert "Auto-portage en année 4" in page and "hypothèse à ajuster" in page
    assert "AMI</span> « deux personnels à temps plein »" in page
    assert BusinessScenario.objects.count() == 0


def test_business_model_simulation_reads_the_assumptions_typed(client: Client) -> None:
    basin = build_basin(FAB_ID_SPEC)
    client.force_login(delegate())
    response = client.get(
        reverse("business-model", args=[basin.pk]),
        {"concept": "fab_id", "premises_lent": "1", "learners_target": "100"},
    )
    assert response.context["model"].years["learners"].tolist() == [0, 100, 100, 100, 100, 100]
    assert BusinessScenario.objects.count() == 0  # simulating saves nothing


def test_business_model_bad_assumption_is_shown_on_its_field(client: Client) -> None:
    basin = build_basin(FAB_ID_SPEC)
    client.force_login(delegate())
    response = client.get(
        reverse("business-model", args=[basin.pk]),
        {"concept": "turnkey", "cpf_share": "1,5", "ramp": "0 ; 1"},
    )
    form = response.context["form"]
    assert response.status_code == 400  # parameters out of shape (tests/test_bad_inputs.py)
    assert form.errors["cpf_share"] == ["valeur attendue entre 0 et 1"]
    assert form.errors["ramp"] == ["6 valeurs attendues (années 0 à 5), 2 lues"]
    assert "Hypothèses à corriger" in response.content.decode()


def test_save_scenario_keeps_only_the_changed_assumptions(client: Client) -> None:
    basin = build_basin(FAB_ID_SPEC)
    client.force_login(delegate())
    url = reverse("business-model", args=[basin.pk])
    form = client.get(url, {"concept": "fab_id"}).context["form"]
    data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields)}
    data.update({"concept": "fab_id", "learners_target": "90", "scenario_name": "Cible 90"})

    response = client.post(url, data)

    scenario = BusinessScenario.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url}?scenario={scenario.pk}"
    assert scenario.concept == "fab_id"
    assert scenario.assumptions == {"learners_target": 90.0, "premises_lent": 1.0}
    assert scenario.summary["learners_year4"] == 90
    shown = client.get(url, {"scenario": scenario.pk})
    assert shown.context["model"].years.loc[4, "learners"] == 90


def test_save_scenario_with_bad_assumption_writes_nothing(client: Client) -> None:
    basin = build_basin(FAB_ID_SPEC)
    client.force_login(delegate())
    response = client.post(
        reverse("business-model", args=[basin.pk]),
        {"concept": "fab_id", "staff_cost": "-1", "scenario_name": "Erroné"},
    )
    assert response.status_code == 200
    assert BusinessScenario.objects.count() == 0


def test_mayor_cannot_save_a_scenario(client: Client) -> None:
    basin = build_basin(FAB_ID_SPEC)
    mayor = user_create(username="mairie", role=Role.MAYOR_VIEWER)
    BasinShare.objects.create(basin=basin, user=mayor)
    client.force_login(mayor)
    url = reverse("business-model", args=[basin.pk])

    assert client.get(url).status_code == 302  # to its shared versions (ADR 0014)
    assert client.post(url, {"concept": "fab_id", "scenario_name": "x"}).status_code == 403
    assert BusinessScenario.objects.count() == 0
