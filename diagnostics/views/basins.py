"""Basin pages: list, registration (with preview), basin page with its map, sharing, deletion,
and the territory search used by the registration form's autocompletion."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from diagnostics.analytics.lycees import lycees_described
from diagnostics.analytics.maps import MapPoint, basin_map_figure, format_population
from diagnostics.errors import ApplicationError
from diagnostics.forms.basins import BasinForm, BasinShareForm, split_codes
from diagnostics.models import Basin, Commune, User
from diagnostics.params import int_param
from diagnostics.permissions import BASIN_MANAGERS, BASIN_READERS, role_required
from diagnostics.selectors import basins as basin_selectors
from diagnostics.selectors import diagnostics as diagnostic_selectors
from diagnostics.selectors.access import basin_is_manageable, basin_list_for
from diagnostics.selectors.national import basin_list_exclude_reference
from diagnostics.selectors.page_cache import FRAGMENT_SECONDS, cached, fragment_key
from diagnostics.selectors.sharing import shared_versions_of_basin
from diagnostics.services import basin_sharing
from diagnostics.services import basins as basin_services
from diagnostics.services.basin_eligibility import basin_eligibility

TOP_COMMUNES = 10


# --- Helpers --------------------------------------------------------------------------------
def _map_figure_json(
    *,
    communes: list[Commune] | QuerySet[Commune],
    geometry: dict[str, Any] | None,
    main_town: Commune | None,
    site: tuple[str, float, float, float | None] | None,
    lycees: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The basin map as a plotly JSON dict (for `json_script`)."""
    main_point = None
    if main_town is not None and main_town.latitude is not None and main_town.longitude is not None:
        main_point = MapPoint(
            label=main_town.name,
            lon=main_town.longitude,
            lat=main_town.latitude,
            detail=f"Ville principale · {format_population(main_town.population)} hab.",
        )
    site_point = None
    if site is not None:
        name, lat, lon, km = site
        distance = f" · à {km:.1f} km de la ville principale".replace(".", ",") if km else ""
        site_point = MapPoint(label=name, lon=lon, lat=lat, detail=f"Site Cnam{distance}")
    figure = basin_map_figure(
        communes=basin_selectors.communes_frame(communes),
        basin_geometry=geometry,
        main_town=main_point,
        site=site_point,
        lycees=lycees,
    )
    return json.loads(figure.to_json())


# --- Pages ----------------------------------------------------------------------------------
@role_required(*BASIN_READERS)
@require_GET
def basin_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # Reference basins (national batches) are listed only when asked for (?references=1).
    with_references = request.GET.get("references") == "1"
    basins = (
        basin_list_exclude_reference(basin_list_for(user), include=with_references)
        .select_related("region", "main_town")
        .defer("geometry")
        .order_by("region__name", "name")
    )
    return render(
        request,
        "diagnostics/basin_list.html",
        {"basins": basins, "can_create": user.can_manage_basins},
    )


