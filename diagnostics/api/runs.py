"""Diagnostic runs API (issue 14): runs of a basin, request a run (202 + status URL), a run's
status and progress. A done run's indicator time series are served by `api.run_series`, its
tables by `api.run_tables`.

Reads are scoped like the pages (`diagnostic_run_list_for`, through `visible_run`); requesting a run needs a basin manager, a token
with `runs:write` and a basin the caller manages (another region's basin is a 404)."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.base import ApiViewMixin
from diagnostics.api.basins import ReadOrManageBasins
from diagnostics.api.territories import StrictOrderingFilter
from diagnostics.models import DiagnosticRun, Scope, User
from diagnostics.permissions import CanReadBasins
from diagnostics.selectors import diagnostics as selectors
from diagnostics.selectors.access import basin_list_for, basin_manageable_for
from diagnostics.services.diagnostics import diagnostic_request

STATUS_CHOICES = DiagnosticRun.Status.choices


class RunOutputSerializer(serializers.ModelSerializer):
    basin = serializers.IntegerField(source="basin_id")
    basin_name = serializers.SerializerMethodField()
    done = serializers.SerializerMethodField()
    urls = serializers.SerializerMethodField()

    class Meta:
        model = DiagnosticRun
        fields = [
            "id",
            "basin",
            "basin_name",
            "status",
            "done",
            "progress_percent",
            "progress_step",
            "error_message",
            "engine_version",
            "data_key",
            "parameters",
            "created_at",
            "started_at",
            "finished_at",
            "urls",
        ]

    def get_basin_name(self, run: DiagnosticRun) -> str:
        return str((run.basin_snapshot or {}).get("name") or "")

    def get_done(self, run: DiagnosticRun) -> bool:
        return run.status == DiagnosticRun.Status.DONE

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_urls(self, run: DiagnosticRun) -> dict[str, str]:
        request = self.context["request"]

        def url(name: str, *args: Any) -> str:
            return request.build_absolute_uri(reverse(name, args=args))

        return {
            "self": url("api-run-detail", run.pk),
            "series": url("api-run-series", run.pk),
            "tables": url("api-run-tables", run.pk),
            "page": url("diagnostic-detail", run.pk),
        }


class RunFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES)

    class Meta:
        model = DiagnosticRun
        fields = ["status"]


class RunRequestInputSerializer(serializers.Serializer):
    """No body needed: the run uses the data in force. The engine's parameters are those of
    the page (defaults)."""


class BasinRunsApi(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [ReadOrManageBasins]
    write_scope = Scope.RUNS_WRITE
    serializer_class = RunOutputSerializer
    filterset_class = RunFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["id", "created_at", "finished_at"]
    ordering = ["-created_at", "-id"]

    def _basin(self, pk: int, *, manage: bool) -> Any:
        user = cast(User, self.request.user)
        qs = basin_manageable_for(user) if manage else basin_list_for(user)
        basin = qs.defer("geometry").filter(pk=pk).first()
        if basin is None:
            raise exceptions.NotFound(f"Bassin n° {pk} introuvable.")
        return basin

    def get_queryset(self) -> QuerySet[DiagnosticRun]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return DiagnosticRun.objects.none()
        basin = self._basin(self.kwargs["pk"], manage=False)
        # A mayor's office lists only the runs shared with it (ADR 0014).
        user = cast(User, self.request.user)
        return (
            selectors.diagnostic_run_list_for(user).filter(basin=basin).defer("results", "tables")
        )

    @extend_schema(
        operation_id="basin_run_list",
        responses={200: RunOutputSerializer(many=True)},
        summary="Diagnostics d'un bassin",
    )
    def get(self, request: Request, pk: int) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="basin_run_request",
        summary="Demander le diagnostic d'un bassin (asynchrone)",
        description=(
            "Le diagnostic des données en vigueur : un diagnostic existant (en attente, en cours "
            "ou terminé) pour les mêmes données, ou un nouveau mis en file. Réponse 202 avec "
            "l'URL d'état (en-tête Location et `urls.self`) à interroger jusqu'à `done`."
        ),
        request=None,
        responses={202: RunOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        basin = self._basin(pk, manage=True)
        run = diagnostic_request(basin_id=basin.pk, user=cast(User, request.user))
        run.refresh_from_db()  # an eager run may have finished on commit
        out = self.get_serializer(run).data
        return Response(
            out, status=status.HTTP_202_ACCEPTED, headers={"Location": out["urls"]["self"]}
        )


def visible_run(request: Request, pk: int, *, with_results: bool) -> DiagnosticRun:
    qs = selectors.diagnostic_run_list_for(cast(User, request.user))
    if not with_results:
        qs = qs.defer("results", "tables")
    run = qs.filter(pk=pk).first()
    if run is None:
        raise exceptions.NotFound(f"Diagnostic n° {pk} introuvable.")
    return run


class RunDetailApi(ApiViewMixin, APIView):
    permission_classes = [CanReadBasins]
    query_params_allowed: frozenset[str] = frozenset()

    @extend_schema(
        operation_id="run_detail",
        summary="État, progression et liens d'un diagnostic",
        responses={200: RunOutputSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        run = visible_run(request, pk, with_results=False)
        self.last_modified = run.finished_at or run.started_at or run.created_at
        return Response(RunOutputSerializer(run, context={"request": request}).data)
