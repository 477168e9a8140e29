"""The home page: what each role does first."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rest_framework.authtoken.models import Token

from diagnostics.models import Role, User
from diagnostics.selectors.access import basin_list_for
from diagnostics.selectors.accounts import (
    home_recent_basin_list_for,
    home_region_list_for,
    home_shared_basin_list_for,
)


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
        context["shared_basins"] = list(home_shared_basin_list_for(user))
    elif user.role == Role.CATALOGUE_ADMIN:
        template = "diagnostics/home_catalogue.html"
    elif user.role == Role.API_CLIENT:
        template = "diagnostics/home_api.html"
        token = Token.objects.filter(user=user).first()
        context |= {
            "token_hint": f"…{token.key[-4:]}" if token else None,
            "regions": list(user.regions.all()),
        }
    else:  # pragma: no cover - every role is handled above
        template = "diagnostics/home.html"
    return render(request, template, context)
