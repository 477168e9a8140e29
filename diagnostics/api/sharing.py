"""API of the shared diagnostic (issue 13): shared versions, their revocation and comments.

The same people and rules as the pages (`diagnostics.selectors.sharing`): a version the caller
may not read — another region's, never shared with it or revoked — is a 404; writes go through
the same services (French errors, 400 with the project's error shape). Creating a version needs
the frozen gap and recommendation: `implantations.api.sharing`.
"""

from __future__ import annotations

from typing import Any, cast

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.auth import HasTokenScope
from diagnostics.api.pagination import ApiPagination
from diagnostics.errors import ApplicationError
from diagnostics.models import Scope, ShareComment, SharedVersion, User
from diagnostics.params import MAX_ID
from diagnostics.permissions import BASIN_READERS, has_role
from diagnostics.selectors import sharing as selectors
from diagnostics.services import comments as comment_services
from diagnostics.services import sharing as services


class CanReadShares(BasePermission):
    message = "Votre rôle ne donne pas accès aux diagnostics partagés."
    code = "permission_denied"

    def has_permission(self, request: Any, view: Any) -> bool:
        if not has_role(request.user, BASIN_READERS):
            return False
        # A token also needs the operation's scope (diagnostics.api.auth).
        scope = HasTokenScope()
        if not scope.has_permission(request, view):
            self.message = scope.message
            self.code = scope.code
            return False
        return True


def raise_for(exc: ApplicationError) -> None:
    """A service refusal as the API answers it: « introuvable » is a 404, the rest a 400."""
    if exc.code == "not_found":
        raise exceptions.NotFound(exc.message) from exc
    raise exc


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
        "organisation": user.organisation_label,
    }


class ShareOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    basin = serializers.DictField()
    diagnostic = serializers.IntegerField(source="run_id")
    shared_at = serializers.DateTimeField(source="created_at")
    shared_by = serializers.DictField(allow_null=True)
    message = serializers.CharField(help_text="Texte brut : à échapper à l'affichage.")
    concept = serializers.CharField(help_text="Concept recommandé figé au partage (vide : aucun).")
    unread = serializers.BooleanField(allow_null=True)
    page_url = serializers.CharField()


def share_output(version: SharedVersion, request: Request) -> dict[str, Any]:
    user = cast(User, request.user)
    grant = next((g for g in version.grants.all() if g.user_id == user.pk), None)
    return {
        "id": version.pk,
        "basin": {"id": version.basin_id, "name": version.basin.name},
        "run_id": version.run_id,
        "created_at": version.created_at,
        "shared_by": _person(version.shared_by),
        "message": version.message,
        "concept": version.concept,
        "unread": None if grant is None else grant.read_at is None,
        "page_url": request.build_absolute_uri(reverse("shared-version-detail", args=[version.pk])),
    }


