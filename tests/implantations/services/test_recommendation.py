"""Recommendation through the database: the three hand-made basins via `recommend --json`, the
stored recommendation (one per inputs, with its profile version and vintages), the page, the
REST endpoint and its scoping, and the scoring profile's versions in the admin."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from diagnostics.models import Basin, BasinShare, Role
from diagnostics.services.accounts import user_create
from implantations.analytics.criteria import TURNKEY
from implantations.analytics.profile import DEFAULT_PROFILE, profile_with_weights
from implantations.models import Recommendation, ScoringProfile
from implantations.services.assets import host_structure_update
from implantations.services.recommendation import (
    RecommendationError,
    recommendation_compute,
    scoring_profile_create,
)
from tests.factories.html import cdn_links
from tests.factories.tokens import token_auth
from tests.implantations.recommendation_world import (
    FAB_ID_SPEC,
    PROGRESSIVE_SPEC,
    TURNKEY_SPEC,
    build_basin,
    delegate,
    hosts_of,
    region,
)

pytestmark = pytest.mark.django_db


def recommend_json(basin: Basin, *extra: str) -> dict:
    out = StringIO()
    call_command("recommend", "--basin", str(basin.pk), "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("spec", "expected"),
    [(TURNKEY_SPEC, "turnkey"), (FAB_ID_SPEC, "fab_id"), (PROGRESSIVE_SPEC, "progressive")],
    ids=["lycee-et-forte-demande", "chomage-et-mission-locale", "actifs-et-campus"],
)
def test_recommend_json_for_each_hand_made_basin(spec, expected) -> None:  # type: ignore[no-untyped-def]
    basin = build_basin(spec)

    data = recommend_json(basin)

    assert data["concept"] == expected
    assert set(data["scores"]) == {"turnkey", "fab_id", "progressive"}
    best = max(data["scores"], key=lambda k: data["scores"][k] or 0)
    assert best == expected
    assert 0 <= data["robustness"] <= 1 and data["label"] == "robuste"
    assert [c["concept"] for c in data["constraints"]] == ["turnkey", "fab_id", "progressive"]
    assert len(data["criteria"]) == 21  # 21 since reconversion_bridges (issue 17)
    assert data["profile"]["version"] == 1
    assert data["diagnostic_run"]["id"] == basin.diagnostic_runs.get().pk
    assert {s["source"] for s in data["sources"]} >= {"bmo", "chomage_ze", "defm"}


def test_hand_made_fab_id_basin_reads_every_source() -> None:
    data = recommend_json(build_basin(FAB_ID_SPEC))
    criteria = {c["code"]: c for c in data["criteria"]}

    assert criteria["unemployment_rate"]["raw"] == 10.5
    assert criteria["unemployment_trend"]["raw"] == pytest.approx(0.6)
    assert criteria["job_seekers_per_1000"]["raw"] == pytest.approx(105)
    assert criteria["bmo_trend"]["raw"] == pytest.approx(-2)
    assert criteria["neet_share"]["raw"] == 20 and criteria["neet_share"]["variant"] == "part_neet"
    assert criteria["shared_places"]["raw"] == 2
    assert criteria["premises_lent"]["raw"] == 1
    assert criteria["epci_commitment"]["raw"] == 2  # « engagé par délibération »
    assert criteria["employer_letters"]["raw"] == 1
    assert criteria["vocational_lycees"]["raw"] == 1
    assert criteria["lycee_distance_km"]["raw"] == pytest.approx(12, abs=0.05)
    assert criteria["cnam_distance_km"]["raw"] == pytest.approx(70, abs=0.05)
    # No catalogue path in this database: missing with its reason, never 0.
    assert criteria["catalogue_gap"]["missing"] is True
    assert criteria["catalogue_gap"]["raw"] is None
    assert criteria["bmo_difficulty_rate"]["vintage"] == "2023, 2025"


def test_same_inputs_give_the_same_recommendation_and_new_assets_a_new_one() -> None:
    basin = build_basin(TURNKEY_SPEC)
    first = recommendation_compute(basin=basin)
    again = recommendation_compute(basin=basin)
    assert again.pk == first.pk
    assert Recommendation.objects.count() == 1

    lycees = [h for h in hosts_of(basin) if h.kind == "lycee"]
    for lycee in lycees:
        host_structure_update(basin=basin, user=delegate(), host_id=lycee.pk, confirmed=False)
    changed = recommendation_compute(basin=basin)

    assert changed.pk != first.pk
    assert changed.concept == "fab_id"  # no confirmed lycée: turnkey fails its constraint
    constraint = next(c for c in changed.document["constraints"] if c["concept"] == TURNKEY)
    assert constraint["passed"] is False
    first.refresh_from_db()
    assert first.concept == "turnkey"  # a stored recommendation never changes


def test_each_recommendation_records_its_profile_version() -> None:
    basin = build_basin(TURNKEY_SPEC)
    v1 = recommendation_compute(basin=basin)
    profile = scoring_profile_create(
        parameters=profile_with_weights(DEFAULT_PROFILE, {("population", TURNKEY): 10}),
        change_note="Plus de poids à la taille du bassin.",
    )
    v2 = recommendation_compute(basin=basin)

    assert (profile.version, v1.profile.version, v2.profile.version) == (2, 1, 2)
    assert v2.pk != v1.pk
    # Recomputing with version 1 gives back the first recommendation.
    assert recommendation_compute(basin=basin, profile=v1.profile).pk == v1.pk
    assert recommend_json(basin, "--profile", "1")["id"] == v1.pk


def test_invalid_profile_is_refused_and_nothing_written() -> None:
    with pytest.raises(RecommendationError, match="poids « turnkey » positif ou nul"):
        scoring_profile_create(
            parameters=profile_with_weights(DEFAULT_PROFILE, {("population", TURNKEY): -3})
        )
    assert list(ScoringProfile.objects.values_list("version", flat=True)) == [1]


def test_profile_version_cannot_be_edited_in_place() -> None:
    profile = ScoringProfile.objects.get(version=1)
    profile.name = "Autre nom"
    with pytest.raises(ValueError, match="ne peut plus être modifiée"):
        profile.save()


def test_without_diagnostic_demand_criteria_are_missing_not_zero() -> None:
    basin = build_basin(TURNKEY_SPEC, with_run=False)

    data = recommend_json(basin)
    criteria = {c["code"]: c for c in data["criteria"]}

    assert data["diagnostic_run"] is None
    assert criteria["bmo_projects_per_1000"]["missing"] is True
    assert criteria["unemployment_rate"]["missing"] is True
    assert "Aucun diagnostic terminé" in data["notes"][0]
    assert data["concept"] == "turnkey"  # from the assets alone…
    assert data["label"] == "fragile"  # …but on too little data


def test_recommend_command_errors_are_french() -> None:
    with pytest.raises(CommandError, match="Bassin n° 999 introuvable"):
        call_command("recommend", "--basin", "999")
    basin = build_basin(TURNKEY_SPEC)
    with pytest.raises(CommandError, match="version 7 introuvable \\(versions : 1\\)"):
        call_command("recommend", "--basin", str(basin.pk), "--profile", "7")


def test_recommend_command_prints_a_summary() -> None:
    basin = build_basin(PROGRESSIVE_SPEC)
    out = StringIO()
    call_command("recommend", "--basin", str(basin.pk), stdout=out)
    text = out.getvalue()
    assert "Progressif (robuste)" in text
    assert "condition remplie" in text and "Robustesse : 100 %" in text


# --- Page ------------------------------------------------------------------------------------


def test_recommendation_page_for_a_reader_and_a_mayor_sent_to_its_versions(client: Client) -> None:
    basin = build_basin(FAB_ID_SPEC)
    mayor = user_create(username="mairie", role=Role.MAYOR_VIEWER)
    BasinShare.objects.create(basin=basin, user=mayor)
    client.force_login(mayor)
    # A mayor's office reads the recommendation frozen in its shared versions (none: home).
    redirect = client.get(reverse("recommendation-detail", args=[basin.pk]))
    assert (redirect.status_code, redirect["Location"]) == (302, reverse("home"))
    client.force_login(user_create(username="nat", role=Role.NATIONAL_ADMIN))

    response = client.get(reverse("recommendation-detail", args=[basin.pk]))
    page = response.content.decode()

    assert response.status_code == 200
    assert "Fab ID (tiers-lieu)" in page and "robuste" in page
    assert "Simuler le modèle économique" in page
    assert f"{reverse('business-model', args=[basin.pk])}?concept=fab_id" in page
    for concept in ("turnkey", "fab_id", "progressive"):
        assert f'id="waterfall-{concept}-data"' in page
    assert (
        "Lieu partagé confirmé : «\u00a0France Services\u00a0», «\u00a0Mission locale du Pays de "
        "Brie\u00a0»" in page
    )
    assert "/static/plotly/plotly.min.js" in page and cdn_links(page) == []
    # Its managers edit the assets from there.
    assert "Renseigner les atouts du bassin" in page


def test_recommendation_page_of_another_region_is_not_found(client: Client) -> None:
    basin = build_basin(TURNKEY_SPEC)
    region("53", "Bretagne")
    client.force_login(user_create(username="d53", role=Role.REGIONAL_DELEGATE, regions=["53"]))
    assert client.get(reverse("recommendation-detail", args=[basin.pk])).status_code == 404


def test_basin_page_links_to_the_recommendation(client: Client) -> None:
    basin = build_basin(TURNKEY_SPEC)
    client.force_login(delegate())
    page = client.get(reverse("basin-detail", args=[basin.pk])).content.decode()
    assert reverse("recommendation-detail", args=[basin.pk]) in page
    assert reverse("basin-assets", args=[basin.pk]) in page


# --- API -------------------------------------------------------------------------------------


def test_api_recommendation_with_a_token() -> None:
    basin = build_basin(PROGRESSIVE_SPEC)
    client_user = user_create(username="observatoire", role=Role.API_CLIENT, regions=["44"])
    api = Client(headers=token_auth(client_user))

    response = api.get(f"/api/v1/basins/{basin.pk}/recommendation/")

    assert response.status_code == 200
    data = response.json()
    assert data["concept"] == "progressive"
    assert set(data["scores"]) == {"turnkey", "fab_id", "progressive"}
    assert 0 <= data["robustness"] <= 1
    assert len(data["constraints"]) == 3 and len(data["criteria"]) == 21
    assert data["id"] == Recommendation.objects.get().pk
    assert data["page_url"].endswith(f"/bassins/{basin.pk}/recommandation/")


def test_api_recommendation_is_scoped() -> None:
    basin = build_basin(TURNKEY_SPEC)
    region("53", "Bretagne")
    other = user_create(username="observatoire-53", role=Role.API_CLIENT, regions=["53"])
    other_region = Client(headers=token_auth(other)).get(
        f"/api/v1/basins/{basin.pk}/recommendation/"
    )
    anonymous = Client().get(f"/api/v1/basins/{basin.pk}/recommendation/")

    assert other_region.status_code == 404
    assert other_region.json()["error"]["code"] == "not_found"
    assert anonymous.status_code == 401
    assert Recommendation.objects.count() == 0  # nothing computed for them


def test_api_recommendation_query_count(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    basin = build_basin(TURNKEY_SPEC)
    client_user = user_create(username="observatoire", role=Role.API_CLIENT, regions=["44"])
    api = Client(headers=token_auth(client_user))
    api.get(f"/api/v1/basins/{basin.pk}/recommendation/")  # computes and stores it

    with django_assert_max_num_queries(40):
        assert api.get(f"/api/v1/basins/{basin.pk}/recommendation/").status_code == 200


# --- Admin -----------------------------------------------------------------------------------


def _admin_form_data(profile: ScoringProfile, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": profile.name,
        "change_note": "",
        "parameters": json.dumps(profile.parameters),
    }
    for code, entry in profile.parameters["criteria"].items():
        for concept, weight in entry["weights"].items():
            data[f"w__{code}__{concept}"] = weight
    data.update(changes)
    return data


def test_admin_change_of_the_profile_saves_a_new_version(client: Client) -> None:
    catalogue_admin = user_create(username="cat", role=Role.CATALOGUE_ADMIN)
    client.force_login(catalogue_admin)
    v1 = ScoringProfile.objects.get(version=1)
    url = reverse("admin:implantations_scoringprofile_change", args=[v1.pk])

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _admin_form_data(
            v1, change_note="Lycées plus décisifs.", **{"w__vocational_lycees__turnkey": 25}
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(ScoringProfile.objects.order_by("version").values_list("version", flat=True)) == [
        1,
        2,
    ]
    v1.refresh_from_db()
    v2 = ScoringProfile.objects.get(version=2)
    assert v1.parameters["criteria"]["vocational_lycees"]["weights"]["turnkey"] == 15
    assert v2.parameters["criteria"]["vocational_lycees"]["weights"]["turnkey"] == 25
    assert v2.created_by == catalogue_admin
    assert ScoringProfile.current() == v2


def test_admin_refuses_an_invalid_profile_and_writes_nothing(client: Client) -> None:
    client.force_login(user_create(username="nat", role=Role.NATIONAL_ADMIN))
    v1 = ScoringProfile.objects.get(version=1)
    url = reverse("admin:implantations_scoringprofile_change", args=[v1.pk])
    params = json.loads(json.dumps(v1.parameters))
    params["sensitivity"]["draws"] = 0

    response = client.post(
        url, _admin_form_data(v1, change_note="Essai", parameters=json.dumps(params))
    )

    assert response.status_code == 200
    assert "« draws » entier entre 1 et 100 000 attendu" in response.content.decode()
    assert ScoringProfile.objects.count() == 1


def test_admin_requires_a_reason_for_a_change(client: Client) -> None:
    client.force_login(user_create(username="nat", role=Role.NATIONAL_ADMIN))
    v1 = ScoringProfile.objects.get(version=1)
    response = client.post(
        reverse("admin:implantations_scoringprofile_change", args=[v1.pk]), _admin_form_data(v1)
    )
    assert response.status_code == 200
    assert "Dites ce qui change et pourquoi" in response.content.decode()
    assert ScoringProfile.objects.count() == 1


def test_used_profile_version_cannot_be_deleted(client: Client) -> None:
    recommendation_compute(basin=build_basin(TURNKEY_SPEC))
    client.force_login(user_create(username="nat", role=Role.NATIONAL_ADMIN))
    v1 = ScoringProfile.objects.get(version=1)
    response = client.post(
        reverse("admin:implantations_scoringprofile_delete", args=[v1.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert ScoringProfile.objects.filter(pk=v1.pk).exists()
