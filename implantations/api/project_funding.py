"""A project's funding split, CPF top-up scenarios and services over the API v1 (issue 18),
written with `projects:write` by the managers of the project's basin: a reader who does not
manage it gets a 403; a refusal is a 400 naming the field (« lines.1.annual_amount »,
« rate_percent », « services.aioa.conversion ») and nothing is written. Read like the project's
page (`project_list_for`: a project out of the caller's scope is a 404)."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.base import ApiViewMixin
from diagnostics.errors import ApplicationError
from diagnostics.models import Scope, User
from diagnostics.permissions import CanReadBasins
from implantations.analytics import funding as fd
from implantations.analytics.site_services import SERVICE_CODES, TIME_UNITS
from implantations.models import CpfTopUpScenario, ImplantationProject
from implantations.selectors import business_model as sel
from implantations.selectors.projects import project_list_for, project_manageable_for
from implantations.services import funding as services


def _readable(request: Request, pk: int) -> ImplantationProject:
    project = project_list_for(cast(User, request.user)).filter(pk=pk).first()
    if project is None:
        raise exceptions.NotFound(f"Projet n° {pk} introuvable.")
    return project


def _manageable(request: Request, pk: int) -> ImplantationProject:
    project = _readable(request, pk)
    if not project_manageable_for(cast(User, request.user)).filter(pk=pk).exists():
        raise exceptions.PermissionDenied(
            "Seuls les délégués de la région du bassin modifient le modèle économique du projet."
        )
    return project


def topup_output(scenario: CpfTopUpScenario) -> dict[str, Any]:
    return {
        "id": scenario.pk,
        "name": scenario.name,
        "authority": scenario.authority,
        "rate_percent": float(scenario.rate_percent),
        "ceiling": float(scenario.ceiling),
        "learners": scenario.learners,
        "path_price": float(scenario.path_price),
        "retained": scenario.retained,
        "created_at": scenario.created_at.isoformat(timespec="seconds"),
    }


def project_business_model_output(project: ImplantationProject) -> dict[str, Any]:
    """The project's business model document (years, funding lines, retained top-up,
    services) and its saved top-up scenarios."""
    document = sel.project_business_model(project).as_document()
    document["plan_basis"] = sel.project_plan_basis(project).label
    document["topup_scenarios"] = [topup_output(s) for s in sel.project_topup_list(project)]
    return document


def _validation_error(exc: ApplicationError, prefix: str) -> exceptions.ValidationError:
    errors = exc.extra.get("errors") if isinstance(exc.extra, dict) else None
    fields: dict[str, list[str]] = {}
    for key, value in (errors or {}).items():
        if isinstance(value, dict):
            for sub, message in value.items():
                name = "total" if key == "total" else f"{prefix}.{key}.{sub}"
                fields.setdefault(name, []).append(str(message))
        else:
            fields[f"{prefix}.{key}" if prefix else str(key)] = [str(value)]
    return exceptions.ValidationError(fields or {"non_field_errors": [exc.message]})


class FundingLineInputSerializer(serializers.Serializer):
    funder = serializers.ChoiceField(choices=list(fd.FUNDER_LABELS))
    funder_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    annual_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    first_year = serializers.IntegerField()
    last_year = serializers.IntegerField()
    conditions = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ProjectFundingApi(ApiViewMixin, APIView):
    permission_classes = [CanReadBasins]
    write_scope = Scope.PROJECTS_WRITE

    class InputSerializer(serializers.Serializer):
        lines = serializers.ListField(child=FundingLineInputSerializer(), max_length=40)

    @extend_schema(
        operation_id="project_funding_replace",
        summary="Remplacer la répartition des financements d'un projet par financeur",
        request=InputSerializer,
        responses={200: OpenApiTypes.OBJECT},
    )
    def put(self, request: Request, pk: int) -> Response:
        project = _manageable(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = [
            services.FundingInput(
                funder=row["funder"],
                funder_name=row.get("funder_name", ""),
                annual_amount=float(row["annual_amount"]),
                first_year=row["first_year"],
                last_year=row["last_year"],
                conditions=row.get("conditions", ""),
            )
            for row in data.validated_data["lines"]
        ]
        try:
            services.project_funding_replace(
                project=project, lines=lines, user=cast(User, request.user)
            )
        except ApplicationError as exc:
            raise _validation_error(exc, "lines") from exc
        return Response(project_business_model_output(project))


class ProjectTopUpsApi(ApiViewMixin, APIView):
    permission_classes = [CanReadBasins]
    write_scope = Scope.PROJECTS_WRITE
    query_params_allowed: frozenset[str] = frozenset()

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        authority = serializers.CharField(required=False, allow_blank=True, max_length=200)
        rate_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
        ceiling = serializers.DecimalField(max_digits=10, decimal_places=2)
        learners = serializers.IntegerField(min_value=0, max_value=fd.MAX_PEOPLE)
        path_price = serializers.DecimalField(max_digits=10, decimal_places=2)
        retained = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        operation_id="project_topup_list",
        summary="Scénarios d'abondement CPF d'un projet",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, pk: int) -> Response:
        project = _readable(request, pk)
        return Response({"results": [topup_output(s) for s in sel.project_topup_list(project)]})

    @extend_schema(
        operation_id="project_topup_create",
        summary="Enregistrer un scénario d'abondement CPF (retenu : il entre dans le modèle)",
        request=InputSerializer,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, pk: int) -> Response:
        project = _manageable(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            scenario = services.topup_scenario_save(
                project=project,
                user=cast(User, request.user),
                name=values["name"],
                authority=values.get("authority", ""),
                rate_percent=values["rate_percent"],
                ceiling=values["ceiling"],
                learners=values["learners"],
                path_price=values["path_price"],
                retained=values["retained"],
            )
        except ApplicationError as exc:
            raise _validation_error(exc, "") from exc
        return Response(topup_output(scenario), status=status.HTTP_201_CREATED)


class ServiceInputSerializer(serializers.Serializer):
    staff_time = serializers.FloatField(required=False, min_value=0)
    time_unit = serializers.ChoiceField(choices=list(TIME_UNITS), required=False)
    direct_cost = serializers.FloatField(required=False, min_value=0)
    revenue = serializers.FloatField(required=False, min_value=0)
    reach = serializers.FloatField(required=False, min_value=0)
    conversion = serializers.FloatField(required=False, min_value=0, max_value=1)


class ProjectServicesApi(ApiViewMixin, APIView):
    permission_classes = [CanReadBasins]
    write_scope = Scope.PROJECTS_WRITE

    class InputSerializer(serializers.Serializer):
        services = serializers.DictField(
            child=ServiceInputSerializer(),
            help_text=f"Par code de service ({', '.join(SERVICE_CODES)}) ; vide : valeurs par "
            "défaut du concept.",
        )

    @extend_schema(
        operation_id="project_services_replace",
        summary="Remplacer les chiffres des services d'un projet (temps, coûts, conversion)",
        request=InputSerializer,
        responses={200: OpenApiTypes.OBJECT},
    )
    def put(self, request: Request, pk: int) -> Response:
        project = _manageable(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.project_services_replace(
                project=project,
                user=cast(User, request.user),
                values=data.validated_data["services"],
            )
        except ApplicationError as exc:
            errors = exc.extra.get("errors") if isinstance(exc.extra, dict) else None
            raise exceptions.ValidationError(
                {f"services.{k}": [v] for k, v in (errors or {}).items()}
                or {"non_field_errors": [exc.message]}
            ) from exc
        return Response(project_business_model_output(project))
