"""A done diagnostic run's tables (issue 14): their index, and one table row by row (records
ready for a CSV); a region map is cut to what the caller may read (`diagnostic_run_scoped`)."""

from __future__ import annotations

from typing import cast

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.base import ApiViewMixin
from diagnostics.api.runs import visible_run
from diagnostics.models import DiagnosticRun, User
from diagnostics.permissions import CanReadBasins
from diagnostics.selectors.access import diagnostic_run_scoped


class TableOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    labels = serializers.ListField(child=serializers.CharField())
    records = serializers.ListField(
        child=serializers.DictField(), help_text="Une ligne par objet {colonne: valeur}."
    )


class TableIndexSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    rows = serializers.IntegerField()
    url = serializers.URLField()


class RunTablesApi(ApiViewMixin, APIView):
    permission_classes = [CanReadBasins]
    query_params_allowed: frozenset[str] = frozenset()

    @extend_schema(
        operation_id="run_table_list",
        summary="Tableaux d'un diagnostic terminé",
        responses={200: TableIndexSerializer(many=True)},
    )
    def get(self, request: Request, pk: int) -> Response:
        run = _done_scoped_run(request, pk)
        self.last_modified = run.finished_at
        return Response(
            [
                {
                    "name": name,
                    "title": payload.get("title") or name,
                    "rows": len(payload.get("rows") or []),
                    "url": request.build_absolute_uri(reverse("api-run-table", args=[pk, name])),
                }
                for name, payload in sorted((run.tables or {}).items())
            ]
        )


def _done_scoped_run(request: Request, pk: int) -> DiagnosticRun:
    run = visible_run(request, pk, with_results=True)
    if run.status != DiagnosticRun.Status.DONE:
        raise exceptions.NotFound(
            f"Le diagnostic n° {pk} n'est pas terminé ({run.get_status_display()})."
        )
    return diagnostic_run_scoped(run, user=cast(User, request.user))


class RunTableApi(ApiViewMixin, APIView):
    permission_classes = [CanReadBasins]
    query_params_allowed: frozenset[str] = frozenset()

    @extend_schema(
        operation_id="run_table",
        summary="Un tableau d'un diagnostic, ligne par ligne (prêt pour un CSV)",
        responses={200: TableOutputSerializer},
    )
    def get(self, request: Request, pk: int, name: str) -> Response:
        run = _done_scoped_run(request, pk)
        payload = (run.tables or {}).get(name)
        if payload is None:
            raise exceptions.NotFound(
                f"Tableau « {name} » inconnu (tableaux : {', '.join(sorted(run.tables or {}))})."
            )
        self.last_modified = run.finished_at
        columns = payload.get("columns") or []
        return Response(
            {
                "name": name,
                "title": payload.get("title") or name,
                "columns": columns,
                "labels": payload.get("labels") or columns,
                "records": [
                    dict(zip(columns, row, strict=False)) for row in payload.get("rows") or []
                ],
            }
        )
