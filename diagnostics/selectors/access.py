"""Who may see what. Every view and API queryset goes through these functions, so that another
region's object is simply not found (404)."""

import copy

from django.db.models import QuerySet

from diagnostics.models import Basin, DiagnosticRun, Region, SharedVersion, User
from diagnostics.params import id_or_none


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


def basin_live_list_for(user: User) -> QuerySet[Basin]:
    """Basins whose live reads (latest diagnostic, gap, recommendation, business model) `user`
    may open: those of `basin_list_for`, except for a mayor's office or a local partner, who
    read a basin only through the versions shared with them (ADR 0014)."""
    if user.is_authenticated and user.is_mayor_viewer:
        return Basin.objects.none()
    return basin_list_for(user)


def diagnostic_run_readable_for(user: User) -> QuerySet[DiagnosticRun]:
    """Runs `user` may open (page, progress, exports, PDF, comparison): every run of the basins
    it reads, except for a mayor's office or a partner: only the runs of the versions shared
    with them and not revoked (never an unshared run of the same basin)."""
    runs = DiagnosticRun.objects.filter(basin__in=basin_list_for(user))
    if user.is_authenticated and user.is_mayor_viewer:
        shared = SharedVersion.objects.filter(
            grants__user=user, grants__revoked_at__isnull=True
        ).values("run_id")
        runs = runs.filter(pk__in=shared)
    return runs.select_related("basin")


def basin_manageable_for(user: User) -> QuerySet[Basin]:
    """Basins a user may edit and share: national admins and the delegates of the basin's region."""
    if not user.is_authenticated or not user.can_manage_basins:
        return Basin.objects.none()
    if user.is_national_admin:
        return Basin.objects.all()
    return Basin.objects.filter(region__in=user.regions.all())


def basin_is_manageable(user: User, basin_pk: int) -> bool:
    """Whether `user` may edit and share the basin `basin_pk` (see basin_manageable_for)."""
    return basin_manageable_for(user).filter(pk=basin_pk).exists()


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
    ids = [number for number in map(id_or_none, basin_codes) if number is not None]
    readable = {
        str(pk) for pk in basin_list_for(user).filter(pk__in=ids).values_list("pk", flat=True)
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
