"""The reference-data page: what territories are loaded and how the last loads went."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from diagnostics.permissions import DATA_READERS, role_required
from diagnostics.selectors.territories import territory_counts, territory_load_rows


@role_required(*DATA_READERS)
@require_GET
def data_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "diagnostics/data_home.html",
        {"counts": territory_counts(), "loads": territory_load_rows()},
    )
