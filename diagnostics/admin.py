"""Django admin: users and their roles, territorial reference data, basins and their shares,
dataset imports (batches, reference nomenclatures and lycées, fact tables: all read-only).

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
from django.urls import reverse
from django.utils.html import format_html

from diagnostics.errors import ApplicationError
from diagnostics.models import (
    AuditEvent,
    Basin,
    BasinShare,
    BassinBmo,
    BmoFact,
    ChomageZeFact,
    Commune,
    CommuneCodeChange,
    DefmFact,
    DefmSecteurFact,
    Departement,
    Epci,
    FapCode,
    ImportBatch,
    IndicatorFact,
    Lycee,
    Region,
    Role,
    RomeAppellation,
    RomeCode,
    RomeDomain,
    TensionFact,
    TerritoryLoad,
    User,
    ZoneEmploi,
)
from diagnostics.permissions import has_role
from diagnostics.selectors.imports import import_batch_list
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


# --- Dataset imports (diagnostics.services.imports) ------------------------------------------
# Everything here is written by an import batch, which is immutable once done: the admin only
# looks. Batches are scoped as on the import pages (catalogue admins: ROME and FAP only).


def _batch_link(obj: Any) -> str:
    return format_html(
        '<a href="{}">n° {}</a>',
        reverse("admin:diagnostics_importbatch_change", args=[obj.batch_id]),
        obj.batch_id,
    )


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    view_roles = REFERENCE_VIEW_ROLES
    list_display = (
        "id",
        "kind",
        "file_name",
        "status",
        "vintage",
        "rows_read",
        "rows_written",
        "rows_rejected",
        "uploaded_by",
        "created_at",
        "page_link",
    )
    list_display_links = ("id", "file_name")
    list_filter = ("kind", "status")
    list_select_related = ("uploaded_by",)
    search_fields = ("file_name",)
    date_hierarchy = "created_at"
    # The row report can hold 20,000 errors: the import page pages it and offers the CSV.
    exclude = ("error_report",)
    readonly_fields = ("page_link",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportBatch]:
        return import_batch_list(user=request.user).defer("error_report")

    @admin.display(description="page de l'import")
    def page_link(self, obj: ImportBatch) -> str:
        return format_html(
            '<a href="{}">voir la page de l\'import</a>', reverse("import-detail", args=[obj.pk])
        )


class ImportedReferenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A nomenclature or directory loaded by an import: looked up by catalogue admins too; the
    rows of every batch are listed (filter on the batch status for the ones in force)."""

    view_roles = REFERENCE_VIEW_ROLES
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description="import", ordering="batch_id")
    def batch_link(self, obj: Any) -> str:
        return _batch_link(obj)


@admin.register(RomeCode)
class RomeCodeAdmin(ImportedReferenceAdmin):
    list_display = (
        "code",
        "label",
        "parent_code",
        "is_main_fiche",
        "domaine_code",
        "emploi_reglemente",
        "batch_link",
    )
    list_filter = ("batch__status", "is_main_fiche", "grand_domaine_code")
    search_fields = ("^code", "label")


@admin.register(RomeAppellation)
class RomeAppellationAdmin(ImportedReferenceAdmin):
    list_display = ("code_ogr", "label", "rome_code", "is_main", "batch_link")
    list_filter = ("batch__status", "is_main")
    search_fields = ("=code_ogr", "^rome_code", "label")


@admin.register(RomeDomain)
class RomeDomainAdmin(ImportedReferenceAdmin):
    list_display = ("level", "code", "label", "batch_link")
    list_filter = ("batch__status", "level")
    search_fields = ("^code", "label")


@admin.register(FapCode)
class FapCodeAdmin(ImportedReferenceAdmin):
    list_display = ("code", "label", "level", "parent_code", "batch_link")
    list_filter = ("batch__status", "level")
    search_fields = ("^code", "label")


@admin.register(Lycee)
class LyceeAdmin(ImportedReferenceAdmin):
    list_display = (
        "uai",
        "name",
        "commune_code",
        "sector",
        "layout",
        "voie_professionnelle",
        "voie_technologique",
        "vocational_guess_from_name",
        "batch_link",
    )
    list_filter = (
        "batch__status",
        "layout",
        "sector",
        "voie_professionnelle",
        "voie_technologique",
        "vocational_guess_from_name",
    )
    search_fields = ("=uai", "=commune_code", "name")


class FactAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Fact tables (up to hundreds of thousands of rows): national admins only, read-only, a
    list without detail pages, exact-code searches on indexed columns, no full count."""

    show_full_result_count = False
    list_display_links = None
    list_per_page = 100

    @admin.display(description="import", ordering="batch_id")
    def batch_link(self, obj: Any) -> str:
        return _batch_link(obj)


@admin.register(BmoFact)
class BmoFactAdmin(FactAdmin):
    list_display = (
        "batch_link",
        "year",
        "bassin_code",
        "bassin_name",
        "departement_code",
        "metier_code",
        "metier_label",
        "met",
        "xmet",
        "smet",
        "met_masked",
    )
    list_filter = ("batch__status", "year", "met_masked")
    search_fields = ("=bassin_code", "=metier_code")


@admin.register(ChomageZeFact)
class ChomageZeFactAdmin(FactAdmin):
    list_display = ("batch_link", "zone_emploi_code", "period", "rate")
    list_filter = ("batch__status", "year", "quarter")
    search_fields = ("=zone_emploi_code", "=period")


@admin.register(DefmFact)
class DefmFactAdmin(FactAdmin):
    list_display = (
        "batch_link", "level", "code", "month", "category", "job_seekers", "masked", "ambiguous",
    )  # fmt: skip
    list_filter = ("batch__status", "level", "masked", "ambiguous")
    search_fields = ("=code",)


@admin.register(DefmSecteurFact)
class DefmSecteurFactAdmin(FactAdmin):
    list_display = (
        "batch_link", "bassin_code", "bassin_known", "naf_section", "sector_label", "job_seekers",
    )  # fmt: skip
    list_filter = ("batch__status", "bassin_known", "naf_section")
    search_fields = ("=bassin_code",)


@admin.register(TensionFact)
class TensionFactAdmin(FactAdmin):
    list_display = (
        "batch_link",
        "year",
        "rome_code",
        "bassin_code",
        "bassin_known",
        "tension",
        "job_offers",
        "job_seekers_abc",
        "missing_indicators",
    )
    list_filter = ("batch__status", "year", "tension", "bassin_known")
    search_fields = ("=rome_code", "=bassin_code")


@admin.register(IndicatorFact)
class IndicatorFactAdmin(FactAdmin):
    list_display = (
        "batch_link", "level", "code", "period", "indicator", "value", "unit", "masked", "source",
    )  # fmt: skip
    list_filter = ("batch__status", "level", "masked")
    search_fields = ("=code", "=indicator")


# --- Security audit log (diagnostics.services.audit): national admins read it, nobody edits ----


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "username", "action", "target_label", "target_type", "ip_address")
    list_filter = ("action", "at")
    search_fields = ("username", "target_label", "target_id", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("actor",)
