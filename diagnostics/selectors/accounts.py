"""Reads for the login and home pages."""

from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet

from diagnostics.models import Basin, Region, Role, User
from diagnostics.selectors.access import basin_list_for, region_list_for

DEMO_USERNAME_PREFIX = "demo-"


@dataclass(frozen=True)
class DemoAccounts:
    role: str
    role_label: str
    usernames: list[str]


def demo_account_list() -> list[DemoAccounts]:
    """The demo accounts (usernames starting with « demo- ») grouped by role, in role order."""
    by_role: dict[str, list[str]] = {}
    for username, role in (
        User.objects.filter(username__startswith=DEMO_USERNAME_PREFIX, is_active=True)
        .order_by("username")
        .values_list("username", "role")
    ):
        by_role.setdefault(role, []).append(username)
    return [
        DemoAccounts(role=role.value, role_label=role.label, usernames=by_role[role.value])
        for role in Role
        if role.value in by_role
    ]


def home_region_list_for(user: User) -> QuerySet[Region]:
    """The regions a user works on, each with `basins_count` (basins it owns) and
    `last_basin_at`. National admins get only the regions that have basins (there are 18)."""
    regions = region_list_for(user).annotate(
        basins_count=Count("basins", distinct=True), last_basin_at=Max("basins__created_at")
    )
    if user.is_national_admin:
        regions = regions.filter(basins_count__gt=0)
    return regions.order_by("name")


def home_recent_basin_list_for(user: User, *, limit: int = 5) -> QuerySet[Basin]:
    """The basins a user may read, latest registered first."""
    return (
        basin_list_for(user)
        .filter(is_reference=False)
        .select_related("region", "main_town")
        .defer("geometry")
        .order_by("-created_at", "-pk")[:limit]
    )


def home_shared_basin_list_for(user: User) -> QuerySet[Basin]:
    """For a mayor's office: the basins shared with them, with who shared them and when."""
    return (
        Basin.objects.filter(shares__user=user)
        .select_related("region", "main_town")
        .defer("geometry")
        .annotate(shared_at=Max("shares__created_at"))
        .order_by("name")
    )
