"""What the basins API reads and writes (issue 14): a basin as the API shows it, and the bodies
of a basin's creation and edition."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from diagnostics.models import Basin, BasinSource

MAX_SOURCE_CODES = 2000


class MainTownSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class BasinOutputSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id")
    main_town = serializers.SerializerMethodField()
    urls = serializers.SerializerMethodField()
    bbox = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    geometry = serializers.JSONField(
        required=False, allow_null=True, help_text="GeoJSON WGS84, avec geometry=true."
    )

    class Meta:
        model = Basin
        fields = [
            "id",
            "name",
            "region",
            "source_kind",
            "source_codes",
            "main_town",
            "population",
            "communes_count",
            "communes_without_population",
            "spans_regions",
            "eligible_population",
            "eligible_main_town",
            "nearest_site_km",
            "geometry_status",
            "created_at",
            "updated_at",
            "urls",
            "bbox",
            "geometry",
        ]

    @extend_schema_field(MainTownSerializer(allow_null=True))
    def get_main_town(self, basin: Basin) -> dict[str, str] | None:
        town = basin.main_town
        return {"code": town.code, "name": town.name} if town is not None else None

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_urls(self, basin: Basin) -> dict[str, str]:
        request = self.context["request"]
        return {
            "self": request.build_absolute_uri(reverse("api-basin-detail", args=[basin.pk])),
            "runs": request.build_absolute_uri(reverse("api-basin-runs", args=[basin.pk])),
            "indicators": request.build_absolute_uri(
                reverse("api-basin-indicators", args=[basin.pk])
            ),
            "page": request.build_absolute_uri(reverse("basin-detail", args=[basin.pk])),
        }

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if not self.context.get("geometry"):
            fields.pop("geometry", None)  # never read: the column is deferred
        return fields


class BasinCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    source_kind = serializers.ChoiceField(
        choices=BasinSource.choices,
        help_text="zone_emploi, bassin_bmo, epci (codes des zonages) ou communes (codes INSEE).",
    )
    source_codes = serializers.ListField(
        child=serializers.CharField(max_length=12),
        min_length=1,
        max_length=MAX_SOURCE_CODES,
        help_text="Codes des zonages ou des communes qui forment le bassin.",
    )
    main_town_code = serializers.CharField(
        required=False, allow_blank=True, help_text="Code INSEE de la ville-centre (facultatif)."
    )


class BasinUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
    source_kind = serializers.ChoiceField(choices=BasinSource.choices, required=False)
    source_codes = serializers.ListField(
        child=serializers.CharField(max_length=12),
        min_length=1,
        max_length=MAX_SOURCE_CODES,
        required=False,
    )
    main_town_code = serializers.CharField(required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Rien à modifier : name ou source_codes attendu.")
        if ("source_kind" in attrs or "main_town_code" in attrs) and "source_codes" not in attrs:
            raise serializers.ValidationError(
                {"source_codes": ["Donnez la nouvelle liste de codes avec source_kind."]}
            )
        return attrs
