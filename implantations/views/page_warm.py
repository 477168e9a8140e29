"""The shared versions' cached report (`/partages/<id>/`), filled before anyone asks: the warmer
of `implantations` in PAGE_WARMERS (see `diagnostics.views.page_warm`)."""

from __future__ import annotations

from diagnostics.models import SharedVersion, User
from diagnostics.selectors import page_cache
from diagnostics.selectors.sharing import shared_version_list_for
from diagnostics.views.page_warm import reader_request, staff_readers
from implantations.views.sharing import version_context


def shared_versions_warm(*, run_id: int | None = None, references: bool = False) -> int:
    """The report of every shared version (of the run `run_id` only, when given) for each of its
    recipients and each kind of staff reader that may open it (`references` changes nothing:
    a version is always of a registered basin). Returns the fragments rendered."""
    versions = SharedVersion.objects.select_related("basin", "basin__region").order_by("pk")
    if run_id is not None:
        versions = versions.filter(run_id=run_id)
    staff = staff_readers()
    builds = page_cache.fragments_built()
    for version in versions:
        recipients = User.objects.filter(
            is_active=True, pk__in=version.grants.values("user_id")
        ).order_by("pk")
        for user in [*staff, *recipients]:
            if not shared_version_list_for(user).filter(pk=version.pk).exists():
                continue
            version_context(version, user, request=reader_request(user))
    return page_cache.fragments_built() - builds