@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def basin_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    preview = None
    map_json = None
    if request.method == "POST":
        action = "save" if "save" in request.POST else "preview"
        form = BasinForm(request.POST, action=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "save":
                    basin = basin_services.basin_create(
                        name=data["name"],
                        source_kind=data["source_kind"],
                        source_codes=data["source_codes"],
                        main_town_code=data["main_town"] or None,
                        created_by=user,
                    )
                    messages.success(request, f"Le bassin « {basin.name} » est enregistré.")
                    return redirect("basin-detail", pk=basin.pk)
                preview = basin_services.basin_preview(
                    source_kind=data["source_kind"],
                    source_codes=data["source_codes"],
                    main_town_code=data["main_town"] or None,
                )
            except ApplicationError as exc:
                exc.add_to(form)
            if preview is not None:
                # What would refuse the registration, said now rather than at « Enregistrer ».
                for check in (
                    lambda: basin_services.basin_creator_check(user=user, region=preview.region),
                    lambda: (
                        data["name"]
                        and basin_services.basin_name_check(
                            name=data["name"], region=preview.region
                        )
                    ),
                ):
                    try:
                        check()
                    except ApplicationError as exc:
                        exc.add_to(form)
                site = None
                if preview.eligibility.nearest_site_lat is not None:
                    site = (
                        preview.eligibility.nearest_site_name or "",
                        preview.eligibility.nearest_site_lat,
                        preview.eligibility.nearest_site_lon or 0.0,
                        preview.eligibility.nearest_site_km,
                    )
                map_json = _map_figure_json(
                    communes=preview.communes,
                    geometry=preview.geometry,
                    main_town=preview.main_town,
                    site=site,
                )
    else:
        initial = {
            key: request.GET[key]
            for key in ("source_kind", "source_codes", "main_town", "name")
            if key in request.GET
        }
        form = BasinForm(initial=initial)

    codes_text = (
        form.data.get("source_codes", "") if form.is_bound else form.initial.get("source_codes", "")
    )
    code_labels = basin_selectors.territory_labels(
        kind=form.search_kind, codes=split_codes(codes_text)[:200]
    )
    top_communes = (
        sorted(preview.communes, key=lambda c: (-(c.population or 0), c.code))[:TOP_COMMUNES]
        if preview
        else []
    )
    return render(
        request,
        "diagnostics/basin_form.html",
        {
            "form": form,
            "preview": preview,
            "map_json": map_json,
            "code_labels": code_labels,
            "top_communes": top_communes,
            "other_communes": (preview.communes_count - len(top_communes)) if preview else 0,
        },
    )


BASIN_COMMUNE_SORTS = {
    "-population": "Population décroissante",
    "population": "Population croissante",
    "nom": "Nom",
    "code": "Code INSEE",
}


@role_required(*BASIN_READERS)
def basin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # Another region's basin is not found, whatever the method: the 404 comes before the 405.
    basin = get_object_or_404(
        basin_list_for(user).select_related("region", "main_town", "nearest_site", "created_by"),
        pk=pk,
    )
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    sort = request.GET.get("tri", "-population")
    if sort not in BASIN_COMMUNE_SORTS:
        sort = "-population"
    # Read only when the cached tables are drawn, without their outline (the map reads them).
    communes = basin_selectors.basin_communes(basin, sort=sort).defer("geometry")
    site = None
    if basin.nearest_site is not None:
        site = (
            basin.nearest_site.name,
            basin.nearest_site.latitude,
            basin.nearest_site.longitude,
            basin.nearest_site_km,
        )
    can_manage = basin_is_manageable(user, basin.pk)

    def build_map() -> tuple[str, list[dict[str, Any]]]:
        lycees = basin_selectors.basin_lycees_frame(basin)
        figure = _map_figure_json(
            communes=list(basin_selectors.basin_communes(basin, sort=sort)),
            geometry=basin.geometry,
            main_town=basin.main_town,
            site=site,
            lycees=lycees,
        )
        records: list[dict[str, Any]] = lycees_described(lycees).to_dict("records")  # type: ignore[assignment]
        # Kept as its <script> element: encoding the figure (every commune's outline) cost
        # about 10 ms of CPU on every answer.
        return str(json_script(figure, "basin-map-data")), records

    # The map, the lycées and the tables read the basin (its communes: `updated_at`), its site,
    # the territories and the imports in force: drawn once per state of those (issue 15,
    # `page_cache`), the same for every reader of the basin.
    key = fragment_key("basin", basin.pk, str(basin.updated_at), sort, site, basin.main_town_id)
    map_script, lycees = cached(f"{key}:map-script", build_map)
    return render(
        request,
        "diagnostics/basin_detail.html",
        {
            "basin": basin,
            "regions": list(basin.regions.order_by("code")),
            "communes": communes,
            "sort": sort,
            "sort_label": BASIN_COMMUNE_SORTS[sort],
            "eligibility": basin_eligibility(basin=basin),
            "map_script": mark_safe(map_script),  # noqa: S308 - json_script's escaped output
            "lycees": lycees,
            "tables_key": key,
            "fragment_seconds": FRAGMENT_SECONDS,
            "can_manage": can_manage,
            "shares": (
                list(basin.shares.select_related("user").order_by("user__username"))
                if can_manage
                else []
            ),
            "share_form": BasinShareForm() if can_manage else None,
            "diagnostic": (
                None
                if user.is_mayor_viewer
                else diagnostic_selectors.diagnostic_basin_summary(basin, can_run=can_manage)
            ),
            "partner_versions": (
                shared_versions_of_basin(user, basin) if user.is_mayor_viewer else None
            ),
        },
    )


def _managed_basin(request: HttpRequest, pk: int) -> Basin:
    """A basin the user may see (else 404) and manage (else 403). Views check the method
    after this, so that another region's basin is a 404 whatever the method."""
    user: User = request.user  # type: ignore[assignment]
    basin = get_object_or_404(basin_list_for(user), pk=pk)
    if not basin_is_manageable(user, basin.pk):
        raise PermissionDenied("Seuls les délégués de la région du bassin peuvent le modifier.")
    return basin


@role_required(*BASIN_MANAGERS)
def basin_share(request: HttpRequest, pk: int) -> HttpResponse:
    """Share with a mayor's-office user (`user`: username or e-mail), or stop sharing
    (`action=unshare`, `user_id`)."""
    user: User = request.user  # type: ignore[assignment]
    basin = _managed_basin(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if request.POST.get("action") == "unshare":
        user_id = int_param(request.POST, "user_id")
        if user_id is None:
            messages.error(request, "Partage à retirer introuvable.")
            return redirect("basin-detail", pk=basin.pk)
        removed = basin_sharing.basin_unshare(basin=basin, user_id=user_id, by=user)
        if removed:
            messages.success(request, "Le partage est retiré.")
        else:
            messages.info(request, "Ce bassin n'était pas partagé avec cet utilisateur.")
        return redirect("basin-detail", pk=basin.pk)

    form = BasinShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez l'identifiant ou l'adresse électronique du compte.")
        return redirect("basin-detail", pk=basin.pk)
    try:
        share = basin_sharing.basin_share(
            basin=basin, identifier=form.cleaned_data["user"], shared_by=user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        who = share.user.get_full_name() or share.user.get_username()
        messages.success(request, f"Le bassin « {basin.name} » est partagé avec {who}.")
    return redirect("basin-detail", pk=basin.pk)


@role_required(*BASIN_MANAGERS)
def basin_delete(request: HttpRequest, pk: int) -> HttpResponse:
    basin = _managed_basin(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if request.POST.get("confirm") != "oui":
        messages.error(request, "Cochez la case de confirmation pour supprimer le bassin.")
        return redirect("basin-detail", pk=basin.pk)
    name = basin.name
    try:
        basin_services.basin_delete(basin=basin)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("basin-detail", pk=pk)
    messages.success(request, f"Le bassin « {name} » est supprimé.")
    return redirect("basin-list")


@role_required(*BASIN_MANAGERS)
@require_GET
def territory_search(request: HttpRequest) -> JsonResponse:
    """GET ?q=...&kind=commune|zone_emploi|bassin_bmo|epci → [{code, label, population}]."""
    kind = request.GET.get("kind", "commune")
    if kind not in basin_selectors.SEARCH_KINDS:
        return JsonResponse(
            {
                "error": f"Type de territoire inconnu : « {kind} » (attendu : "
                + ", ".join(basin_selectors.SEARCH_KINDS)
                + ")."
            },
            status=400,
        )
    q = request.GET.get("q", "")[:100]
    results = basin_selectors.territory_search(q=q, kind=kind)
    return JsonResponse(results, safe=False)
