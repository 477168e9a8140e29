"""Business model over the API v1 (issue 14): a basin's (the page « Modèle économique », with the
assumptions typed as query parameters, nothing saved), its saved scenarios (list; save one with
`basins:write`, like the page's « Enregistrer »), and a project's. A project's funding split,
CPF top-up scenarios and services (issue 18) are written through `api/project_funding.py`.

Read like the page (`basin_live_list_for`: another region's basin, or a basin read only through
shared versions, is a 404); saving needs to manage the basin. A value out of shape is a 400
naming the assumption, as on the page."""

from __future__ import annotations

import math
from typing import Any, cast

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from diagnostics.api.base import ApiViewMixin, basin_or_404
from diagnostics.api.basins import ReadOrManageBasins
from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, Scope, User
from diagnostics.params import is_integer_text
from diagnostics.permissions import CanReadBasins
from diagnostics.selectors.access import basin_live_list_for, basin_manageable_for
from implantations.analytics import business_model_assumptions as bma
from implantations.analytics import criteria
from implantations.api.project_funding import topup_output
from implantations.models import BusinessScenario
from implantations.selectors import business_model as sel
from implantations.selectors import projects as project_sel
from implantations.selectors.recommendation import business_scenario_list
from implantations.services.recommendation import business_scenario_save

CONCEPT_CHOICES = [(k, criteria.CONCEPT_LABELS[k]) for k in criteria.CONCEPTS]
ASSUMPTION_CODES = tuple(bma.default_assumptions(criteria.TURNKEY))


class AssumptionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.CharField(allow_blank=True)
    value = serializers.JSONField(help_text="Un nombre, ou six (années 0 à 5).")
    group = serializers.CharField()
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="Source du chiffre (AMI Cnam) ou « hypothèse à ajuster »."
    )
    per_year = serializers.BooleanField()
    changed = serializers.BooleanField(help_text="Différente de la valeur par défaut.")


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="0 : année de préparation, puis 1 à 5.")
    learners = serializers.IntegerField()
    staff_fte = serializers.FloatField()
    gtec = serializers.FloatField()
    investment = serializers.FloatField()
    staff = serializers.FloatField()
    teaching = serializers.FloatField()
    overheads = serializers.FloatField()
    premises = serializers.FloatField()
    costs = serializers.FloatField()
    cpf = serializers.FloatField()
    region = serializers.FloatField()
    opco = serializers.FloatField()
    fees = serializers.FloatField()
    ardan = serializers.FloatField()
    revenues = serializers.FloatField()
    balance = serializers.FloatField()
    public_aid = serializers.FloatField()
    cumulative_balance = serializers.FloatField()
    public_share = serializers.FloatField(
        allow_null=True, help_text="Part du public adressable ; null : public inconnu."
    )
    # Issue 18: the services, the CPF top-up and the funding split.
    services_learners = serializers.FloatField(help_text="Apprenants amenés par les services.")
    services = serializers.FloatField(
        help_text="Coût des services (temps × coût d'un ETP + directs)."
    )
    cpf_topup = serializers.FloatField(help_text="Abondement CPF (scénario retenu d'un projet).")
    services_revenue = serializers.FloatField()
    funded_aid = serializers.FloatField(
        help_text="Financements prévus (répartition par financeur)."
    )
    balance_after_aid = serializers.FloatField()


class ScenarioSerializer(serializers.ModelSerializer):
    basin = serializers.IntegerField(source="basin_id")
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = BusinessScenario
        fields = [
            "id",
            "basin",
            "name",
            "concept",
            "assumptions",
            "summary",
            "created_at",
            "created_by",
        ]

    def get_created_by(self, scenario: BusinessScenario) -> str | None:
        user = scenario.created_by
        return user.get_username() if user is not None else None


