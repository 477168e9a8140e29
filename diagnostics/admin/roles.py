"""Access to the admin by role (`RoleAdminMixin`, `ReadOnlyAdminMixin`): the role, not Django's
per-model permissions, decides what a staff user may see and change."""

from typing import Any

from django.http import HttpRequest

from diagnostics.models import Role
from diagnostics.permissions import has_role


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


def geometry_summary_text(obj: Any) -> str:
    if not obj.geometry:
        return "aucune"
    bbox = obj.bbox
    kind = obj.geometry.get("type", "?") if isinstance(obj.geometry, dict) else "?"
    if bbox is None:
        return kind
    return f"{kind}, emprise {bbox[0]:.3f} ; {bbox[1]:.3f} → {bbox[2]:.3f} ; {bbox[3]:.3f}"
