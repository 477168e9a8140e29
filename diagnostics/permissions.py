"""Who may open which page: one decorator for function views, one mixin for class-based views,
and DRF permission classes for the API.

Rules: an anonymous visitor is sent to the login page; a logged-in user whose role is not listed
gets a 403. A superuser counts as a national admin. Which *objects* a user may see is not decided
here but by the scoped querysets of `diagnostics.selectors.access` (another region's object is a
404).

    @role_required(Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE)
    def my_view(request): ...

    class MyView(RoleRequiredMixin, TemplateView):
        allowed_roles = (Role.NATIONAL_ADMIN,)

    class MyApiView(APIView):
        permission_classes = [CanManageBasins]
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission

from diagnostics.models import Role

# Roles grouped as the pages use them.
BASIN_READERS = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.MAYOR_VIEWER)
BASIN_MANAGERS = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE)
DATA_READERS = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.CATALOGUE_ADMIN)
CATALOGUE_READERS = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.CATALOGUE_ADMIN)
CATALOGUE_MANAGERS = (Role.NATIONAL_ADMIN, Role.CATALOGUE_ADMIN)


def has_role(user: Any, roles: Iterable[str]) -> bool:
    """True when an authenticated, active user has one of `roles` (superuser = national admin)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    roles = set(roles)
    if user.is_superuser and Role.NATIONAL_ADMIN in roles:
        return True
    return user.role in roles


def role_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorator for function views: login page for anonymous visitors, 403 for other roles."""
    if not roles:
        raise ValueError("role_required() demande au moins un rôle.")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, roles):
                raise PermissionDenied("Votre rôle ne donne pas accès à cette page.")
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = tuple(roles)  # type: ignore[attr-defined]
        return wrapper

    return decorator


class RoleRequiredMixin:
    """Class-based view counterpart of `role_required`: set `allowed_roles`."""

    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_role(request.user, self.allowed_roles):
            raise PermissionDenied("Votre rôle ne donne pas accès à cette page.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


# --- DRF ------------------------------------------------------------------------------------


class RolePermission(BasePermission):
    roles: tuple[str, ...] = ()
    message = "Votre rôle ne donne pas accès à cette ressource."

    def has_permission(self, request: Any, view: Any) -> bool:
        if not has_role(request.user, self.roles):
            return False
        # A token also needs the scope of the operation, whatever the view's base class
        # (diagnostics.api.auth: reads indicators:read, writes the view's write_scope).
        from diagnostics.api.auth import HasTokenScope

        scope = HasTokenScope()
        if not scope.has_permission(request, view):
            self.message = scope.message
            self.code = scope.code
            return False
        return True


class IsNationalAdmin(RolePermission):
    roles = (Role.NATIONAL_ADMIN,)


class CanReadBasins(RolePermission):
    """Basin readers, plus API clients (who read the basins of their regions)."""

    roles = (*BASIN_READERS, Role.API_CLIENT)


class CanManageBasins(RolePermission):
    roles = BASIN_MANAGERS


class CanManageCatalogue(RolePermission):
    roles = CATALOGUE_MANAGERS


class IsApiClient(RolePermission):
    roles = (Role.API_CLIENT,)
