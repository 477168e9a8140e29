"""The shared versions' cached report (`/partages/<id>/`, and `/lien/<token>/` for a version
with a link that still opens), filled before anyone asks: the warmer of `implantations` in
PAGE_WARMERS (see `diagnostics.views.page_warm`)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from diagnostics.models import SharedVersion, User
from diagnostics.selectors import page_cache
from diagnostics.selectors.sharing import shared_version_list_for, version_has_open_link
from diagnostics.views.page_warm import reader_request, staff_readers
from implantations.views.share_link import link_report_context
from implantations.views.sharing import version_context


def shared_versions_warm(*, run_id: int | None = None, references: bool = False) -> int:
    """The report of every shared version (of the run `run_id` only, when given) for each of its
    recipients and each kind of staff reader that may open it, and for its links' readers when
    a link still opens (`references` changes nothing: a version is always of a registered
    basin). Returns the fragments rendered."""
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
        # Its page for the readers of its links, when one still opens (the first reader without
        # an account waited 0.9 s for the render).
        if version_has_open_link(version):
            anonymous = AnonymousUser()
            link_report_context(version, reader_request(anonymous))  # type: ignore[arg-type]
    return page_cache.fragments_built() - builds
