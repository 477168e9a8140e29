"""Who may see what. Every view and API queryset goes through these functions, so that another
region's object is simply not found (404)."""

import copy

from django.db.models import QuerySet

from diagnostics.models import Basin, DiagnosticRun, Region, User


def region_list_for(user: User) -> QuerySet[Region]:
    """Regions a user works on: all for a national admin, their own for delegates and API clients."""
    if not user.is_authenticated:
        return Region.objects.none()
    if user.is_national_admin:
        return Region.objects.all()
    if user.is_regional_delegate or user.is_api_client:
        return user.regions.all()
    return Region.objects.none()


def basin_list_for(user: User) -> QuerySet[Basin]:
    """Basins a user may read.

    National admin: all. Regional delegate and API client: basins owned by one of their regions.
    Mayor's office: the basins shared with them. Catalogue admin: none.
    """
    if not user.is_authenticated:
        return Basin.objects.none()
    if user.is_national_admin:
        return Basin.objects.all()
    if user.is_regional_delegate or user.is_api_client:
        return Basin.objects.filter(region__in=user.regions.all())
    if user.is_mayor_viewer:
        return Basin.objects.filter(shares__user=user)
    return Basin.objects.none()


def basin_manageable_for(user: User) -> QuerySet[Basin]:
    """Basins a user may edit and share: national admins and the delegates of the basin's region."""
    if not user.is_authenticated or not user.can_manage_basins:
        return Basin.objects.none()
    if user.is_national_admin:
        return Basin.objects.all()
    return Basin.objects.filter(region__in=user.regions.all())


REGION_MAP_HIDDEN_NOTE = (
    "Les autres bassins enregistrés de la région ne sont pas affichés : ils ne sont pas "
    "partagés avec votre compte."
)


def diagnostic_run_scoped(run: DiagnosticRun, *, user: User) -> DiagnosticRun:
    """The run as `user` may read it, for display and export only (never saved).

    A run is computed once for every reader of its basin, and its region map lists the region's
    registered basins. The rows of basins that `user` may not read (`basin_list_for`, e.g. a
    mayor's office sees the basins shared with it) are removed from the table, so from the map
    and the exports built from it, and the document carries a French note saying why. Zones
    d'emploi (official geography and published rates) are not filtered."""
    payload = (run.tables or {}).get("region_map")
    if not payload or "kind" not in payload["columns"] or "code" not in payload["columns"]:
        return run
    kind, code = payload["columns"].index("kind"), payload["columns"].index("code")
    basin_codes = {str(row[code]) for row in payload["rows"] if row[kind] == "basin"}
    if not basin_codes:
        return run
    readable = {
        str(pk)
        for pk in basin_list_for(user)
        .filter(pk__in=[int(c) for c in basin_codes if c.isdigit()])
        .values_list("pk", flat=True)
    } | {str(run.basin_id)}
    rows = [row for row in payload["rows"] if row[kind] != "basin" or str(row[code]) in readable]
    if len(rows) == len(payload["rows"]):
        return run
    scoped = copy.copy(run)
    scoped.tables = {
        **(run.tables or {}),
        "region_map": {
            **payload,
            "rows": rows,
            "title": "Bassins de la région partagés avec vous : taux de chômage",
        },
    }
    results = dict(run.results or {})
    results["maps"] = {**(results.get("maps") or {}), "region_note": REGION_MAP_HIDDEN_NOTE}
    scoped.results = results
    return scoped
