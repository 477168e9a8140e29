"""A done diagnostic run's indicator time series (issue 14): per indicator and, for the BMO
indicators, per métier, as points {period, value, estimated} ready for a table or a CSV. Read
from the run's document (or its `bmo_metiers` table), scoped like the pages (`runs.visible_run`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.base import ApiViewMixin
from diagnostics.api.runs import visible_run
from diagnostics.models import DiagnosticRun
from diagnostics.permissions import CanReadBasins

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
