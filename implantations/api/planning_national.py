"""National planning over the API v1 (issue 16).

`POST /api/v1/planning/national/` {"zoning": "zone_emploi", "n": 10, "budget": 3000000,
"min_km": 40, "include_registered": true, "costs": {"turnkey": …}, "weights": {"eligibility":
0.3, "need": 0.5, "access": 0.2}, "curve": true} → 200 with the plan in the regional planning's
shape (`NationalPlan.as_dict`: parameters, candidates, selection with its bound and
« gap_bound », plus coverage, tradeoff and regions). National admins only (a token needs the
`runs:write` scope, « demande de diagnostics et de planifications »); a delegate gets a 404:
the national figures are out of their scope. Bad input: 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.base import ApiViewMixin
from diagnostics.models import Scope, User
from diagnostics.permissions import CanManageBasins
from diagnostics.selectors.national import ZONING_ALIASES, ZONING_LABELS
from implantations.analytics import planning_fit as pfit
from implantations.forms.planning_national import NATIONAL_MAX_SITES
from implantations.selectors.planning_national import national_planning_allowed
from implantations.services import planning_national as services


class NationalPlanningApi(ApiViewMixin, APIView):
    permission_classes = [CanManageBasins]
    write_scope = Scope.RUNS_WRITE

    class CostsSerializer(serializers.Serializer):
        turnkey = serializers.FloatField(required=False, min_value=0)
        fab_id = serializers.FloatField(required=False, min_value=0)
        progressive = serializers.FloatField(required=False, min_value=0)

    class WeightsSerializer(serializers.Serializer):
        eligibility = serializers.FloatField(required=False, min_value=0)
        need = serializers.FloatField(required=False, min_value=0)
        access = serializers.FloatField(required=False, min_value=0)

    class InputSerializer(serializers.Serializer):
        zoning = serializers.ChoiceField(
            choices=[*ZONING_LABELS, *ZONING_ALIASES],
            default="zone_emploi",
            error_messages={
                "invalid_choice": "Zonage « {input} » inconnu : zone_emploi (ou ze), bassin_bmo "
                "ou epci."
            },
        )
        n = serializers.IntegerField(
            min_value=1, max_value=NATIONAL_MAX_SITES, default=services.DEFAULT_N
        )
        budget = serializers.FloatField(required=False, allow_null=True, min_value=0)
        min_km = serializers.FloatField(min_value=0, max_value=500, default=services.DEFAULT_MIN_KM)
        include_registered = serializers.BooleanField(default=True)
        costs = serializers.DictField(required=False)
        weights = serializers.DictField(required=False)
        curve = serializers.BooleanField(default=True)

        def validate_costs(self, value: dict[str, Any]) -> dict[str, float]:
            return _nested(NationalPlanningApi.CostsSerializer, value)

        def validate_weights(self, value: dict[str, Any]) -> dict[str, float]:
            return _nested(NationalPlanningApi.WeightsSerializer, value)

    @extend_schema(request=InputSerializer, responses={200: dict})
    def post(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        if not national_planning_allowed(user):
            raise NotFound("Planification nationale réservée aux administrateurs nationaux.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        defaults = pfit.FitWeights()
        weights = values.get("weights") or {}
        plan = services.national_plan(
            user=user,
            zoning=values["zoning"],
            include_registered=values["include_registered"],
            n=values["n"],
            budget=values.get("budget"),
            min_km=values["min_km"],
            costs=values.get("costs") or None,
            weights=pfit.FitWeights(
                eligibility=weights.get("eligibility", defaults.eligibility),
                need=weights.get("need", defaults.need),
                access=weights.get("access", defaults.access),
            ),
            curve=values["curve"],
        )
        return Response(plan.as_dict())


def _nested(serializer_class: type[serializers.Serializer], value: dict[str, Any]) -> Any:
    unknown = sorted(set(value) - set(serializer_class().fields))
    if unknown:
        raise serializers.ValidationError(
            f"Clés inconnues : {', '.join(unknown)} "
            f"(possibles : {', '.join(serializer_class().fields)})."
        )
    nested = serializer_class(data=value)
    nested.is_valid(raise_exception=True)
    return dict(nested.validated_data)
