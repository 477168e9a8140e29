"""The programme dashboard over the API v1 (issue 18): the pipeline, the timeline against the
targets, the breakdowns by concept and by region, the same figures as the page and its exports.
National admins (whole programme or `?region=`) and delegates (one of their regions); for every
other role the endpoint does not exist (404), like the page."""

from __future__ import annotations

import math
from typing import Any, cast

import pandas as pd
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.base import ApiViewMixin
from diagnostics.models import User
from implantations.analytics import programme as pg
from implantations.selectors import programme as sel
from implantations.selectors.programme_dashboard import programme_dashboard


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


class ProgrammeApi(ApiViewMixin, APIView):
    permission_classes = [IsAuthenticated]
    query_params_allowed = frozenset({"region"})

    @extend_schema(
        operation_id="programme_dashboard",
        summary="Tableau de bord du programme : étapes, objectifs et réalisé par année, par "
        "concept et par région",
        parameters=[OpenApiParameter("region", str, description="Code INSEE de la région.")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        if not sel.programme_allowed(user):
            raise exceptions.NotFound("Introuvable.")
        region = request.query_params.get("region") or None
        if region and not sel.programme_regions_for(user).filter(code=region).exists():
            raise exceptions.NotFound(f"Région {region} inconnue ou hors de votre périmètre.")
        dashboard = programme_dashboard(user, region=region, with_map=False)
        return Response(
            {
                "region": dashboard.region_code or None,
                "target_year": dashboard.target_year,
                "targets_set": dashboard.targets_set,
                "pipeline": _records(dashboard.pipeline),
                "timeline": _records(dashboard.timeline),
                "by_concept": _records(dashboard.by_concept),
                "by_region": _records(dashboard.by_region),
                "open_sites": int(dashboard.projects[pg.STATUS].isin(pg.OPEN_STATUSES).sum()),
                "projects": len(dashboard.projects),
            }
        )
