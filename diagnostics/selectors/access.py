"""Who may see what. Every view and API queryset goes through these functions, so that another
region's object is simply not found (404)."""

from django.db.models import QuerySet

from diagnostics.models import Basin, Region, User


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
