"""Reads of the implantation projects: the lists a user may see or manage, a project with its
relations, its status history and its learners per year."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db.models import QuerySet

from diagnostics.models import (
    Basin,
    User,
)
from diagnostics.selectors.access import basin_list_for, basin_manageable_for
from implantations.models import ImplantationProject


# --- Projects ------------------------------------------------------------------------------------
def project_list_for(user: User) -> QuerySet[ImplantationProject]:
    """Projects whose basin the user may read."""
    return ImplantationProject.objects.filter(basin__in=basin_list_for(user)).select_related(
        "basin", "basin__region"
    )


def project_manageable_for(user: User) -> QuerySet[ImplantationProject]:
    """Projects whose basin the user may manage (national admins, the region's delegates)."""
    return ImplantationProject.objects.filter(basin__in=basin_manageable_for(user)).select_related(
        "basin", "basin__region"
    )


def project_detail(project: ImplantationProject) -> ImplantationProject:
    return (
        ImplantationProject.objects.select_related("basin", "basin__region", "created_by")
        .prefetch_related(
            "years",
            "partners__organisation__contacts",
            "governance_members",
            "governance_epcis",
        )
        .get(pk=project.pk)
    )


def project_status_history(project: ImplantationProject) -> list[Any]:
    return list(project.status_changes.select_related("changed_by").order_by("changed_at", "id"))


def project_years_frame(project: ImplantationProject) -> pd.DataFrame:
    """year, calendar_year, planned, actual (NA while unknown), sorted by year."""
    rows = project.years.order_by("year").values_list("year", "planned_learners", "actual_learners")
    frame = pd.DataFrame.from_records(list(rows), columns=["year", "planned", "actual"])
    frame["calendar_year"] = frame["year"] + project.start_year
    frame["planned"] = frame["planned"].astype("Int64")
    frame["actual"] = frame["actual"].astype("Int64")
    return frame[["year", "calendar_year", "planned", "actual"]]


def basin_epcis(basin: Basin) -> QuerySet[Any]:
    from diagnostics.models import Epci

    return Epci.objects.filter(communes__basins=basin).distinct().order_by("name")
