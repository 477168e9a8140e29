"""Catalogue API (issue 14): sectors, training paths with the occupations they lead to, their
history; `catalogue:write` to create, edit and delete them (catalogue and national admins,
`catalogue.api.curation`).

Reference data: ReadOnlyModelViewSet + router + django-filter FilterSet. Read by the roles of
the catalogue pages and by API clients."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.api.curation import (
    OccupationSerializer,
    PathWriteMixin,
    SectorWriteMixin,
    path_occupations,
)
from catalogue.models import Sector, TrainingPath
from catalogue.selectors.catalogue import (
    PATH_PREFETCH,
)
from diagnostics.api.base import ApiViewMixin
from diagnostics.api.territories import StrictOrderingFilter
from diagnostics.models import Role, Scope
from diagnostics.permissions import CATALOGUE_MANAGERS, CATALOGUE_READERS, RolePermission


class ReadOrManageCatalogue(RolePermission):
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


class PathSerializer(serializers.ModelSerializer):
    sector = serializers.CharField(source="sector.code")
    modalities: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    pillars: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    publics: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    concepts: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    purposes: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

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
            "purposes",
            "rolling_entries",
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
        return path_occupations(path)


class PathFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Partie du code ou de l'intitulé.")
    sector = django_filters.CharFilter(field_name="sector__code", label="Code du secteur.")
    level = django_filters.TypedChoiceFilter(
        choices=TrainingPath.Level.choices, coerce=int, label="Niveau (3 infra-bac à 7 bac + 5)."
    )
    status = django_filters.ChoiceFilter(choices=TrainingPath.Status.choices)
    concept = django_filters.CharFilter(
        field_name="concepts__code", label="Concept d'implantation."
    )
    public = django_filters.CharFilter(field_name="publics__code", label="Public visé.")
    purpose = django_filters.CharFilter(
        field_name="purposes__code", label="Finalité (reconversion, vae, bootcamp…)."
    )
    cpf = django_filters.BooleanFilter(field_name="cpf_eligible", label="Éligible au CPF.")
    metier = django_filters.CharFilter(method="by_metier", label="Code métier BMO (FAP) ou ROME.")

    class Meta:
        model = TrainingPath
        fields = [
            "q",
            "sector",
            "level",
            "status",
            "concept",
            "public",
            "purpose",
            "cpf",
            "metier",
        ]

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
    create=extend_schema(responses={201: SectorSerializer}),
    partial_update=extend_schema(responses={200: SectorSerializer}),
)
class SectorViewSet(SectorWriteMixin, CatalogueViewSet):
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
    create=extend_schema(responses={201: PathDetailSerializer}),
    partial_update=extend_schema(responses={200: PathDetailSerializer}),
)
class PathViewSet(PathWriteMixin, CatalogueViewSet):
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
