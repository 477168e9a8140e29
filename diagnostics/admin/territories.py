"""Admin of the territorial reference data: régions, départements, EPCI, zones d'emploi, bassins
BMO, communes, code changes and the territory loads (read-only)."""

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from diagnostics.admin.roles import (
    REFERENCE_VIEW_ROLES,
    ReadOnlyAdminMixin,
    RoleAdminMixin,
    geometry_summary_text,
)
from diagnostics.models import (
    BassinBmo,
    Commune,
    CommuneCodeChange,
    Departement,
    Epci,
    Region,
    TerritoryLoad,
    ZoneEmploi,
)

# --- Territorial reference data ----------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = REFERENCE_VIEW_ROLES
    list_display = ("code", "name", "departements_count")
    search_fields = ("code", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        return super().get_queryset(request).annotate(n_departements=Count("departements"))

    @admin.display(description="départements", ordering="n_departements")
    def departements_count(self, obj: Any) -> int:
        return int(obj.n_departements)


@admin.register(Departement)
class DepartementAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = REFERENCE_VIEW_ROLES
    list_display = ("code", "name", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("code", "name")
    autocomplete_fields = ("region",)


@admin.register(Epci)
class EpciAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = REFERENCE_VIEW_ROLES
    list_display = ("code", "name", "nature")
    list_filter = ("nature",)
    search_fields = ("=code", "name")


@admin.register(ZoneEmploi)
class ZoneEmploiAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = REFERENCE_VIEW_ROLES
    list_display = ("code", "name", "has_geometry", "geometry_repaired")
    list_filter = ("geometry_repaired",)
    search_fields = ("=code", "name")
    exclude = ("geometry", "bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat")
    readonly_fields = ("geometry_summary", "geometry_repaired")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ZoneEmploi]:
        # Polygons are large: lists never load them (the change page loads it on demand).
        return super().get_queryset(request).defer("geometry")

    @admin.display(description="polygone", boolean=True)
    def has_geometry(self, obj: ZoneEmploi) -> bool:
        return obj.bbox_min_lon is not None

    @admin.display(description="géométrie")
    def geometry_summary(self, obj: ZoneEmploi) -> str:
        return geometry_summary_text(obj)


@admin.register(BassinBmo)
class BassinBmoAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = REFERENCE_VIEW_ROLES
    list_display = ("code", "name", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("=code", "name")
    autocomplete_fields = ("region",)


@admin.register(Commune)
class CommuneAdmin(RoleAdminMixin, admin.ModelAdmin):
    """About 35,000 rows: searched by name or code, foreign keys through autocompletion, no full
    count, polygons never loaded in the list."""

    view_roles = REFERENCE_VIEW_ROLES
    list_display = (
        "code",
        "name",
        "departement",
        "population",
        "zone_emploi",
        "bassin_bmo",
        "epci",
        "cog_vintage",
    )
    list_filter = ("region", "geometry_approximate", "cog_vintage")
    list_select_related = ("departement", "zone_emploi", "bassin_bmo", "epci")
    search_fields = ("^code", "name")
    autocomplete_fields = ("departement", "region", "epci", "zone_emploi", "bassin_bmo")
    show_full_result_count = False
    exclude = ("geometry", "bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat")
    readonly_fields = ("geometry_summary", "geometry_approximate")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Commune]:
        return super().get_queryset(request).defer("geometry")

    @admin.display(description="géométrie")
    def geometry_summary(self, obj: Commune) -> str:
        return geometry_summary_text(obj)


@admin.register(CommuneCodeChange)
class CommuneCodeChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    view_roles = REFERENCE_VIEW_ROLES
    list_display = ("old_code", "new_code", "year")
    list_filter = ("year",)
    search_fields = ("=old_code", "=new_code")


@admin.register(TerritoryLoad)
class TerritoryLoadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    view_roles = REFERENCE_VIEW_ROLES
    list_display = ("dataset", "status", "rows", "duration_s", "started_at", "source_file")
    list_filter = ("status", "dataset")
    search_fields = ("dataset", "source_file")
    date_hierarchy = "started_at"
