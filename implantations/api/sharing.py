"""API of the shared diagnostic that needs this app (issue 13): sharing a run as a version
(frozen gap and recommendation), and the contributions from the territory.

Same people and rules as the pages: another region's basin or contribution is a 404; a partner
reads its own contributions; writes go through the services (French error, 400; a stale
`version` is a 400 with code « conflict »).
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.base import basin_or_404
from diagnostics.api.sharing import CanReadShares, raise_for, share_output
from diagnostics.errors import ApplicationError
from diagnostics.models import DiagnosticRun, Scope, User
from diagnostics.selectors.access import basin_is_manageable, basin_list_for, basin_manageable_for
from implantations.models import Contribution
from implantations.selectors.sharing import contribution_list_for
from implantations.services import contributions as services
from implantations.services.sharing import shared_version_create


def _forbidden_or(exc: ApplicationError) -> None:
    if exc.code == "forbidden":
        raise exceptions.PermissionDenied(exc.message) from exc
    raise_for(exc)


class BasinShareCreateApi(APIView):
    permission_classes = [CanReadShares]
    write_scope = Scope.SHARES_WRITE

    class ShareCreateInputSerializer(serializers.Serializer):
        run = serializers.IntegerField(help_text="Diagnostic terminé du bassin à partager.")
        recipients = serializers.ListField(
            child=serializers.CharField(max_length=254), min_length=1, max_length=50
        )
        message = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    @extend_schema(
        summary="Partager un diagnostic terminé (version figée)",
        request=ShareCreateInputSerializer,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = cast(User, request.user)
        basin = basin_or_404(basin_list_for(user), pk)
        if not basin_is_manageable(user, basin.pk):
            raise exceptions.PermissionDenied(
                "Seuls les délégués de la région du bassin partagent ses diagnostics."
            )
        data = self.ShareCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = DiagnosticRun.objects.filter(basin=basin, pk=data.validated_data["run"]).first()
        if run is None:
            raise exceptions.ValidationError(
                {"run": [f"Diagnostic n° {data.validated_data['run']} introuvable pour ce bassin."]}
            )
        try:
            version = shared_version_create(
                run=run,
                user=user,
                recipients=data.validated_data["recipients"],
                message=data.validated_data.get("message", ""),
            )
        except ApplicationError as exc:
            _forbidden_or(exc)
        version = type(version).objects.select_related("basin", "shared_by").get(pk=version.pk)
        return Response(share_output(version, request), status=status.HTTP_201_CREATED)


class ContributionInputSerializer(serializers.Serializer):
    kind = serializers.CharField(
        max_length=16, help_text="locaux | partenaire | employeur | cofinancement"
    )
    title = serializers.CharField(max_length=200)
    partner_kind = serializers.CharField(required=False, allow_blank=True, max_length=32)
    surface_m2 = serializers.IntegerField(required=False, allow_null=True)
    available_from = serializers.DateField(required=False, allow_null=True)
    premises_can_grow = serializers.BooleanField(required=False, allow_null=True, default=None)
    headcount = serializers.IntegerField(required=False, allow_null=True)
    sector = serializers.CharField(required=False, allow_blank=True, max_length=120)
    amount_eur = serializers.IntegerField(required=False, allow_null=True)
    details = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    source = serializers.CharField(max_length=300)  # type: ignore[assignment]
    contact = serializers.CharField(max_length=300)

    def to_input(self) -> services.ContributionInput:
        d = self.validated_data
        return services.ContributionInput(
            **{name: d[name] for name in services.CONTRIBUTION_INPUT_FIELDS if name in d}
        )


def contribution_output(c: Contribution) -> dict[str, Any]:
    who = c.proposed_by
    return {
        "id": c.pk,
        "basin": c.basin_id,
        "kind": c.kind,
        "title": c.title,
        "partner_kind": c.partner_kind,
        "surface_m2": c.surface_m2,
        "available_from": c.available_from,
        "premises_can_grow": c.premises_can_grow,
        "headcount": c.headcount,
        "sector": c.sector,
        "amount_eur": c.amount_eur,
        "details": c.details,
        "source": c.source,
        "contact": c.contact,
        "status": c.status,
        "version": c.version,
        "proposed_by": (who.get_full_name() or who.get_username()) if who else None,
        "organisation": who.organisation_label if who else "",
        "proposed_at": c.proposed_at,
        "decided_at": c.decided_at,
        "decision_note": c.decision_note,
        "constraint": c.constraint_code,
        "recommendation_before": c.recommendation_before_id,
        "recommendation_after": c.recommendation_after_id,
    }


class BasinContributionsApi(APIView):
    permission_classes = [CanReadShares]
    write_scope = Scope.SHARES_WRITE

    @extend_schema(
        summary="Contributions du territoire d'un bassin", responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request: Request, pk: int) -> Response:
        user = cast(User, request.user)
        basin = basin_or_404(basin_list_for(user), pk)
        contributions = contribution_list_for(user, basin).order_by("-proposed_at", "-pk")
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(contributions, request, view=self) or []
        return paginator.get_paginated_response([contribution_output(c) for c in page])

    @extend_schema(
        summary="Proposer un atout du territoire",
        request=ContributionInputSerializer,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = cast(User, request.user)
        basin = basin_or_404(basin_list_for(user), pk)
        data = ContributionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            contribution = services.contribution_propose(
                basin=basin, user=user, data=data.to_input()
            )
        except ApplicationError as exc:
            _forbidden_or(exc)
        return Response(contribution_output(contribution), status=status.HTTP_201_CREATED)


class ContributionDecisionApi(APIView):
    permission_classes = [CanReadShares]
    write_scope = Scope.SHARES_WRITE

    class ContributionDecisionInputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(
            choices=[("accepter", "accepter"), ("refuser", "refuser")]
        )
        version = serializers.IntegerField(help_text="La version de la contribution lue.")
        note = serializers.CharField(required=False, allow_blank=True, max_length=300)

    @extend_schema(
        summary="Accepter ou refuser une contribution",
        request=ContributionDecisionInputSerializer,
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = cast(User, request.user)
        contribution = (
            Contribution.objects.filter(pk=pk, basin__in=basin_manageable_for(user))
            .select_related("basin")
            .first()
        )
        if contribution is None:
            raise exceptions.NotFound(f"Contribution n° {pk} introuvable.")
        data = self.ContributionDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            done = services.contribution_decide(
                contribution_id=contribution.pk,
                basin=contribution.basin,
                user=user,
                expected_version=data.validated_data["version"],
                accept=data.validated_data["decision"] == "accepter",
                note=data.validated_data.get("note", ""),
            )
        except ApplicationError as exc:
            _forbidden_or(exc)
        return Response(contribution_output(done))
