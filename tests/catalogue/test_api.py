"""GET /api/v1/basins/{id}/gap/: token auth, scoped like the pages."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from diagnostics.models import Region, Role
from diagnostics.services.accounts import user_create
from tests.catalogue.scenario import build_scenario
from tests.factories.catalogue import make_basin
from tests.factories.tokens import make_token

pytestmark = pytest.mark.django_db


def api_client(region: str = "44") -> APIClient:
    Region.objects.get_or_create(code=region, defaults={"name": f"Région {region}"})
    user = user_create(username=f"api{region}", role=Role.API_CLIENT, regions=[region])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(user)}")
    return client


def test_gap_api_returns_the_ranked_lines(django_assert_max_num_queries) -> None:
    scenario = build_scenario()
    client = api_client()
    url = reverse("api-basin-gap", args=[scenario.basin.pk])

    with django_assert_max_num_queries(30):
        response = client.get(url)

    assert response.status_code == 200
    data = response.json()
    assert data["basin"]["id"] == scenario.basin.pk
    assert data["ranked"] == 2
    first = data["lines"][0]
    assert (first["rank"], first["path_code"], first["score"]) == (1, "CPT-01", 56.0)
    assert (first["c_projects"], first["c_difficulty"], first["c_trend"]) == (0.5, 0.6, 0.75)
    assert first["explanation"].startswith("50 projets de recrutement en 2025")
    assert data["lines"][2]["rank"] is None
    assert "Aucun métier associé" in data["lines"][2]["excluded_reason"]


def test_gap_api_filters_and_weights() -> None:
    scenario = build_scenario()
    url = reverse("api-basin-gap", args=[scenario.basin.pk])
    client = api_client()

    by_concept = client.get(url, {"concept": "progressif"}).json()
    # Only the job seekers: CPT-01 80 (c = 1) → 100 × 1 × (1 − .2) = 80; NUM-02 20 (c = .25)
    # → 100 × .25 × (1 − .25) = 18.75.
    by_seekers = client.get(url, {"weights": "c_job_seekers:1"}).json()

    assert [line["path_code"] for line in by_concept["lines"]] == ["NUM-02"]
    assert by_concept["filters"] == {"concept": "progressif", "public": None}
    assert [(line["path_code"], line["score"]) for line in by_seekers["lines"][:2]] == [
        ("CPT-01", 80.0),
        ("NUM-02", 18.8),
    ]
    assert by_seekers["parameters"]["weights"]["c_projects"] == 0.0


def test_gap_api_bad_parameters_are_400() -> None:
    scenario = build_scenario()
    url = reverse("api-basin-gap", args=[scenario.basin.pk])
    client = api_client()

    bad_concept = client.get(url, {"concept": "tiers_lieu"})
    bad_weights = client.get(url, {"weights": "c_salaire:1"})

    assert bad_concept.status_code == 400
    assert bad_concept.json()["error"]["message"].startswith("Concept inconnu : « tiers_lieu »")
    assert bad_weights.status_code == 400
    assert "Composante inconnue : « c_salaire »" in str(bad_weights.json()["error"]["fields"])


def test_gap_api_other_region_404_and_no_diagnostic_404() -> None:
    scenario = build_scenario()
    other = api_client("53")
    without_run = make_basin(name="Bassin sans diagnostic", region=scenario.basin.region)

    forbidden = other.get(reverse("api-basin-gap", args=[scenario.basin.pk]))
    no_run = api_client().get(reverse("api-basin-gap", args=[without_run.pk]))

    assert forbidden.status_code == 404
    assert no_run.status_code == 404
    assert no_run.json()["error"]["code"] == "no_diagnostic"


def test_gap_api_needs_a_token() -> None:
    scenario = build_scenario()

    response = APIClient().get(reverse("api-basin-gap", args=[scenario.basin.pk]))

    assert response.status_code == 401


def test_gap_api_reconversion_boost_and_path_details() -> None:
    scenario = build_scenario()
    scenario.web.purposes.set(["reconversion"])  # type: ignore[list-item]  # purpose codes are the keys
    url = reverse("api-basin-gap", args=[scenario.basin.pk])
    client = api_client()

    plain = client.get(url).json()
    boosted = client.get(url, {"reconversion_boost": "0.2"}).json()
    bad = client.get(url, {"reconversion_boost": "2"})

    # Without boost CPT-01 56 leads NUM-02 49 (100 × 0.5875 / 0.9 × (1 − 0.25) = 48.958…);
    # × 1.2 NUM-02 scores 58.75 (shown 58.7, the float sits just under) and leads.
    assert [(x["path_code"], x["score"]) for x in plain["lines"][:2]] == [
        ("CPT-01", 56.0),
        ("NUM-02", 49.0),
    ]
    assert [(x["path_code"], x["score"]) for x in boosted["lines"][:2]] == [
        ("NUM-02", 58.7),
        ("CPT-01", 56.0),
    ]
    assert boosted["parameters"]["reconversion_boost"] == 0.2
    assert plain["parameters"]["reconversion_boost"] == 0.0
    web = boosted["lines"][0]
    assert (web["purposes"], web["reconversion_boosted"]) == (["reconversion"], True)
    assert {"level", "rncp_code", "cpf_eligible", "modalities", "duration_hours"} <= set(web)
    assert bad.status_code == 400
    assert "reconversion_boost" in str(bad.json()["error"]["fields"])
