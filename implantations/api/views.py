"""Implantations API: the recommendation of a basin.

Scoped like the pages (`basin_list_for`): a basin the caller may not read is a 404. Token
authentication for REST clients, session authentication for the browser.
"""

from __future__ import annotations

from typing import cast

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.base import ApiViewMixin, basin_or_404
from diagnostics.models import User
from diagnostics.permissions import CanReadBasins
from diagnostics.selectors.access import basin_live_list_for
from implantations.analytics import honesty
from implantations.api.serializers import RecommendationOutputSerializer
from implantations.services.recommendation import recommendation_compute


class BasinRecommendationApi(ApiViewMixin, APIView):
    query_params_allowed: frozenset[str] = frozenset()
    permission_classes = [CanReadBasins]

    @extend_schema(
        operation_id="basin_recommendation",
        summary="Recommandation d'implantation d'un bassin",
        description=(
            "Le concept recommandé (turnkey, fab_id, progressive ou null), les trois scores, les "
            "conditions d'implantation, chaque critère (valeur brute, score normalisé, poids, "
            "contribution, source et millésime), la robustesse et l'analyse de sensibilité. "
            "Un score reposant sur moins de 60 % de ses poids en données connues vaut null "
            "(`verdicts.<concept>.conclusive` = false, avec les critères manquants et comment "
            "les obtenir) ; `conclusive` est vrai quand les trois scores le sont. "
            "Calculée avec les données, les atouts et le profil de notation en vigueur ; deux "
            "appels avec les mêmes entrées renvoient la même recommandation (même id)."
        ),
        responses={
            200: RecommendationOutputSerializer,
            400: OpenApiResponse(description="Recommandation impossible à calculer."),
            404: OpenApiResponse(description="Bassin introuvable."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        user = cast(User, request.user)  # authenticated through CanReadBasins
        basin = basin_or_404(basin_live_list_for(user), pk)
        recommendation = recommendation_compute(basin=basin, user=user)
        # Honesty rules: a score on too little known data is null, with what is missing.
        data = honesty.honest_document(recommendation.document)
        data["id"] = recommendation.pk
        data["created_at"] = recommendation.created_at.isoformat()
        data["page_url"] = request.build_absolute_uri(
            reverse("recommendation-detail", args=[basin.pk])
        )
        return Response(RecommendationOutputSerializer(data).data)
