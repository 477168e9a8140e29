"""Regional planning over the API v1 (issue 14): rank a region's candidate basins by programme fit
and pick N sites under a budget — computed in-process like the page (« Calculer » answers the
plan at once, nothing is stored), so `GET` with the parameters in the query (cacheable, with an
ETag) or `POST` with them in a JSON body: both answer 200 with the plan.

The roles and scope of the page: national admins and regional delegates, for their regions
(another region is a 404). The parameters are checked by the page's form (`PlanningForm`): a
value out of shape is a 400 naming it."""

from __future__ import annotations

import math
from typing import Any, cast

from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from diagnostics.api.base import ApiViewMixin
from diagnostics.models import Scope, User
from diagnostics.permissions import CanManageBasins
from implantations.analytics import planning_columns as pc
from implantations.forms.projects import SOURCE_CHOICES, PlanningForm
from implantations.selectors import planning as sel
from implantations.services import planning, planning_parameters

FIELDS = (
    "region",
    "source",
    "n",
    "budget",
    "min_km",
    "cost_turnkey",
    "cost_fab_id",
    "cost_progressive",
    "w_eligibility",
    "w_need",
    "w_access",
)


class PlanningInputSerializer(serializers.Serializer):
    """The page's parameters (its form checks them)."""

    region = serializers.CharField(help_text="Code de la région (une des vôtres).")
    source = serializers.ChoiceField(choices=SOURCE_CHOICES, required=False)  # type: ignore[assignment]
    n = serializers.IntegerField(required=False, help_text="Nombre de sites, 1 à 50 (défaut 5).")
    budget = serializers.FloatField(
        required=False, allow_null=True, help_text="Aide publique totale (€) ; vide : sans limite."
    )
    min_km = serializers.FloatField(required=False, help_text="Distance minimale, 0 à 500 km.")
    cost_turnkey = serializers.FloatField(required=False, allow_null=True)
    cost_fab_id = serializers.FloatField(required=False, allow_null=True)
    cost_progressive = serializers.FloatField(required=False, allow_null=True)
    w_eligibility = serializers.FloatField(required=False, allow_null=True)
    w_need = serializers.FloatField(required=False, allow_null=True)
    w_access = serializers.FloatField(required=False, allow_null=True)


class PlanningOutputSerializer(serializers.Serializer):
    region = serializers.DictField()
    source = serializers.CharField()  # type: ignore[assignment]
    source_label = serializers.CharField()
    parameters = serializers.DictField()
    candidates = serializers.ListField(
        child=serializers.DictField(),
        help_text="Candidats classés : adéquation (0-100, null sur trop peu de données), "
        "composantes, concept recommandé, coût retenu, retenu ou non.",
    )
    selection = serializers.DictField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())
    estimated = serializers.BooleanField(help_text="Toujours vrai : un classement indicatif.")
    page_url = serializers.URLField()
    csv_url = serializers.URLField()


QUERY_PARAMETERS = [
    OpenApiParameter("region", str, required=True, description="Code de la région."),
    OpenApiParameter("source", str, enum=[c for c, _ in SOURCE_CHOICES]),
    OpenApiParameter("n", int, description="Nombre de sites (1 à 50, défaut 5)."),
    OpenApiParameter("budget", float, description="Budget (€) ; absent : sans limite."),
    OpenApiParameter("min_km", float, description="Distance minimale entre deux sites (km)."),
    *[
        OpenApiParameter(f"cost_{k}", float, description=f"Coût d'un site {k} (€).")
        for k in ("turnkey", "fab_id", "progressive")
    ],
    *[
        OpenApiParameter(f"w_{k}", float, description=f"Poids ({k}).")
        for k in ("eligibility", "need", "access")
    ],
]


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.item() if hasattr(value, "item") else value


class PlanningApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [CanManageBasins]
    # Nothing is written: computing a plan needs the read scope, whatever the method.
    write_scopes = {"POST": Scope.INDICATORS_READ}
    serializer_class = PlanningOutputSerializer
    query_params_allowed = frozenset(FIELDS)

    def _plan(self, request: Request, values: dict[str, Any]) -> Response:
        user = cast(User, request.user)
        regions = [(r.code, r.name) for r in sel.planning_regions_for(user)]
        region = str(values.get("region") or "").strip()
        if not region:
            raise exceptions.ValidationError(
                {
                    "region": [
                        "Choisissez une région : la planification se calcule région par région."
                    ]
                }
            )
        if region not in {code for code, _ in regions}:
            raise exceptions.NotFound("Région inconnue ou hors de votre périmètre.")
        data: dict[str, Any] = {
            "source": pc.LEVEL_ZONE_EMPLOI,
            "n": 5,
            "min_km": 40,
            **planning_parameters.tuning_initial(),
        }
        data.update({k: ("" if v is None else v) for k, v in values.items() if k in FIELDS})
        form = PlanningForm(data, regions=regions)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            )
        cleaned = form.cleaned_data
        try:
            plan = planning.region_plan(
                region_code=cleaned["region"],
                user=user,
                source=cleaned["source"],
                n=cleaned["n"],
                budget=cleaned["budget"],
                min_km=cleaned["min_km"],
                costs=form.site_costs(),
                weights=form.fit_weights(),
            )
        except planning_parameters.PlanningError as exc:
            field = exc.field
            raise exceptions.ValidationError({field or "non_field_errors": [exc.message]}) from exc
        document = _plain(plan.as_dict())
        query = urlencode(
            {k: v for k, v in form.data.items() if k in FIELDS and v not in ("", None)}
        )
        document.update(
            {
                "source_label": plan.source_label,
                "estimated": True,
                "page_url": request.build_absolute_uri(f"{reverse('planning')}?{query}"),
                "csv_url": request.build_absolute_uri(f"{reverse('planning-export')}?{query}"),
            }
        )
        return Response(document)

    @extend_schema(
        operation_id="planning_compute",
        summary="Planification régionale : classement des candidats et sites retenus",
        description=(
            "Calculée à la demande comme sur la page (rien n'est enregistré) : les candidats "
            "de la région (zones d'emploi, bassins BMO ou bassins enregistrés) classés par "
            "adéquation au programme, et au plus N sites retenus sous le budget, à une distance "
            "minimale l'un de l'autre (heuristique gloutonne et programmation linéaire en "
            "nombres entiers)."
        ),
        parameters=QUERY_PARAMETERS,
    )
    def get(self, request: Request) -> Response:
        return self._plan(request, dict(request.query_params.items()))

    @extend_schema(
        operation_id="planning_compute_post",
        summary="Planification régionale, paramètres dans un corps JSON",
        description="Les mêmes paramètres et la même réponse que GET, dans un corps JSON.",
        request=PlanningInputSerializer,
    )
    def post(self, request: Request) -> Response:
        data = PlanningInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._plan(request, dict(data.validated_data))
