"""Django admin: users and their roles, territorial reference data, basins and their shares.

The admin is for staff users. National admins are superusers (see `services.accounts`) and can
do everything; what catalogue admins may touch is decided by role (`RoleAdminMixin`), not by
Django's per-model permissions, so that the role stays the one source of truth.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from diagnostics.errors import ApplicationError
from diagnostics.models import (
    Basin,
    BasinShare,
    BassinBmo,
    Commune,
    CommuneCodeChange,
    Departement,
    Epci,
    Region,
    Role,
    TerritoryLoad,
    User,
    ZoneEmploi,
)
from diagnostics.permissions import has_role
from diagnostics.services.accounts import user_apply_role_flags, user_check_role_regions

# Roles replace groups and per-user permissions.
admin.site.unregister(Group)


class RoleAdminMixin:
    """Grant the admin pages of a model to the staff users whose role is in `admin_roles`, and
    read-only access to those in `view_roles`."""

    admin_roles: tuple[str, ...] = (Role.NATIONAL_ADMIN,)
    view_roles: tuple[str, ...] = ()

    def _role_allowed(self, request: HttpRequest) -> bool:
        return request.user.is_staff and has_role(request.user, self.admin_roles)

    def _view_allowed(self, request: HttpRequest) -> bool:
        return self._role_allowed(request) or (
            request.user.is_staff and has_role(request.user, self.view_roles)
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._view_allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._view_allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._role_allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._role_allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._role_allowed(request)


# Catalogue admins look up reference data (e.g. the commune of a Cnam site) without editing it.
REFERENCE_VIEW_ROLES = (Role.CATALOGUE_ADMIN,)


class ReadOnlyAdminMixin(RoleAdminMixin):
    """Records written by a command (loads, code changes): looked at, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _geometry_summary(obj: Any) -> str:
    if not obj.geometry:
        return "aucune"
    bbox = obj.bbox
    kind = obj.geometry.get("type", "?") if isinstance(obj.geometry, dict) else "?"
    if bbox is None:
        return kind
    return f"{kind}, emprise {bbox[0]:.3f} ; {bbox[1]:.3f} → {bbox[2]:.3f} ; {bbox[3]:.3f}"


# --- Users ------------------------------------------------------------------------------------


class _RoleRegionsFormMixin:
    """Check the role / regions pair as `user_create` does."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        role = cleaned.get("role")
        regions = cleaned.get("regions")
        if role:
            try:
                user_check_role_regions(
                    role=role, region_codes=[region.code for region in regions or []]
                )
            except ApplicationError as exc:
                self.add_error("regions", exc.message)  # type: ignore[attr-defined]
        return cleaned


class UserCreateForm(_RoleRegionsFormMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "role", "regions", "organisation")


class UserEditForm(_RoleRegionsFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Rôle et périmètre", {"fields": ("role", "regions", "organisation")}),
        ("Identité", {"fields": ("first_name", "last_name", "email")}),
        (
            "Accès",
            {
                "fields": ("is_active", "is_staff", "is_superuser"),
                "description": (
                    "L'accès à l'administration découle du rôle : administrateurs nationaux "
                    "(tous les droits) et administrateurs du catalogue."
                ),
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "email",
                    "role",
                    "regions",
                    "organisation",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")
    list_display = (
        "username",
        "get_full_name",
        "email",
        "role",
        "region_codes",
        "organisation",
        "is_staff",
        "is_active",
    )
    list_filter = ("role", "regions", "is_staff", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "organisation")
    filter_horizontal = ("regions",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("regions")

    @admin.display(description="régions")
    def region_codes(self, obj: User) -> str:
        return ", ".join(region.code for region in obj.regions.all()) or "—"

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # The admin flags follow the role when it is set or changed; a superuser created with
        # createsuperuser (default role) keeps its flags until its role is edited.
        if not change or "role" in form.changed_data:
            user_apply_role_flags(obj)
        super().save_model(request, obj, form, change)


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
        return _geometry_summary(obj)


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
        return _geometry_summary(obj)


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
