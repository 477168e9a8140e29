"""Admin of the basins and their shares."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from diagnostics.admin.roles import RoleAdminMixin
from diagnostics.models import (
    Basin,
    BasinShare,
    Role,
    User,
)

# --- Basins -----------------------------------------------------------------------------------


class BasinShareInline(admin.TabularInline):
    model = BasinShare
    fk_name = "basin"
    extra = 0
    fields = ("user", "shared_by", "created_at")
    readonly_fields = ("shared_by", "created_at")
    verbose_name = "partage avec une mairie / un EPCI"
    verbose_name_plural = "partages avec des mairies / EPCI"

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.name == "user":
            # Basins are shared with mayors' offices only.
            kwargs["queryset"] = User.objects.filter(role=Role.MAYOR_VIEWER).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Basin)
class BasinAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Basins are registered in the application (which derives population, geometry and
    eligibility from the communes); the admin renames, shares and deletes them."""

    list_display = (
        "name",
        "region",
        "source_kind",
        "population",
        "communes_count",
        "spans_regions",
        "geometry_status",
        "created_by",
        "created_at",
    )
    list_filter = ("region", "source_kind", "spans_regions", "geometry_status")
    list_select_related = ("region", "created_by")
    search_fields = ("name",)
    fields = (
        "name",
        "region",
        "source_kind",
        "source_codes",
        "main_town",
        "population",
        "communes_count",
        "communes_without_population",
        "spans_regions",
        "geometry_status",
        "geometry_note",
        "eligible_population",
        "eligible_main_town",
        "nearest_site",
        "nearest_site_km",
        "created_by",
        "created_at",
        "refreshed_at",
    )
    readonly_fields = tuple(name for name in fields if name != "name")
    inlines = (BasinShareInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Basin]:
        return super().get_queryset(request).defer("geometry")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        shares = formset.save(commit=False)
        for share in shares:
            if share.shared_by_id is None:
                share.shared_by = request.user
            share.save()
        for share in formset.deleted_objects:
            share.delete()
        formset.save_m2m()
