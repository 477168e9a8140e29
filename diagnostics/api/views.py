"""Diagnostics API (issue 4): the indicators of a basin's latest done diagnostic.

Scoped like the pages: a basin the caller may not read is a 404. Token authentication for REST
clients (regional observatories, BI tools), session authentication for the browser.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, cast

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.analytics.tension_records import published_tension_records_of
from diagnostics.api.base import ApiViewMixin
from diagnostics.api.prerendered import PreRenderedJSON, prerendered_json, prerendered_merge
from diagnostics.api.serializers import (
    BasinIndicatorsFilterSerializer,
    BasinIndicatorsOutputSerializer,
)
from diagnostics.models import User
from diagnostics.permissions import CanReadBasins
from diagnostics.selectors.access import basin_live_list_for
from diagnostics.selectors.indicators import basin_latest_done_run_for, run_has_newer_data

# Which parts of the document each source feeds.
SOURCE_YEAR_PREFIXES = {
    "bmo": ("bmo_",),
    "chomage_ze": ("unemployment_",),
    "defm": ("job_seekers",),
    "tensions": (),
    "prospective": (),
}


class NoDiagnostic(exceptions.NotFound):
    default_code = "no_diagnostic"


def indicators_document(
    document: dict[str, Any], *, year: int | None, source: str | None
) -> dict[str, Any]:
    """The API's view of a run's document, filtered by year and source."""
    years = document.get("years") or {}
    if year is not None:
        years = {k: v for k, v in years.items() if k == str(year)}
    out: dict[str, Any] = {"years": {}}
    for key, values in years.items():
        if source:
            prefixes = SOURCE_YEAR_PREFIXES[source]
            values = {
                k: v
                for k, v in values.items()
                if k == "population" or any(k.startswith(p) for p in prefixes)
            }
        out["years"][key] = values

    def in_year(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if year is None:
            return items
        return [i for i in items if str(i.get("period", "")).startswith(str(year))]

    if source in (None, "chomage_ze"):
        out["unemployment"] = in_year(document.get("unemployment") or [])
    if source in (None, "defm"):
        out["job_seekers"] = in_year(document.get("job_seekers") or [])
    if source in (None, "bmo"):
        tension_year = ((document.get("bmo") or {}).get("top_metiers") or {}).get("year")
        out["tension_metiers"] = (
            document.get("tension_metiers") or [] if year is None or year == tension_year else []
        )
    if source in (None, "tensions") and "tensions_published_info" in document:
        out["tensions_published"] = [
            t
            for t in published_tension_records_of(document.get("tensions_published"))
            if year in (None, t["year"])
        ]
        out["tensions_published_info"] = document["tensions_published_info"]
    if source in (None, "prospective") and document.get("prospective"):
        out["prospective"] = document["prospective"]
    sources = document.get("sources") or {}
    prospective_sources = {
        "tensions",
        "population_age",
        "defm_secteur",
        "bmo",
        "chomage_ze",
        "defm",
    }
    out["sources"] = {
        k: v
        for k, v in sources.items()
        if source in (None, k) or (source == "prospective" and k in prospective_sources)
    }
    out["warnings"] = document.get("warnings") or []
    return out


class BasinIndicatorsApi(ApiViewMixin, APIView):
    query_params_allowed = frozenset({"year", "source"})
    permission_classes = [CanReadBasins]

    @extend_schema(
        operation_id="basin_indicators",
        summary="Indicateurs du dernier diagnostic d'un bassin",
        parameters=[
            OpenApiParameter("year", int, description="Année (ex. 2025)."),
            OpenApiParameter(
                "source",
                str,
                enum=["bmo", "chomage_ze", "defm", "tensions", "prospective"],
                description="Limiter à une source.",
            ),
        ],
        responses={
            200: BasinIndicatorsOutputSerializer,
            400: OpenApiResponse(description="Paramètres invalides."),
            404: OpenApiResponse(description="Bassin introuvable, ou aucun diagnostic terminé."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        year, source = indicators_filters(request)
        user = cast(User, request.user)  # IsAuthenticated through CanReadBasins
        # One query: the latest done run of the basin in the caller's scope (its document is
        # not read: the rendered indicators are cached per run and filters).
        run = basin_latest_done_run_for(user, basin_id=pk)
        if run is None:
            basin = basin_live_list_for(user).filter(pk=pk).only("pk", "name").first()
            if basin is None:
                raise exceptions.NotFound(f"Bassin n° {pk} introuvable.")
            raise NoDiagnostic(
                f"Aucun diagnostic terminé pour le bassin « {basin.name} » : lancez-en un depuis "
                "la page du bassin (ou la commande diagnostic_run)."
            )
        self.last_modified = run.finished_at
        newer = run_has_newer_data(run)
        self.etag_version = ("indicators", run.pk, run.data_key, run.finished_at, newer)
        summary = {
            "id": run.pk,
            "finished_at": _DATETIME.to_representation(run.finished_at)
            if run.finished_at
            else None,
            "engine_version": run.engine_version,
            "data_key": run.data_key,
            "newer_data_available": newer,
            "report_url": request.build_absolute_uri(reverse("diagnostic-detail", args=[run.pk])),
        }
        rendered = indicators_rendered(run, year=year, source=source)
        if rendered is None:  # a non-finite number: the renderer answers the 400
            data = dict(indicators_output(run, year=year, source=source))
            data["run"] = summary
            return Response(data)
        return Response(prerendered_merge(rendered, {"run": summary}))


_DATETIME = serializers.DateTimeField()


def indicators_filters(request: Request) -> tuple[int | None, str | None]:
    """`year` and `source`, checked like BasinIndicatorsFilterSerializer (which only runs when
    a parameter is given: the common read has none)."""
    if not request.query_params:
        return None, None
    filters = BasinIndicatorsFilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data.get("year"), filters.validated_data.get("source")


# A done run's document never changes: its serialized indicators are kept per (run, filters),
# so that a read pays the serializers once (bounded, least recently used first out); the JSON
# rendered from them too, so that a read neither parses the stored document nor renders it.
_OUTPUT_CACHE: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_RENDERED_CACHE: OrderedDict[tuple[Any, ...], PreRenderedJSON] = OrderedDict()
OUTPUT_CACHE_SIZE = 256


def _output_key(run: Any, year: int | None, source: str | None) -> tuple[Any, ...]:
    """A run is identified by its id AND its end time: an id alone can come back (SQLite gives
    a rolled-back or deleted row's id again), and the cached output holds the run's basin name."""
    return (run.pk, run.data_key, run.finished_at, year, source)


def indicators_rendered(
    run: Any, *, year: int | None, source: str | None
) -> PreRenderedJSON | None:
    """The run's indicators (without `run`) as rendered JSON; None if a number is not finite."""
    key = _output_key(run, year, source)
    cached = _RENDERED_CACHE.get(key)
    if cached is not None:
        _RENDERED_CACHE.move_to_end(key)
        return cached
    rendered = prerendered_json(indicators_output(run, year=year, source=source))
    if rendered is None:
        return None
    _RENDERED_CACHE[key] = rendered
    while len(_RENDERED_CACHE) > OUTPUT_CACHE_SIZE:
        _RENDERED_CACHE.popitem(last=False)
    return rendered


def indicators_output(run: Any, *, year: int | None, source: str | None) -> dict[str, Any]:
    key = _output_key(run, year, source)
    cached = _OUTPUT_CACHE.get(key)
    if cached is not None:
        _OUTPUT_CACHE.move_to_end(key)
        return cached
    document = run.results or {}
    data = indicators_document(document, year=year, source=source)
    basin_doc = document.get("basin") or {}
    data["basin"] = {
        "id": run.basin_id,
        "name": basin_doc.get("name") or "",
        "population": basin_doc.get("population"),
        "communes": basin_doc.get("communes"),
        "region_code": basin_doc.get("region_code"),
    }
    data["run"] = None
    serialized = dict(BasinIndicatorsOutputSerializer(data).data)
    serialized.pop("run", None)
    _OUTPUT_CACHE[key] = serialized
    while len(_OUTPUT_CACHE) > OUTPUT_CACHE_SIZE:
        _OUTPUT_CACHE.popitem(last=False)
    return serialized
