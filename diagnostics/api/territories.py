"""Territories API (issue 14): regions, départements, communes, EPCI, zones d'emploi and bassins
BMO, read-only reference data (ReadOnlyModelViewSet + router + FilterSet).

The official geography is public data read by every role (a basin may cross a region's
border); what is scoped is the basins built on it (`diagnostics.api.basins`). Search with
`q` (code prefix or part of the name), members through the communes' filters
(`/territories/communes/?zone_emploi=4404`), GeoJSON with `geometry=true` where it exists."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet, Sum
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated

from diagnostics.api.base import ApiViewMixin
from diagnostics.models import BassinBmo, Commune, Departement, Epci, Region, ZoneEmploi

TRUE_VALUES = {"true", "1", "oui"}
FALSE_VALUES = {"false", "0", "non", ""}


def geometry_wanted(request: Any) -> bool:
    raw = (request.query_params.get("geometry") or "").strip().lower()
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise exceptions.ValidationError({"geometry": ["Valeur attendue : true ou false."]})


class StrictOrderingFilter(OrderingFilter):
    """`ordering` on a field the view does not offer is a 400 naming the possible ones. The
    order is made total with the primary key last (unless given): rows that tie on the fields
    asked for (two basins of 15 000 inhabitants) otherwise come in whatever order the database
    picks, which may differ from one statement to the next, so that a row could be on two
    pages of a list, or on none."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> Any:
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            allowed = {
                name for name, _ in self.get_valid_fields(queryset, view, {"request": request})
            }
            wrong = [f for f in fields if f.lstrip("-") not in allowed]
            if wrong:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            f"Tri impossible sur {', '.join(wrong)} (possibles : "
                            f"{', '.join(sorted(allowed))}, précédés de « - » pour l'ordre "
                            "décroissant)."
                        ]
                    }
                )
        ordering = super().get_ordering(request, queryset, view)
        if ordering is None:
            return None
        ordering = list(ordering)
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("pk")
        return ordering


class SearchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label="Recherche par code (début) ou par nom (partie du nom)."
    )

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__istartswith=value) | Q(name__icontains=value))


# --- Serializers ----------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class DepartementSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id")

    class Meta:
        model = Departement
        fields = ["code", "name", "region"]


class EpciSerializer(serializers.ModelSerializer):
    communes_count = serializers.IntegerField(help_text="Communes membres.")
    population = serializers.IntegerField(allow_null=True, help_text="Somme des populations.")

    class Meta:
        model = Epci
        fields = ["code", "name", "nature", "communes_count", "population"]


class BassinBmoSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", allow_null=True)
    communes_count = serializers.IntegerField()
    population = serializers.IntegerField(allow_null=True)

    class Meta:
        model = BassinBmo
        fields = ["code", "name", "region", "communes_count", "population"]


class GeometryField(serializers.JSONField):
    """GeoJSON (WGS84) geometry, only with `?geometry=true`."""


class ZoneEmploiSerializer(serializers.ModelSerializer):
    communes_count = serializers.IntegerField()
    population = serializers.IntegerField(allow_null=True)
    bbox = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        help_text="[lon min, lat min, lon max, lat max]",
    )
    geometry = GeometryField(
        required=False, allow_null=True, help_text="GeoJSON WGS84, avec geometry=true."
    )

    class Meta:
        model = ZoneEmploi
        fields = ["code", "name", "communes_count", "population", "bbox", "geometry"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if not self.context.get("geometry"):
            fields.pop("geometry", None)  # never read: the column is deferred
        return fields


class CommuneSerializer(serializers.ModelSerializer):
    departement = serializers.CharField(source="departement_id", allow_null=True)
    region = serializers.CharField(source="region_id", allow_null=True)
    epci = serializers.CharField(source="epci_id", allow_null=True)
    zone_emploi = serializers.CharField(source="zone_emploi_id", allow_null=True)
    bassin_bmo = serializers.CharField(source="bassin_bmo_id", allow_null=True)
    bbox = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    geometry = GeometryField(
        required=False, allow_null=True, help_text="GeoJSON WGS84, avec geometry=true."
    )

    class Meta:
        model = Commune
        fields = [
            "code",
            "name",
            "population",
            "population_vintage",
            "latitude",
            "longitude",
            "departement",
            "region",
            "epci",
            "zone_emploi",
            "bassin_bmo",
            "geometry_approximate",
            "bbox",
            "geometry",
        ]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if not self.context.get("geometry"):
            fields.pop("geometry", None)  # never read: the column is deferred
        return fields


# --- Filter sets ----------------------------------------------------------------------------


class RegionFilter(SearchFilterSet):
    class Meta:
        model = Region
        fields = ["q"]


class DepartementFilter(SearchFilterSet):
    region = django_filters.CharFilter(field_name="region_id", label="Code de la région.")

    class Meta:
        model = Departement
        fields = ["q", "region"]


class EpciFilter(SearchFilterSet):
    class Meta:
        model = Epci
        fields = ["q", "nature"]


class BassinBmoFilter(SearchFilterSet):
    region = django_filters.CharFilter(field_name="region_id", label="Code de la région.")

    class Meta:
        model = BassinBmo
        fields = ["q", "region"]


class ZoneEmploiFilter(SearchFilterSet):
    class Meta:
        model = ZoneEmploi
        fields = ["q"]


class CommuneFilter(SearchFilterSet):
    region = django_filters.CharFilter(field_name="region_id", label="Code de la région.")
    departement = django_filters.CharFilter(
        field_name="departement_id", label="Code du département."
    )
    epci = django_filters.CharFilter(field_name="epci_id", label="SIREN de l'EPCI (membres).")
    zone_emploi = django_filters.CharFilter(
        field_name="zone_emploi_id", label="Code de la zone d'emploi (membres)."
    )
    bassin_bmo = django_filters.CharFilter(
        field_name="bassin_bmo_id", label="Code du bassin BMO (membres)."
    )
    population_min = django_filters.NumberFilter(field_name="population", lookup_expr="gte")

    class Meta:
        model = Commune
        fields = ["q", "region", "departement", "epci", "zone_emploi", "bassin_bmo"]


# --- Views ----------------------------------------------------------------------------------


class TerritoryViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]  # every role: official, public geography
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, StrictOrderingFilter]
    lookup_field = "code"
    lookup_value_regex = "[0-9A-Za-z]+"
    ordering_fields = ["code", "name"]
    ordering = ["code"]


