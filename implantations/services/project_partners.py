"""A project's partners (free rows or typed partners of the basin, issue 18) and the members of its
governance body: each list replaced whole, in one transaction, by a user who may manage the basin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction

from diagnostics.models import Organisation, User
from diagnostics.params import id_or_none
from implantations.models import GovernanceMember, ImplantationProject, ProjectPartner

from .projects import check_basin_manageable, project_field_error

# The project partner's kind of a typed partner (issue 18) when the row leaves it at « Autre ».
PARTNER_KIND_OF_ORGANISATION: dict[str, str] = {
    Organisation.Kind.MAIRIE: ProjectPartner.Kind.TOWN,
    Organisation.Kind.EPCI: ProjectPartner.Kind.EPCI,
    Organisation.Kind.REGION: ProjectPartner.Kind.REGION,
    Organisation.Kind.LYCEE: ProjectPartner.Kind.LYCEE,
    Organisation.Kind.MISSION_LOCALE: ProjectPartner.Kind.EMPLOYMENT,
    Organisation.Kind.FRANCE_TRAVAIL: ProjectPartner.Kind.EMPLOYMENT,
    Organisation.Kind.PLIE: ProjectPartner.Kind.EMPLOYMENT,
    Organisation.Kind.MAISON_EMPLOI: ProjectPartner.Kind.EMPLOYMENT,
    Organisation.Kind.CHAMBER: ProjectPartner.Kind.CHAMBER,
}


def project_partners_replace(
    *, project: ImplantationProject, partners: Sequence[Mapping[str, str]], user: User | None = None
) -> list[ProjectPartner]:
    """Replace the partners (name, kind, commitment, optional typed partner `organisation`:
    an id of `diagnostics.Organisation`, which gives the name when none is typed); rows
    without a name nor an organisation are ignored."""
    check_basin_manageable(user, project.basin)
    cleaned = []
    for i, row in enumerate(partners, start=1):
        name = (row.get("name") or "").strip()
        organisation = None
        raw = str(row.get("organisation") or "").strip()
        if raw:
            pk = id_or_none(raw)
            organisation = Organisation.objects.filter(pk=pk).first() if pk is not None else None
            if organisation is None:
                raise project_field_error(
                    f"Partenaire n° {i} : partenaire référencé inconnu ({raw}).",
                    "partners",
                    "bad_organisation",
                )
            name = name or organisation.name
        if not name:
            continue
        kind = row.get("kind") or ProjectPartner.Kind.OTHER
        if organisation is not None and kind == ProjectPartner.Kind.OTHER:
            kind = PARTNER_KIND_OF_ORGANISATION.get(organisation.kind, ProjectPartner.Kind.OTHER)
        if kind not in set(ProjectPartner.Kind):
            raise project_field_error(
                f"Partenaire n° {i} : type inconnu « {kind} ».", "partners", "bad_kind"
            )
        cleaned.append(
            ProjectPartner(
                project=project,
                name=name[:200],
                kind=kind,
                commitment=(row.get("commitment") or "").strip()[:300],
                organisation=organisation,
            )
        )
    with transaction.atomic():
        project.partners.all().delete()
        ProjectPartner.objects.bulk_create(cleaned)
    return list(project.partners.order_by("name"))


def project_members_replace(
    *, project: ImplantationProject, members: Sequence[Mapping[str, str]], user: User | None = None
) -> list[GovernanceMember]:
    """Replace the governance body's members (name, organisation, function)."""
    check_basin_manageable(user, project.basin)
    cleaned = [
        GovernanceMember(
            project=project,
            name=(row.get("name") or "").strip()[:200],
            organisation=(row.get("organisation") or "").strip()[:200],
            function=(row.get("function") or "").strip()[:200],
        )
        for row in members
        if (row.get("name") or "").strip()
    ]
    with transaction.atomic():
        project.governance_members.all().delete()
        GovernanceMember.objects.bulk_create(cleaned)
    return list(project.governance_members.order_by("name"))
