"""The home page: what each role does first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from diagnostics.models import Role, User
from diagnostics.selectors.access import basin_list_for
from diagnostics.selectors.accounts import (
    home_recent_basin_list_for,
    home_region_list_for,
    home_shared_basin_list_for,
)
from diagnostics.selectors.sharing import home_shared_versions_for, shared_version_list_for
from diagnostics.selectors.tokens import api_token_list_for


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context: dict[str, object] = {}
    if user.is_national_admin or user.is_regional_delegate:
        template = "diagnostics/home_manager.html"
        regions = list(home_region_list_for(user))
        context |= {
            "regions": regions,
            "basins_total": basin_list_for(user).filter(is_reference=False).count(),
            "recent_basins": list(home_recent_basin_list_for(user)),
        }
    elif user.role == Role.MAYOR_VIEWER:
        template = "diagnostics/home_mayor.html"
        shared = home_shared_versions_for(user)
        with_versions = {entry.basin.pk for entry in shared}
        context["shared"] = shared
        # Basins shared without a version yet (no finished diagnostic when they were shared).
        context["shared_basins"] = [
            b for b in home_shared_basin_list_for(user) if b.pk not in with_versions
        ]
    elif user.role == Role.CATALOGUE_ADMIN:
        template = "diagnostics/home_catalogue.html"
    elif user.role == Role.API_CLIENT:
        template = "diagnostics/home_api.html"
        context |= {
            "active_tokens": [t for t in api_token_list_for(user) if t.is_active],
            "regions": list(user.regions.all()),
        }
    else:  # pragma: no cover - every role is handled above
        template = "diagnostics/home.html"
    return render(request, template, context)


def shared_redirect(request: HttpRequest, basin_id: int) -> HttpResponse:
    """A mayor's office or a partner reads a basin through the versions shared with it (ADR
    0014): the live pages (recommendation, gap, assets, business model) send it to the latest
    one, or home when none is shared."""
    user: User = request.user  # type: ignore[assignment]
    latest = (
        shared_version_list_for(user)
        .filter(basin_id=basin_id)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None:
        messages.info(request, "Aucune version du diagnostic de ce bassin ne vous est partagée.")
        return redirect("home")
    return redirect("shared-version-detail", pk=latest)