GEOMETRY_PARAMETER = OpenApiParameter(
    "geometry", bool, description="Joindre la géométrie GeoJSON (WGS84). Défaut : false."
)


class GeometryParamMixin:
    extra_query_params = ("geometry",)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        context["geometry"] = geometry_wanted(self.request)  # type: ignore[attr-defined]
        return context

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()  # type: ignore[misc]
        if not geometry_wanted(self.request):  # type: ignore[attr-defined]
            qs = qs.defer("geometry")
        return qs


@extend_schema_view(
    list=extend_schema(operation_id="territory_region_list", summary="Régions"),
    retrieve=extend_schema(operation_id="territory_region_detail", summary="Une région"),
)
class RegionViewSet(TerritoryViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilter


@extend_schema_view(
    list=extend_schema(operation_id="territory_departement_list", summary="Départements"),
    retrieve=extend_schema(operation_id="territory_departement_detail", summary="Un département"),
)
class DepartementViewSet(TerritoryViewSet):
    queryset = Departement.objects.all()
    serializer_class = DepartementSerializer
    filterset_class = DepartementFilter


@extend_schema_view(
    list=extend_schema(operation_id="territory_epci_list", summary="EPCI"),
    retrieve=extend_schema(operation_id="territory_epci_detail", summary="Un EPCI"),
)
class EpciViewSet(TerritoryViewSet):
    queryset = Epci.objects.annotate(
        communes_count=Count("communes"), population=Sum("communes__population")
    )
    serializer_class = EpciSerializer
    filterset_class = EpciFilter
    ordering_fields = ["code", "name", "population"]


@extend_schema_view(
    list=extend_schema(operation_id="territory_bassin_bmo_list", summary="Bassins BMO"),
    retrieve=extend_schema(operation_id="territory_bassin_bmo_detail", summary="Un bassin BMO"),
)
class BassinBmoViewSet(TerritoryViewSet):
    queryset = BassinBmo.objects.annotate(
        communes_count=Count("communes"), population=Sum("communes__population")
    )
    serializer_class = BassinBmoSerializer
    filterset_class = BassinBmoFilter
    ordering_fields = ["code", "name", "population"]


@extend_schema_view(
    list=extend_schema(
        operation_id="territory_zone_emploi_list",
        summary="Zones d'emploi 2020",
        parameters=[GEOMETRY_PARAMETER],
    ),
    retrieve=extend_schema(
        operation_id="territory_zone_emploi_detail",
        summary="Une zone d'emploi",
        parameters=[GEOMETRY_PARAMETER],
    ),
)
class ZoneEmploiViewSet(GeometryParamMixin, TerritoryViewSet):
    queryset = ZoneEmploi.objects.annotate(
        communes_count=Count("communes"), population=Sum("communes__population")
    )
    serializer_class = ZoneEmploiSerializer
    filterset_class = ZoneEmploiFilter
    ordering_fields = ["code", "name", "population"]


@extend_schema_view(
    list=extend_schema(
        operation_id="territory_commune_list",
        summary="Communes (membres d'un zonage avec ses filtres)",
        parameters=[GEOMETRY_PARAMETER],
    ),
    retrieve=extend_schema(
        operation_id="territory_commune_detail",
        summary="Une commune",
        parameters=[GEOMETRY_PARAMETER],
    ),
)
class CommuneViewSet(GeometryParamMixin, TerritoryViewSet):
    queryset = Commune.objects.all()
    serializer_class = CommuneSerializer
    filterset_class = CommuneFilter
    ordering_fields = ["code", "name", "population"]
