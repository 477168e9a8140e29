"""Reads for the implantations pages: ORM → frames with the columns of `implantations.analytics`."""

import pandas as pd

from diagnostics.models import User
from diagnostics.selectors.access import basin_list_for
from implantations.analytics import columns as col
from implantations.models import CnamSite, ProgrammeSettings


def cnam_site_list() -> list[CnamSite]:
    return list(CnamSite.objects.select_related("commune").order_by("-active", "name"))


def cnam_site_frame(sites: list[CnamSite]) -> pd.DataFrame:
    """SITE_COLUMNS: name, kind (label), commune, latitude, longitude, active."""
    return pd.DataFrame.from_records(
        [
            (
                site.name,
                site.get_kind_display(),
                site.commune.name if site.commune else "",
                site.latitude,
                site.longitude,
                site.active,
            )
            for site in sites
        ],
        columns=col.SITE_COLUMNS,
    )


def basin_main_town_frame(user: User) -> pd.DataFrame:
    """POINT_COLUMNS for the basins a user may read that have a located main town."""
    rows = (
        basin_list_for(user)
        .filter(main_town__latitude__isnull=False, main_town__longitude__isnull=False)
        .order_by("name")
        .values_list("name", "main_town__name", "main_town__latitude", "main_town__longitude")
    )
    return pd.DataFrame.from_records(
        [(name, f"ville principale : {town}", lat, lon) for name, town, lat, lon in rows],
        columns=col.POINT_COLUMNS,
    )


def programme_settings_current() -> ProgrammeSettings:
    return ProgrammeSettings.current()