class BusinessModelOutputSerializer(serializers.Serializer):
    basin = serializers.DictField()
    concept = serializers.ChoiceField(choices=CONCEPT_CHOICES)
    concept_label = serializers.CharField()
    recommended_concept = serializers.CharField(
        allow_null=True, help_text="Concept de la dernière recommandation du bassin."
    )
    scenario = ScenarioSerializer(allow_null=True)
    premises_from_assets = serializers.BooleanField(
        help_text="« Locaux prêtés » repris des atouts du bassin (hypothèses par défaut)."
    )
    assumptions = AssumptionSerializer(many=True)
    years = YearSerializer(many=True)
    break_even_year = serializers.IntegerField(
        allow_null=True, help_text="Première année d'équilibre durable ; null : jamais."
    )
    self_financed_year4 = serializers.BooleanField()
    public_aid_total = serializers.FloatField(
        help_text="Aide publique, années 0 à 5 (€) : la somme de la répartition par financeur "
        "d'un projet qui en a une, sinon l'aide nécessaire (somme des déficits)."
    )
    addressable_public = serializers.FloatField(allow_null=True)
    addressable_label = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())
    public_aid_needed_total = serializers.FloatField(help_text="Somme des déficits (€).")
    public_aid_source = serializers.CharField(
        help_text="« répartition par financeur » (un projet qui en a une) ou « besoin calculé »."
    )
    learners_needed = serializers.IntegerField(
        allow_null=True, help_text="Apprenants pour équilibrer l'année 4 ; null : inatteignable."
    )
    learners_needed_year = serializers.IntegerField()
    funding_lines = serializers.ListField(child=serializers.DictField())
    cpf_topup = serializers.DictField(allow_null=True)
    services = serializers.ListField(child=serializers.DictField())
    estimated = serializers.BooleanField(
        help_text="Toujours vrai : une simulation sur des hypothèses (sources par hypothèse)."
    )
    page_url = serializers.URLField()


class ProjectRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProjectBusinessModelOutputSerializer(BusinessModelOutputSerializer):
    project = ProjectRefSerializer()


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def business_model_document(read: sel.BusinessModelRead, request: Request) -> dict[str, Any]:
    model = read.model
    document = model.as_document()
    defaults = bma.default_assumptions(read.concept)
    for item in document["assumptions"]:
        value = defaults[item["code"]].value
        default: Any = list(value) if isinstance(value, tuple) else value
        item["changed"] = item["value"] != default
    # A year's public share is NaN when the public is unknown: null in JSON.
    document["years"] = [{k: _finite(v) for k, v in row.items()} for row in document["years"]]
    basin = read.basin
    query = (
        f"?scenario={read.scenario.pk}" if read.scenario is not None else f"?concept={read.concept}"
    )
    document.update(
        {
            "basin": {"id": basin.pk, "name": basin.name, "population": basin.population},
            "recommended_concept": (read.recommendation.concept or None)
            if read.recommendation
            else None,
            "scenario": ScenarioSerializer(read.scenario).data if read.scenario else None,
            "premises_from_assets": read.premises_from_assets,
            "estimated": True,
            "page_url": request.build_absolute_uri(
                reverse("business-model", args=[basin.pk]) + query
            ),
        }
    )
    return document


def _live_basin(request: Request, pk: int) -> Basin:
    return basin_or_404(basin_live_list_for(cast(User, request.user)), pk)


def _assumption_errors(problems: dict[str, str]) -> exceptions.ValidationError:
    return exceptions.ValidationError({code: [message] for code, message in problems.items()})


ASSUMPTION_PARAMETERS = [
    OpenApiParameter(
        code,
        str,
        description=(
            f"{assumption.label} ({assumption.unit or 'sans unité'}) ; "
            + (
                "six valeurs séparées par « ; » (années 0 à 5)"
                if assumption.per_year
                else "un nombre"
            )
            + f". Défaut : {assumption.value}."
        ),
    )
    for code, assumption in bma.default_assumptions(criteria.TURNKEY).items()
]


class BasinBusinessModelApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [CanReadBasins]
    serializer_class = BusinessModelOutputSerializer
    query_params_allowed = frozenset({"concept", "scenario", *ASSUMPTION_CODES})

    @extend_schema(
        operation_id="basin_business_model",
        summary="Modèle économique d'un bassin (simulation, rien n'est enregistré)",
        description=(
            "Les années 0 à 5 d'un concept : apprenants, coûts, recettes, solde, aide publique "
            "nécessaire, année d'équilibre. Le concept demandé, sinon celui de la dernière "
            "recommandation, sinon clef en main ; les hypothèses d'un scénario enregistré "
            "(`scenario`), ou celles passées en paramètres (une par code), sinon les valeurs "
            "par défaut — chacune avec sa source (AMI Cnam) ou « hypothèse à ajuster »."
        ),
        parameters=[
            OpenApiParameter("concept", str, enum=list(criteria.CONCEPTS)),
            OpenApiParameter("scenario", int, description="Id d'un scénario enregistré."),
            *ASSUMPTION_PARAMETERS,
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        basin = _live_basin(request, pk)
        params = request.query_params
        concept = params.get("concept") or None
        if concept is not None and concept not in criteria.CONCEPTS:
            raise exceptions.ValidationError(
                {
                    "concept": [
                        f"Concept inconnu : « {concept[:40]} » (possibles : {', '.join(criteria.CONCEPTS)})."
                    ]
                }
            )
        scenario = None
        if params.get("scenario"):
            raw = params["scenario"]
            if not is_integer_text(raw) or raw.startswith("-") or len(raw) > 12:
                raise exceptions.ValidationError({"scenario": ["Id de scénario entier attendu."]})
            scenario = next((s for s in business_scenario_list(basin) if s.pk == int(raw)), None)
            if scenario is None:
                raise exceptions.NotFound(f"Scénario n° {raw} introuvable pour ce bassin.")
        overrides = {code: params[code] for code in ASSUMPTION_CODES if params.get(code, "") != ""}
        if scenario is not None and overrides:
            raise exceptions.ValidationError(
                {"scenario": ["Un scénario enregistré ou des hypothèses, pas les deux."]}
            )
        try:
            read = sel.business_model_for_basin(
                basin, concept=concept, scenario=scenario, overrides=overrides
            )
        except bma.AssumptionError as exc:
            raise _assumption_errors(exc.problems) from exc
        return Response(business_model_document(read, request))


class ScenarioInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, help_text="Nom du scénario.")
    concept = serializers.ChoiceField(choices=CONCEPT_CHOICES)
    assumptions = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="{code: nombre, ou liste de six nombres} ; les autres à leur valeur par défaut.",
    )


class BasinScenariosApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [ReadOrManageBasins]
    write_scope = Scope.BASINS_WRITE
    serializer_class = ScenarioSerializer
    queryset = BusinessScenario.objects.none()  # the schema's model; reads are scoped below
    pagination_class = None  # a basin has a handful of scenarios
    query_params_allowed: frozenset[str] = frozenset()

    @extend_schema(
        operation_id="basin_business_scenario_list",
        summary="Scénarios de modèle économique enregistrés d'un bassin",
        responses={200: ScenarioSerializer(many=True)},
    )
    def get(self, request: Request, pk: int) -> Response:
        basin = _live_basin(request, pk)
        return Response(ScenarioSerializer(business_scenario_list(basin), many=True).data)

    @extend_schema(
        operation_id="basin_business_scenario_create",
        summary="Enregistrer un scénario de modèle économique (basins:write)",
        request=ScenarioInputSerializer,
        responses={201: ScenarioSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = cast(User, request.user)
        basin = basin_or_404(basin_manageable_for(user), pk)
        data = ScenarioInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            scenario = business_scenario_save(
                basin=basin,
                user=user,
                concept=values["concept"],
                name=values["name"],
                overrides=values.get("assumptions") or {},
            )
        except ApplicationError as exc:
            problems = exc.extra.get("assumptions") if isinstance(exc.extra, dict) else None
            if problems:
                raise exceptions.ValidationError(
                    {"assumptions": {code: [m] for code, m in problems.items()}}
                ) from exc
            raise
        return Response(ScenarioSerializer(scenario).data, status=status.HTTP_201_CREATED)


class ProjectBusinessModelApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [CanReadBasins]
    serializer_class = ProjectBusinessModelOutputSerializer
    query_params_allowed: frozenset[str] = frozenset()

    @extend_schema(
        operation_id="project_business_model",
        summary="Modèle économique d'un projet d'implantation",
        description=(
            "Le modèle du concept retenu par le projet, sur son bassin, avec le dernier scénario "
            "enregistré du bassin pour ce concept s'il y en a un (d'où viennent ses apprenants "
            "prévus), sinon les hypothèses par défaut."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        user = cast(User, request.user)
        project = (
            project_sel.project_list_for(user)
            .filter(pk=pk, basin__in=basin_live_list_for(user))
            .first()
        )
        if project is None:
            raise exceptions.NotFound(f"Projet n° {pk} introuvable.")
        try:
            read = sel.business_model_for_project(project)
        except bma.AssumptionError as exc:  # a scenario saved before a rule changed
            raise _assumption_errors(exc.problems) from exc
        document = business_model_document(read, request)
        document["project"] = {"id": project.pk, "name": project.name}
        document["topup_scenarios"] = [topup_output(s) for s in sel.project_topup_list(project)]
        document["page_url"] = request.build_absolute_uri(
            reverse("business-model", args=[project.basin_id]) + f"?projet={project.pk}"
        )
        return Response(document)