class ShareListApi(APIView):
    permission_classes = [CanReadShares]
    write_scope = Scope.SHARES_WRITE
    # Declared on the view so that the schema documents the paginated envelope (issue 14's
    # contract test found it documented as a bare array).
    pagination_class = ApiPagination

    @extend_schema(
        summary="Versions partagées lisibles",
        description="Les versions du diagnostic partagées avec l'appelant (mairie, EPCI, "
        "partenaire) ou celles des bassins de ses régions (délégué), la plus récente d'abord.",
        responses={200: ShareOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        versions = (
            selectors.shared_version_list_for(user)
            .select_related("basin", "shared_by", "shared_by__partner_organisation")
            .prefetch_related("grants")
            .defer("gap", "recommendation", "key_figures")
            .order_by("-created_at", "-pk")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(versions, request, view=self) or []
        return paginator.get_paginated_response([share_output(v, request) for v in page])


def _readable(request: Request, pk: int) -> SharedVersion:
    user = cast(User, request.user)
    version = (
        selectors.shared_version_list_for(user)
        .select_related("basin", "shared_by", "shared_by__partner_organisation")
        .prefetch_related("grants")
        .filter(pk=pk)
        .first()
    )
    if version is None:
        raise exceptions.NotFound(f"Version partagée n° {pk} introuvable.")
    return version


class ShareDetailApi(APIView):
    permission_classes = [CanReadShares]
    write_scope = Scope.SHARES_WRITE

    @extend_schema(
        summary="Une version partagée",
        description="La version telle que partagée : chiffres clés, parcours prioritaires et "
        "recommandation figés au partage (l'appelant destinataire est marqué comme l'ayant lue).",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, pk: int) -> Response:
        version = _readable(request, pk)
        user = cast(User, request.user)
        if user.is_mayor_viewer:
            services.shared_version_mark_read(version=version, user=user)
        rec = version.recommendation or {}
        gap = version.gap or {}
        data = share_output(version, request)
        data.update(
            {
                "key_figures": version.key_figures,
                "gap": {
                    "note": version.gap_note,
                    "estimated": bool(gap.get("estimated")),
                    "lines": [
                        {
                            k: line.get(k)
                            for k in ("rank", "title", "sector", "score", "explanation")
                        }
                        for line in sorted(
                            (x for x in gap.get("lines") or [] if x.get("rank") is not None),
                            key=lambda x: x["rank"],
                        )[:10]
                    ],
                }
                if version.gap
                else {"note": version.gap_note, "lines": []},
                "recommendation": {
                    "id": rec.get("id"),
                    "concept": rec.get("shown_concept") or "",
                    "concept_label": rec.get("shown_concept_label") or "",
                    "reasons": rec.get("shown_reasons") or [],
                    "constraints": rec.get("constraints") or [],
                }
                if rec
                else {"note": version.recommendation_note},
            }
        )
        return Response(data)


class ShareRevokeApi(APIView):
    permission_classes = [CanReadShares]
    write_scope = Scope.SHARES_WRITE

    class ShareRevokeInputSerializer(serializers.Serializer):
        recipient = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=1,
            max_value=MAX_ID,
            help_text="Compte à retirer ; absent : tous.",
        )

    @extend_schema(
        summary="Retirer une version partagée",
        request=ShareRevokeInputSerializer,
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, pk: int) -> Response:
        version = _readable(request, pk)
        data = self.ShareRevokeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            count = services.share_recipient_revoke(
                version=version,
                user=cast(User, request.user),
                recipient_id=data.validated_data.get("recipient"),
            )
        except ApplicationError as exc:
            if exc.code == "forbidden":
                raise exceptions.PermissionDenied(exc.message) from exc
            raise
        return Response({"revoked": count})


class CommentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    section = serializers.CharField()
    parent = serializers.IntegerField(allow_null=True)  # type: ignore[assignment]
    author = serializers.DictField(allow_null=True)
    body = serializers.CharField(help_text="Texte brut : à échapper à l'affichage.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()


def comment_output(c: ShareComment) -> dict[str, Any]:
    return {
        "id": c.pk,
        "section": c.section,
        "parent": c.parent_id,
        "author": _person(c.author),
        "body": "" if c.deleted_at else c.body,
        "created_at": c.created_at,
        "edited_at": c.edited_at,
        "deleted": c.deleted_at is not None,
    }


class ShareCommentsApi(APIView):
    permission_classes = [CanReadShares]
    write_scope = Scope.SHARES_WRITE
    pagination_class = ApiPagination

    class ShareCommentInputSerializer(serializers.Serializer):
        section = serializers.ChoiceField(choices=selectors.COMMENT_SECTIONS)
        body = serializers.CharField(max_length=4000, trim_whitespace=True)
        parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]

    @extend_schema(
        summary="Commentaires d'une version partagée",
        responses={200: CommentOutputSerializer(many=True)},
    )
    def get(self, request: Request, pk: int) -> Response:
        version = _readable(request, pk)
        comments = version.comments.select_related(
            "author", "author__partner_organisation"
        ).order_by("created_at", "pk")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(comments, request, view=self) or []
        return paginator.get_paginated_response([comment_output(c) for c in page])

    @extend_schema(
        summary="Commenter une section",
        request=ShareCommentInputSerializer,
        responses={201: CommentOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        version = _readable(request, pk)
        data = self.ShareCommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            comment = comment_services.share_comment_create(
                version_id=version.pk,
                user=cast(User, request.user),
                section=data.validated_data["section"],
                body=data.validated_data["body"],
                parent_id=data.validated_data.get("parent"),
            )
        except ApplicationError as exc:
            raise_for(exc)
        return Response(comment_output(comment), status=status.HTTP_201_CREATED)
