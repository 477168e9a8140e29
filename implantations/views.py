"""The implantations home: existing Cnam sites on a map and the programme settings in force."""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from diagnostics.models import User
from diagnostics.permissions import BASIN_MANAGERS, role_required
from implantations.analytics.maps import cnam_sites_figure
from implantations.selectors import (
    basin_main_town_frame,
    cnam_site_frame,
    cnam_site_list,
    programme_settings_current,
)


@role_required(*BASIN_MANAGERS)
@require_GET
def implantation_home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    sites = cnam_site_list()
    basins = basin_main_town_frame(user)
    figure = None
    if sites or not basins.empty:
        # Through JSON so that numpy values become plain numbers for json_script.
        figure = json.loads(cnam_sites_figure(cnam_site_frame(sites), basins).to_json())
    return render(
        request,
        "implantations/home.html",
        {
            "sites": sites,
            "active_sites_count": sum(1 for site in sites if site.active),
            "basins_on_map": len(basins),
            "figure": figure,
            "settings": programme_settings_current(),
        },
    )
