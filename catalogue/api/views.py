"""Gap API: the ranked paths of a basin, from its latest done diagnostic.

Scoped like the pages (`basin_list_for`): a basin the caller may not read is a 404. Token
authentication for REST clients, session authentication for the browser.
"""

from __future__ import annotations

from dataclasses import replace

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.analytics.gap_params import GapParams
from catalogue.api.serializers import GapFilterSerializer, GapOutputSerializer
from catalogue.selectors.gap import GapError, basin_gap, gap_document
from diagnostics.api.base import ApiViewMixin, basin_or_404
from diagnostics.errors import ApplicationError
from diagnostics.models import User
from diagnostics.permissions import CanReadBasins
from diagnostics.selectors.access import basin_live_list_for


class NoDiagnostic(exceptions.NotFound):
    default_code = "no_diagnostic"


class BasinGapApi(ApiViewMixin, APIView):
    query_params_allowed = frozenset({"concept", "public", "weights", "reconversion_boost"})
    permission_classes = [CanReadBasins]

    @extend_schema(
        operation_id="basin_gap",
        summary="Parcours prioritaires d'un bassin (écart besoins / offre de formation)",
        parameters=[
            OpenApiParameter("concept", str, description="Code de concept d'implantation."),
            OpenApiParameter("public", str, description="Code de public visé."),
            OpenApiParameter(
                "weights", str, description="Poids, ex. c_projects:0.5,c_difficulty:0.5."
            ),
            OpenApiParameter(
                "reconversion_boost",
                float,
                description="Bonus des parcours de reconversion, 0 à 1 (0 par défaut).",
            ),
        ],
        responses={
            200: GapOutputSerializer,
            400: OpenApiResponse(description="Paramètres invalides."),
            404: OpenApiResponse(description="Bassin introuvable, ou aucun diagnostic terminé."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        filters = GapFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        user: User = request.user  # type: ignore[assignment]
        basin = basin_or_404(basin_live_list_for(user).defer("geometry"), pk)
        try:
            params = GapParams(reconversion_boost=data.get("reconversion_boost") or 0.0)
            if data.get("weights"):
                params = replace(params, weights=data["weights"])
        except ValueError as exc:
            raise exceptions.ValidationError({"weights": [str(exc)]}) from exc
        try:
            report = basin_gap(
                basin,
                concept=data.get("concept") or "",
                public=data.get("public") or "",
                params=params,
            )
        except GapError as exc:
            if exc.code == "no_diagnostic":
                raise NoDiagnostic(exc.message) from exc
            raise ApplicationError(exc.message, code="invalid_filter") from exc
        return Response(GapOutputSerializer(gap_document(report)).data)
