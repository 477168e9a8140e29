"""Catalogue API (issue 14): sectors, training paths with the occupations they lead to, a
path's history; `catalogue:write` to edit a path (catalogue and national admins).

Reference data: ReadOnlyModelViewSet + router + django-filter FilterSet. Read by the roles of
the catalogue pages and by API clients."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.models import Sector, TrainingPath
from catalogue.selectors.catalogue import (
    PATH_PREFETCH,
    code_referential,
    occupation_code_errors,
    occupation_labels,
)
from diagnostics.api.base import ApiViewMixin
from diagnostics.api.territories import StrictOrderingFilter
from diagnostics.models import Role, Scope
from diagnostics.permissions import CATALOGUE_MANAGERS, CATALOGUE_READERS, _RolePermission


class ReadOrManageCatalogue(_RolePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        self.roles = (
            (*CATALOGUE_READERS, Role.API_CLIENT)
            if request.method in SAFE_METHODS
            else CATALOGUE_MANAGERS
        )
        return super().has_permission(request, view)


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["code", "name", "description", "order", "illustrative"]


class OccupationSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(allow_null=True)  # type: ignore[assignment]
    nomenclature = serializers.ChoiceField(choices=[("bmo", "FAP / BMO"), ("rome", "ROME 4.0")])


class PathSerializer(serializers.ModelSerializer):
    sector = serializers.CharField(source="sector.code")
    modalities: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    pillars: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    publics: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    concepts: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = TrainingPath
        fields = [
            "code",
            "title",
            "sector",
            "certification_type",
            "rncp_code",
            "level",
            "duration_hours",
            "modalities",
            "pillars",
            "publics",
            "concepts",
            "cpf_eligible",
            "bmo_codes",
            "rome_codes",
            "status",
            "illustrative",
            "updated_at",
        ]


class PathDetailSerializer(PathSerializer):
    occupations = serializers.SerializerMethodField()

    class Meta(PathSerializer.Meta):
        fields = [*PathSerializer.Meta.fields, "prerequisites", "description", "occupations"]

    @extend_schema_field(OccupationSerializer(many=True))
    def get_occupations(self, path: TrainingPath) -> list[dict[str, Any]]:
        labels = occupation_labels(bmo_codes=path.bmo_codes, rome_codes=path.rome_codes)
        return [
            {"code": c, "label": labels.get(c), "nomenclature": "bmo"} for c in path.bmo_codes
        ] + [{"code": c, "label": labels.get(c), "nomenclature": "rome"} for c in path.rome_codes]


class PathUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    prerequisites = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=TrainingPath.Status.choices, required=False)
    bmo_codes = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, max_length=200
    )
    rome_codes = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, max_length=200
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Rien à modifier.")
        return attrs


HISTORY_KINDS = [("+", "création"), ("~", "modification"), ("-", "suppression")]


class HistoryEntrySerializer(serializers.Serializer):
    date = serializers.DateTimeField()
    kind = serializers.ChoiceField(
        choices=[("+", "création"), ("~", "modification"), ("-", "suppression")]
    )
    user = serializers.CharField(allow_null=True)
    changes = serializers.ListField(child=serializers.CharField())


class PathFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Partie du code ou de l'intitulé.")
    sector = django_filters.CharFilter(field_name="sector__code", label="Code du secteur.")
    level = django_filters.TypedChoiceFilter(
        choices=TrainingPath.Level.choices, coerce=int, label="Niveau (4, 5, 6)."
    )
    status = django_filters.ChoiceFilter(choices=TrainingPath.Status.choices)
    concept = django_filters.CharFilter(
        field_name="concepts__code", label="Concept d'implantation."
    )
    public = django_filters.CharFilter(field_name="publics__code", label="Public visé.")
    metier = django_filters.CharFilter(method="by_metier", label="Code métier BMO (FAP) ou ROME.")

    class Meta:
        model = TrainingPath
        fields = ["q", "sector", "level", "status", "concept", "public", "metier"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        from django.db.models import Q

        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))

    def by_metier(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # JSON lists: a contains lookup is not portable to SQLite, so the codes are read here.
        code = value.strip().upper()
        ids = [
            pk
            for pk, bmo, rome in queryset.values_list("pk", "bmo_codes", "rome_codes")
            if code in (bmo or []) or code in (rome or [])
        ]
        return queryset.filter(pk__in=ids)


class CatalogueViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [ReadOrManageCatalogue]
    write_scope = Scope.CATALOGUE_WRITE
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, StrictOrderingFilter]
    lookup_field = "code"
    lookup_value_regex = "[0-9A-Za-z_-]+"


@extend_schema_view(
    list=extend_schema(operation_id="catalogue_sector_list", summary="Secteurs du catalogue"),
    retrieve=extend_schema(operation_id="catalogue_sector_detail", summary="Un secteur"),
)
class SectorViewSet(CatalogueViewSet):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    ordering_fields = ["code", "name", "order"]
    ordering = ["order", "code"]


@extend_schema_view(
    list=extend_schema(operation_id="catalogue_path_list", summary="Parcours de formation"),
    retrieve=extend_schema(
        operation_id="catalogue_path_detail",
        summary="Un parcours, avec les métiers auxquels il mène",
        responses={200: PathDetailSerializer},
    ),
)
class PathViewSet(CatalogueViewSet):
    serializer_class = PathSerializer
    filterset_class = PathFilter
    ordering_fields = ["code", "title", "level", "updated_at"]
    ordering = ["code"]

    def get_queryset(self) -> QuerySet[TrainingPath]:
        return (
            TrainingPath.objects.select_related("sector")
            .prefetch_related(*PATH_PREFETCH)
            .distinct()
        )

    def get_serializer_class(self) -> Any:
        return PathDetailSerializer if self.action != "list" else PathSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        path = self.get_object()
        self.last_modified = path.updated_at
        return Response(self.get_serializer(path).data)

    @extend_schema(
        operation_id="catalogue_path_update",
        summary="Modifier un parcours (catalogue:write)",
        request=PathUpdateInputSerializer,
        responses={200: PathDetailSerializer},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        path = self.get_object()
        data = PathUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {
            k: ([c.strip().upper() for c in v] if k.endswith("_codes") else v)
            for k, v in data.validated_data.items()
        }
        errors = occupation_code_errors(
            bmo_codes=values.get("bmo_codes", []),
            rome_codes=values.get("rome_codes", []),
            referential=code_referential(),
        )
        if errors:
            raise exceptions.ValidationError(errors)
        with transaction.atomic():
            for field, value in values.items():
                setattr(path, field, value)
            path.full_clean()
            path.save()
        return Response(PathDetailSerializer(path, context=self.get_serializer_context()).data)

    @extend_schema(
        operation_id="catalogue_path_history",
        summary="Historique d'un parcours (qui a changé quoi, quand)",
        responses={200: HistoryEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, code: str) -> Response:
        path = self.get_object()
        records = list(path.history.select_related("history_user").order_by("-history_date")[:50])
        entries = []
        for record, previous in zip(records, [*records[1:], None], strict=True):
            changes = (
                [c.field for c in record.diff_against(previous).changes]
                if previous is not None
                else []
            )
            entries.append(
                {
                    "date": record.history_date,
                    "kind": record.history_type,
                    "user": record.history_user.get_username() if record.history_user else None,
                    "changes": changes,
                }
            )
        return Response(HistoryEntrySerializer(entries, many=True).data)
