"""Reads of the national planning (issue 16): every diagnosed basin of a zoning — the national
batch's reference basins, plus the registered basins — with what the planning needs of them.

Only national admins plan for all of France (`national_planning_allowed`): a delegate keeps the
regional planning of their regions and never sees another region's figures here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from diagnostics.models import AtlasEntry, Basin, DiagnosticRun, Region, User
from implantations.models import Recommendation


def national_planning_allowed(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_national_admin)


def reference_basins(zoning: str) -> list[Basin]:
    """The reference basins of `zoning` (one whole zone each, registered by the national
    batch), with their main town, ordered by name."""
    return list(
        Basin.objects.filter(is_reference=True, source_kind=zoning)
        .select_related("main_town")
        .defer("geometry")
        .order_by("name", "pk")
    )


def registered_basins() -> list[Basin]:
    """Every registered (non-reference) basin of France, with its main town."""
    return list(
        Basin.objects.filter(is_reference=False)
        .select_related("main_town")
        .defer("geometry")
        .order_by("name", "pk")
    )


def diagnosed_basin_ids(basin_ids: Iterable[int]) -> set[int]:
    """The basins among `basin_ids` with at least one finished diagnostic, or an atlas entry: a
    reference basin made of the same communes as another (a bassin BMO equal to a zone
    d'emploi) reuses that basin's run, so its figures are in its atlas entry only."""
    ids = list(basin_ids)
    done = DiagnosticRun.objects.filter(basin_id__in=ids, status=DiagnosticRun.Status.DONE)
    atlas = AtlasEntry.objects.filter(basin_id__in=ids)
    return set(done.values_list("basin_id", flat=True)) | set(
        atlas.values_list("basin_id", flat=True)
    )


def atlas_figures(basin_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """basin id → its atlas figures (`diagnostics.analytics.atlas.atlas_values` of its latest
    diagnostic in a national batch) and the run's id under « run_id »: a few numbers per basin,
    never the runs' whole documents."""
    rows = AtlasEntry.objects.filter(basin_id__in=list(basin_ids)).values_list(
        "basin_id", "run_id", "figures"
    )
    return {basin_id: {**(figures or {}), "run_id": run_id} for basin_id, run_id, figures in rows}


def latest_recommendations(basin_ids: Iterable[int]) -> dict[int, Recommendation]:
    """The latest recorded recommendation of each basin (none is computed here)."""
    out: dict[int, Recommendation] = {}
    rows = (
        Recommendation.objects.filter(basin_id__in=list(basin_ids))
        .only("id", "basin_id", "concept", "label", "robustness", "document", "created_at")
        .order_by("basin_id", "-created_at", "-id")
    )
    for reco in rows:
        out.setdefault(reco.basin_id, reco)
    return out


def region_names() -> dict[str, str]:
    return dict(Region.objects.values_list("code", "name"))


def basin_outlines(basin_ids: Iterable[int]) -> dict[int, Any]:
    """basin id → its stored outline (GeoJSON, WGS84), for the map."""
    return dict(
        Basin.objects.filter(pk__in=list(basin_ids), geometry__isnull=False).values_list(
            "pk", "geometry"
        )
    )


def basin_stamps(basin_ids: Iterable[int]) -> dict[int, str]:
    """basin id → when it was last updated (ISO text): whether a kept outline is still good."""
    rows = Basin.objects.filter(pk__in=list(basin_ids)).values_list("pk", "updated_at")
    return {pk: stamp.isoformat() if stamp else "" for pk, stamp in rows}
