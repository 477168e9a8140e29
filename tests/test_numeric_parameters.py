"""Security review, finding 2: numbers typed in a query string, a form or a command line.

NaN, infinities, negative and absurdly large values and unknown keys are refused with a French
message naming the parameter: a 400 with the API's error shape, never a 500, and a non-finite
float can never reach the JSON renderer."""

from __future__ import annotations

import json
import math

import pytest
from django.core.management import CommandError, call_command
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from catalogue.analytics.gap_params import GapParams
from catalogue.api.serializers import parse_weights
from diagnostics.models import Region, Role
from diagnostics.services.accounts import user_create
from implantations.analytics import planning_fit as pfit
from implantations.services import planning, planning_parameters
from tests.catalogue.scenario import build_scenario
from tests.factories.tokens import make_token


def api_client(region: str = "44") -> APIClient:
    Region.objects.get_or_create(code=region, defaults={"name": f"Région {region}"})
    user = user_create(username=f"api{region}", role=Role.API_CLIENT, regions=[region])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(user)}")
    return client


# --- Gap API: ?weights= ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ("c_projects:nan,c_difficulty:1", "« nan » n'est pas un nombre fini"),
        ("c_projects:inf,c_difficulty:1", "« inf » n'est pas un nombre fini"),
        ("c_projects:-inf", "« -inf » n'est pas un nombre fini"),
        ("c_projects:1e400", "« 1e400 » n'est pas un nombre fini"),
        ("c_projects:-1,c_difficulty:1", "négatif"),
        ("c_projects:1e9", "au plus 1000"),
        ("c_salaire:1", "Composante inconnue : « c_salaire »"),
        ("c_projects:abc", "Poids invalide pour c_projects : « abc »"),
        ("c_projects:1,c_projects:2", "donnée deux fois"),
        ("c_projects:0", "somme non nulle"),
    ],
)
def test_gap_api_bad_weights_are_a_400_naming_the_parameter(weights, expected):
    scenario = build_scenario()
    client = api_client()

    response = client.get(f"/api/v1/basins/{scenario.basin.pk}/gap/", {"weights": weights})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    messages = " ".join(error["fields"]["weights"])
    assert "Paramètre « weights »" in messages
    assert expected in messages


@pytest.mark.django_db
def test_gap_api_finite_weights_still_work():
    scenario = build_scenario()
    client = api_client()

    # Same ranking as test_gap_api_filters_and_weights: only the job seekers (c = 1 and .25).
    response = client.get(
        f"/api/v1/basins/{scenario.basin.pk}/gap/", {"weights": "c_job_seekers:2.5"}
    )

    assert response.status_code == 200
    lines = response.json()["lines"]
    assert [(line["path_code"], line["score"]) for line in lines[:2]] == [
        ("CPT-01", 80.0),
        ("NUM-02", 18.8),
    ]


@pytest.mark.parametrize(
    "weights",
    [{"c_projects": math.inf}, {"c_projects": math.nan}, {"c_projects": 1.0, "c_trend": -0.0001}],
)
def test_gap_params_refuse_non_finite_or_negative_weights(weights):
    with pytest.raises(ValueError, match="Poids"):
        GapParams(weights=weights)


def test_parse_weights_accepts_equals_and_spaces():
    assert parse_weights("c_projects=0.5, c_tension : 1000") == {
        "c_projects": 0.5,
        "c_tension": 1000.0,
    }


@pytest.mark.django_db
def test_gap_command_refuses_infinite_weights():
    scenario = build_scenario()

    with pytest.raises(CommandError, match="n'est pas un nombre fini"):
        call_command("gap", "--basin", str(scenario.basin.pk), "--weights", "c_projects:inf")


# --- Indicators API: ?year= --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["nan", "inf", "1e400", "2025.5", "-1", "99999999999999999999"])
def test_indicators_api_bad_year_is_a_400(year):
    client = api_client()

    response = client.get("/api/v1/basins/1/indicators/", {"year": year})

    assert response.status_code == 400
    assert "year" in response.json()["error"]["fields"]


# --- Regional planning: budget, distance, costs, weights ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"budget": math.nan}, "Le budget doit être un nombre fini"),
        ({"budget": math.inf}, "Le budget doit être un nombre fini"),
        ({"min_km": math.nan}, "La distance minimale doit être un nombre fini"),
        ({"min_km": math.inf}, "La distance minimale doit être un nombre fini"),
        ({"costs": {"turnkey": math.nan}}, "Coût négatif ou manquant"),
        ({"costs": {"turnkey": math.inf}}, "Coût négatif ou manquant"),
        ({"weights": pfit.FitWeights(eligibility=math.nan)}, "Poids non finis : éligibilité"),
        ({"weights": pfit.FitWeights(need=math.inf)}, "Poids non finis : besoin"),
        (
            {"weights": pfit.FitWeights(eligibility=1e308, need=1e308, access=1e308)},
            "Poids trop grands",
        ),
    ],
)
def test_region_plan_refuses_non_finite_numbers(kwargs, message):
    with pytest.raises(planning_parameters.PlanningError, match=message):
        planning.region_plan(region_code="44", **kwargs)


@pytest.mark.django_db
def test_plan_region_command_refuses_a_nan_budget():
    with pytest.raises(CommandError, match="Le budget doit être un nombre fini"):
        call_command("plan_region", "--region", "44", "--budget", "nan")


# --- The JSON renderer: last line of defence ----------------------------------------------------


class _NanApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    def get(self, request):  # type: ignore[no-untyped-def]
        return Response({"score": float("nan"), "nested": [{"x": float("inf")}]})


urlpatterns = [path("nan/", _NanApi.as_view())]


@pytest.mark.urls("tests.test_numeric_parameters")
def test_non_finite_float_in_an_answer_is_a_400_not_a_500(client):
    response = client.get("/nan/", HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["error"]["code"] == "non_finite_number"
    assert body["error"]["message"].startswith("Un calcul a produit une valeur non finie")
    assert body["error"]["fields"] == {"fields": ["score", "nested.0.x"]}
