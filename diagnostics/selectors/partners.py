"""Reads of the typed partners (issue 18): the organisations a user may see or manage, with
filters, and the partners located in a basin (what the recommendation's constraints count).

National admins see and manage every organisation; a regional delegate sees those of their
regions and the national ones (no region), and manages those of their regions; the other roles
see none (their contacts are personal data)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from diagnostics.models import Basin, Organisation, User


def organisation_list_for(user: User) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_national_admin:
        return Organisation.objects.all()
    if user.is_regional_delegate:
        return Organisation.objects.filter(
            Q(region__in=user.regions.all()) | Q(region__isnull=True)
        )
    return Organisation.objects.none()


def organisation_manageable_for(user: User) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_national_admin:
        return Organisation.objects.all()
    if user.is_regional_delegate:
        return Organisation.objects.filter(region__in=user.regions.all())
    return Organisation.objects.none()


def organisation_filter(
    organisations: QuerySet[Organisation],
    *,
    kind: str = "",
    region: str = "",
    q: str = "",
    basin: Basin | None = None,
) -> QuerySet[Organisation]:
    """`region` "national" keeps the national partners; `basin` those located in its communes."""
    if kind:
        organisations = organisations.filter(kind=kind)
    if region == "national":
        organisations = organisations.filter(region__isnull=True)
    elif region:
        organisations = organisations.filter(region_id=region)
    if q:
        organisations = organisations.filter(
            Q(name__icontains=q) | Q(commune__name__icontains=q) | Q(contacts__name__icontains=q)
        ).distinct()
    if basin is not None:
        organisations = organisations.filter(commune__basins=basin)
    return (
        organisations.select_related("region", "commune")
        .prefetch_related("contacts")
        .annotate(members_count=Count("members", distinct=True))
        .order_by("kind", "name")
    )


def basin_organisations(basin: Basin, *, kinds: tuple[str, ...] = ()) -> list[Organisation]:
    """The partner organisations located in the basin (their commune is one of its communes)."""
    organisations = Organisation.objects.filter(commune__basins=basin)
    if kinds:
        organisations = organisations.filter(kind__in=kinds)
    return list(organisations.select_related("commune").distinct().order_by("kind", "name"))
