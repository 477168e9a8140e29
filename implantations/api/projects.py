"""Implantation projects over the API v1 (issue 14): list and follow-up (status and its
history, planned against actual learners per year, partners), read like their basin
(`project_list_for`: another region's project is a 404)."""

from __future__ import annotations

from typing import Any, cast

import django_filters
import pandas as pd
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from diagnostics.api.base import ApiViewMixin
from diagnostics.api.basin_filters import IdFilter
from diagnostics.api.territories import StrictOrderingFilter
from diagnostics.models import User
from diagnostics.permissions import CanReadBasins
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_followup as pfu
from implantations.models import ImplantationProject
from implantations.models.projects import Concept, ProjectStatus
from implantations.selectors import projects as sel
from implantations.services import projects as services

# A project's resources over the API (issue 14): added here as they exist, so that a client
# finds its follow-up and business model from the project itself.
PROJECT_LINKS = {
    "self": "api-project-detail",
    "followup": "api-project-followup",
    "business_model": "api-project-business-model",
    "funding": "api-project-funding",
    "topups": "api-project-topups",
    "services": "api-project-services",
    "page": "project-detail",
}


class ProjectOutputSerializer(serializers.ModelSerializer):
    basin = serializers.IntegerField(source="basin_id")
    basin_name = serializers.CharField(source="basin.name")
    urls = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_urls(self, project: ImplantationProject) -> dict[str, str]:
        request = self.context.get("request")
        out = {}
        for key, name in PROJECT_LINKS.items():
            try:
                path = reverse(name, args=[project.pk])
            except NoReverseMatch:  # a resource not installed in this deployment
                continue
            out[key] = request.build_absolute_uri(path) if request is not None else path
        return out

    class Meta:
        model = ImplantationProject
        fields = [
            "id",
            "name",
            "basin",
            "basin_name",
            "concept",
            "recommended_concept",
            "status",
            "start_year",
            "host_structure",
            "study_started_on",
            "convention_signed_on",
            "opened_on",
            "self_financed_on",
            "created_at",
            "updated_at",
            "urls",
        ]


class FollowupYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="0 = année de mise en place, puis 1 à 5.")
    calendar_year = serializers.IntegerField()
    planned = serializers.IntegerField()
    actual = serializers.IntegerField(allow_null=True, help_text="null : pas encore saisi.")
    gap = serializers.IntegerField(allow_null=True)
    gap_share = serializers.FloatField(allow_null=True)
    flag = serializers.CharField()


class StatusChangeSerializer(serializers.Serializer):
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField()
    effective_on = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)


class ProjectDetailSerializer(ProjectOutputSerializer):
    followup = serializers.SerializerMethodField()
    status_history = serializers.SerializerMethodField()
    partners = serializers.SerializerMethodField()
    business_model = serializers.SerializerMethodField()

    class Meta(ProjectOutputSerializer.Meta):
        fields = [
            *ProjectOutputSerializer.Meta.fields,
            "followup",
            "status_history",
            "partners",
            "business_model",
        ]

    @staticmethod
    def _value(value: Any) -> Any:
        return None if value is None or value is pd.NA or pd.isna(value) else value

    @extend_schema_field(FollowupYearSerializer(many=True))
    def get_followup(self, project: ImplantationProject) -> list[dict[str, Any]]:
        frame = services.project_followup(project)
        out = []
        for record in frame.to_dict("records"):
            actual, gap, share = (
                self._value(record[k]) for k in (pfu.ACTUAL, pfu.GAP, pfu.GAP_SHARE)
            )
            out.append(
                {
                    "year": int(record[pc.YEAR]),
                    "calendar_year": int(record[pfu.CALENDAR_YEAR]),
                    "planned": int(record[pfu.PLANNED]),
                    "actual": None if actual is None else int(actual),
                    "gap": None if gap is None else int(gap),
                    "gap_share": None if share is None else float(share),
                    "flag": str(record[pfu.FLAG]),
                }
            )
        return out

    @extend_schema_field(StatusChangeSerializer(many=True))
    def get_status_history(self, project: ImplantationProject) -> list[dict[str, Any]]:
        return [
            {
                "from_status": c.from_status or "",
                "to_status": c.to_status,
                "effective_on": c.effective_on.isoformat(),
                "reason": c.reason,
            }
            for c in sel.project_status_history(project)
        ]

    @extend_schema_field(serializers.DictField())
    def get_business_model(self, project: ImplantationProject) -> dict[str, Any]:
        """The business model's summary: public aid (split by funder or computed need),
        break-even, learners needed, funding lines, retained CPF top-up, top-up scenarios and
        services (the years: `/projects/<id>/business-model/`)."""
        from implantations.api.project_funding import project_business_model_output

        document = project_business_model_output(project)
        keys = (
            "public_aid_total", "public_aid_needed_total", "public_aid_source",
            "break_even_year", "learners_needed", "learners_needed_year", "funding_lines",
            "cpf_topup", "topup_scenarios", "services", "plan_basis",
        )  # fmt: skip
        return {k: document[k] for k in keys}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_partners(self, project: ImplantationProject) -> list[str]:
        return [partner.name for partner in project.partners.all()]


class ProjectFilter(django_filters.FilterSet):
    basin = IdFilter(field_name="basin_id")
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices)
    concept = django_filters.ChoiceFilter(choices=Concept.choices)

    class Meta:
        model = ImplantationProject
        fields = ["basin", "status", "concept"]


class ProjectListApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [CanReadBasins]
    serializer_class = ProjectOutputSerializer
    filterset_class = ProjectFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["id", "name", "start_year", "updated_at"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[ImplantationProject]:
        return sel.project_list_for(cast(User, self.request.user)).defer(
            "basin__geometry", "basin__region__name"
        )

    @extend_schema(
        operation_id="project_list",
        summary="Projets d'implantation du périmètre de l'appelant",
        responses={200: ProjectOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProjectDetailApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [CanReadBasins]
    serializer_class = ProjectDetailSerializer
    query_params_allowed: frozenset[str] = frozenset()

    @extend_schema(
        operation_id="project_detail",
        summary="Suivi d'un projet : statut et historique, apprenants prévus et réels par année",
    )
    def get(self, request: Request, pk: int) -> Response:
        project = sel.project_list_for(cast(User, request.user)).filter(pk=pk).first()
        if project is None:
            raise exceptions.NotFound(f"Projet n° {pk} introuvable.")
        project = sel.project_detail(project)
        self.last_modified = project.updated_at
        return Response(self.get_serializer(project).data)
