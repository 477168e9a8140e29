"""Diagnostic runs API (issue 14): runs of a basin, request a run (202 + status URL), a run's
status and progress, its tables, and indicator time series (per indicator, per métier).

Reads are scoped like the pages (`diagnostic_run_list_for`; a region map is cut to what the
caller may read, `diagnostic_run_scoped`); requesting a run needs a basin manager, a token
with `runs:write` and a basin the caller manages (another region's basin is a 404)."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
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
from diagnostics.selectors.access import (
    basin_list_for,
    basin_manageable_for,
    diagnostic_run_scoped,
)
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


# --- Series and tables ---------------------------------------------------------------------

# indicator → (label, unit, where in the document, value key, column of bmo_metiers)
SERIES: dict[str, tuple[str, str, str, str, str | None]] = {
    "unemployment_rate": ("Taux de chômage localisé", "%", "unemployment", "rate", None),
    "job_seekers": ("Demandeurs d'emploi (cat. A)", "personnes", "job_seekers", "value", None),
    "bmo_projects": ("Projets de recrutement BMO", "projets", "years", "bmo_projects", "projects"),
    "bmo_difficult": (
        "Projets jugés difficiles (BMO)",
        "projets",
        "years",
        "bmo_difficult",
        "difficult",
    ),
    "bmo_difficulty_rate": (
        "Part des projets jugés difficiles (BMO)",
        "ratio",
        "years",
        "bmo_difficulty_rate",
        "difficulty_rate",
    ),
    "bmo_seasonal_rate": (
        "Part des projets saisonniers (BMO)",
        "ratio",
        "years",
        "bmo_seasonal_rate",
        "seasonal_rate",
    ),
}
ESTIMATED_KEYS = {"bmo": "bmo_estimated", "unemployment": "unemployment_estimated"}


class SeriesFilterSerializer(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=sorted(SERIES), help_text="Indicateur.")
    metier = serializers.CharField(
        required=False,
        max_length=8,
        help_text="Code métier BMO (FAP) : la série de ce métier (indicateurs bmo_* seulement).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("metier") and SERIES[attrs["indicator"]][4] is None:
            raise serializers.ValidationError(
                {"metier": ["Série par métier : indicateurs bmo_* seulement."]}
            )
        return attrs


class SeriesPointSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="Année (2025), trimestre (2024-T3) ou mois (2024-09).")
    value = serializers.FloatField(allow_null=True)
    estimated = serializers.BooleanField(
        allow_null=True, help_text="Valeur estimée (report par la table de passage des communes)."
    )


class SeriesOutputSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    basin = serializers.IntegerField()
    indicator = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.CharField()
    metier = serializers.CharField(allow_null=True)
    metier_label = serializers.CharField(allow_null=True)
    points = SeriesPointSerializer(many=True)
    sources = serializers.DictField(child=serializers.DictField())


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def series_points(
    run: DiagnosticRun, *, indicator: str, metier: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The points of one indicator (and métier) from a done run's document or tables."""
    _, _, where, key, column = SERIES[indicator]
    document = run.results or {}
    if metier:
        table = (run.tables or {}).get("bmo_metiers") or {}
        columns = table.get("columns") or []
        if "metier_code" not in columns or column not in columns:
            return [], None
        idx_code, idx_value, idx_year = (
            columns.index("metier_code"),
            columns.index(column),
            columns.index("year"),
        )
        idx_label = columns.index("metier_label") if "metier_label" in columns else None
        rows = [r for r in table.get("rows") or [] if str(r[idx_code]) == metier]
        label = str(rows[0][idx_label]) if rows and idx_label is not None else None
        idx_est = columns.index("estimated") if "estimated" in columns else None
        points = [
            {
                "period": str(r[idx_year]),
                "value": _number(r[idx_value]),
                "estimated": bool(r[idx_est]) if idx_est is not None else None,
            }
            for r in sorted(rows, key=lambda r: str(r[idx_year]))
        ]
        return points, label
    if where == "years":
        years = document.get("years") or {}
        return [
            {
                "period": str(year),
                "value": _number(values.get(key)),
                "estimated": values.get("bmo_estimated"),
            }
            for year, values in sorted(years.items())
            if values.get(key) is not None  # a year without this source has no point
        ], None
    return [
        {
            "period": str(point.get("period")),
            "value": _number(point.get(key)),
            "estimated": point.get("estimated"),
        }
        for point in document.get(where) or []
    ], None


class RunSeriesApi(ApiViewMixin, APIView):
    permission_classes = [CanReadBasins]
    query_params_allowed = frozenset({"indicator", "metier"})

    @extend_schema(
        operation_id="run_series",
        summary="Série temporelle d'un indicateur (option : d'un métier)",
        description=(
            "Points {period, value, estimated} prêts pour un tableau ou un CSV. « estimated » : "
            "valeur reportée sur le bassin par la table de passage des communes."
        ),
        parameters=[
            OpenApiParameter("indicator", str, required=True, enum=sorted(SERIES)),
            OpenApiParameter("metier", str, description="Code métier BMO (bmo_* seulement)."),
        ],
        responses={200: SeriesOutputSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        filters = SeriesFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        run = visible_run(request, pk, with_results=True)
        if run.status != DiagnosticRun.Status.DONE:
            raise exceptions.NotFound(
                f"Le diagnostic n° {pk} n'est pas terminé ({run.get_status_display()}) : "
                "interrogez son URL d'état."
            )
        self.last_modified = run.finished_at
        indicator = filters.validated_data["indicator"]
        metier = filters.validated_data.get("metier")
        points, metier_label = series_points(run, indicator=indicator, metier=metier)
        label, unit, *_ = SERIES[indicator]
        sources = (run.results or {}).get("sources") or {}
        wanted = {"unemployment_rate": "chomage_ze", "job_seekers": "defm"}.get(indicator, "bmo")
        return Response(
            SeriesOutputSerializer(
                {
                    "run": run.pk,
                    "basin": run.basin_id,
                    "indicator": indicator,
                    "label": label,
                    "unit": unit,
                    "metier": metier,
                    "metier_label": metier_label,
                    "points": points,
                    "sources": {k: v for k, v in sources.items() if k == wanted},
                }
            ).data
        )


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
