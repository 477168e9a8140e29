"""Admin of the users and their roles (roles replace groups and per-user permissions)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest

from diagnostics.errors import ApplicationError
from diagnostics.models import User
from diagnostics.services.accounts import user_apply_role_flags, user_check_role_regions

# Roles replace groups and per-user permissions.
admin.site.unregister(Group)


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
        fields = ("username", "email", "role", "regions", "organisation", "partner_organisation")


class UserEditForm(_RoleRegionsFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "Rôle et périmètre",
            {"fields": ("role", "regions", "organisation", "partner_organisation")},
        ),
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
                    "partner_organisation",
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
