"""Curation of the catalogue in the Django admin: search, filters, CSV / XLSX import and export
(django-import-export) and the history of every change (django-simple-history).

National admins and catalogue admins curate (role-based, see `diagnostics.admin`). The
occupation codes are checked against the imported ROME and FAP referentials in the form as in
the import.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from catalogue.forms import SectorForm, TrainingPathForm
from catalogue.models import (
    Concept,
    LocalOffer,
    Modality,
    Pillar,
    Purpose,
    Sector,
    TargetPublic,
    TrainingPath,
)
from catalogue.resource_widgets import SniffedCSV
from catalogue.resources import SectorResource, TrainingPathResource
from diagnostics.admin.roles import RoleAdminMixin
from diagnostics.models import Role

CURATORS = (Role.NATIONAL_ADMIN, Role.CATALOGUE_ADMIN)


class CuratorAdminMixin(RoleAdminMixin):
    admin_roles = CURATORS
    import_formats = [SniffedCSV, XLSX]
    export_formats = [CSV, XLSX]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


class OccupationListFilter(admin.SimpleListFilter):
    title = "métiers associés"
    parameter_name = "metiers"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("avec", "Avec métiers"), ("sans", "Sans métier associé")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "sans":
            return queryset.filter(bmo_codes=[], rome_codes=[])
        if self.value() == "avec":
            return queryset.exclude(bmo_codes=[], rome_codes=[])
        return queryset


@admin.register(TrainingPath)
class TrainingPathAdmin(CuratorAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [TrainingPathResource]
    form = TrainingPathForm
    list_display = (
        "code",
        "title",
        "sector",
        "level",
        "cpf_eligible",
        "occupations",
        "status",
    )
    list_display_links = ("code", "title")
    list_filter = (
        "status",
        "sector",
        "certification_type",
        "level",
        "modalities",
        "purposes",
        "rolling_entries",
        "pillars",
        "publics",
        "concepts",
        "cpf_eligible",
        OccupationListFilter,
        "illustrative",
    )
    search_fields = ("code", "title", "description", "sector__name", "rncp_code")
    list_select_related = ("sector",)
    list_per_page = 100
    ordering = ("sector__order", "code")
    history_list_display = ("status",)
    fieldsets = (
        (None, {"fields": ("code", "title", "sector", "status", "illustrative")}),
        (
            "Certification",
            {"fields": ("certification_type", "rncp_code", "level", "duration_hours")},
        ),
        ("Finalités", {"fields": ("purposes", "rolling_entries")}),
        ("Organisation", {"fields": ("modalities", "pillars", "concepts", "cpf_eligible")}),
        ("Publics", {"fields": ("publics", "prerequisites", "description")}),
        ("Métiers visés", {"fields": ("bmo_codes", "rome_codes")}),
    )

    @admin.display(description="métiers")
    def occupations(self, obj: TrainingPath) -> str:
        count = len(obj.bmo_codes or []) + len(obj.rome_codes or [])
        return f"{count} code{'s' if count > 1 else ''}" if count else "aucun"


@admin.register(Sector)
class SectorAdmin(CuratorAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [SectorResource]
    form = SectorForm
    list_display = ("code", "name", "order", "path_count", "illustrative")
    list_display_links = ("code", "name")
    search_fields = ("code", "name")
    list_filter = ("illustrative",)
    ordering = ("order", "name")

    @admin.display(description="parcours")
    def path_count(self, obj: Sector) -> int:
        return obj.paths.count()


@admin.register(LocalOffer)
class LocalOfferAdmin(CuratorAdminMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "basin", "places_per_year", "is_cnam", "source", "created_at")
    list_filter = ("is_cnam",)
    search_fields = ("title", "provider", "path__title", "basin__name")
    list_select_related = ("basin", "path")
    raw_id_fields = ("basin", "path", "created_by")


class ChoiceAdmin(CuratorAdminMixin, admin.ModelAdmin):
    """The fixed lists: labels and order can be edited, codes are referenced by the imports."""

    list_display = ("code", "label", "order")
    list_editable = ("label", "order")
    ordering = ("order",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj else ()


for _model in (Modality, Purpose, Pillar, TargetPublic, Concept):
    admin.site.register(_model, ChoiceAdmin)
