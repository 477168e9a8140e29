"""Admin of the programme's reference settings: existing Cnam sites and the programme bounds.

National admins and catalogue admins maintain them (role-based, see `diagnostics.admin`).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from diagnostics.admin import RoleAdminMixin
from diagnostics.models import Role
from implantations.models import CnamSite, ProgrammeSettings
from implantations.services import programme_reference_changed

SETTINGS_ROLES = (Role.NATIONAL_ADMIN, Role.CATALOGUE_ADMIN)


class RefreshBasinsOnChangeMixin:
    """Eligibility of every basin depends on these rows: refresh the basins after a change."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        programme_reference_changed()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)  # type: ignore[misc]
        programme_reference_changed()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        programme_reference_changed()


@admin.register(CnamSite)
class CnamSiteAdmin(RefreshBasinsOnChangeMixin, RoleAdminMixin, admin.ModelAdmin):
    admin_roles = SETTINGS_ROLES
    list_display = ("name", "kind", "commune", "latitude", "longitude", "active")
    list_filter = ("kind", "active")
    list_select_related = ("commune",)
    search_fields = ("name", "commune__name", "=commune__code")
    autocomplete_fields = ("commune",)


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(RefreshBasinsOnChangeMixin, RoleAdminMixin, admin.ModelAdmin):
    """A single row: no second one, no deletion; the list goes straight to the form."""

    admin_roles = SETTINGS_ROLES
    list_display = (
        "__str__",
        "basin_population_min",
        "basin_population_max",
        "main_town_population_min",
        "main_town_population_max",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request) and not ProgrammeSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        current = ProgrammeSettings.current()
        return HttpResponseRedirect(
            reverse("admin:implantations_programmesettings_change", args=[current.pk])
        )
