"""A small world for the shared diagnostic (issue 13), on top of `diagnostic_world`.

Région 44 « Grand Est »: basin « Bassin 4418 » (52001 Chaumont 10 000 + 52002 Brottes 6 000 =
16 000 inhabitants), its delegate `delegue-44`, BMO 2024 and 2025 imported (2025: 150
recruitment projects, see tests/factories/diagnostic_runs.py). Région 53 « Bretagne »: its
delegate `delegue-53`. Partner accounts: `mairie-chaumont` (Mairie de Chaumont, e-mail), the
Mission locale's `ml-chaumont`, and `mairie-ailleurs` with nothing shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from diagnostics.models import DiagnosticRun, Organisation, Role, User
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from tests.factories.basins import make_user
from tests.factories.diagnostic_runs import DiagnosticWorld, bmo_batch, diagnostic_world

# BMO 2026 of bassin 4418 for a newer run: 200 projects (150 in 2025).
BMO_2026 = [
    ("4418", "A1Z40", "Agriculteurs salariés", "A", 140, 90, 10),
    ("4418", "B1Z40", "Maçons", "B", 60, 20, 5),
    ("4419", "A1Z40", "Agriculteurs salariés", "A", 40, 10, 0),
]


@dataclass
class SharingWorld:
    base: DiagnosticWorld
    delegate: User
    other_delegate: User
    mayor: User
    partner: User
    other_mayor: User

    @property
    def basin(self) -> Any:
        return self.base.basin


def partner_user(
    username: str, *, organisation: tuple[str, str] | None = None, **extra: Any
) -> User:
    user = make_user(username, role=Role.MAYOR_VIEWER)
    if organisation:
        user.partner_organisation, _ = Organisation.objects.get_or_create(
            name=organisation[0], kind=organisation[1]
        )
    for key, value in extra.items():
        setattr(user, key, value)
    user.save()
    return user


def sharing_world() -> SharingWorld:
    base = diagnostic_world(sources=("bmo",))
    return SharingWorld(
        base=base,
        delegate=base.delegate,
        other_delegate=make_user(
            "delegue-53", role=Role.REGIONAL_DELEGATE, regions=[base.other_region]
        ),
        mayor=partner_user(
            "mairie-chaumont",
            organisation=("Mairie de Chaumont", Organisation.Kind.MAIRIE),
            email="mairie@chaumont.example",
            first_name="Claire",
            last_name="Maire",
        ),
        partner=partner_user(
            "ml-chaumont",
            organisation=("Mission locale du Bassin", Organisation.Kind.MISSION_LOCALE),
        ),
        other_mayor=partner_user("mairie-ailleurs"),
    )


def done_run(world: SharingWorld) -> DiagnosticRun:
    """The basin's run for the data in force, computed."""
    run = diagnostic_request(basin_id=world.basin.pk, user=world.delegate, enqueue=False)
    return diagnostic_execute(run_id=run.pk)


def newer_run(world: SharingWorld) -> DiagnosticRun:
    """A newer run after BMO 2026 is imported (200 projects instead of 150)."""
    bmo_batch(2026, BMO_2026)
    return done_run(world)


def share_run(run: DiagnosticRun, user: User, *, by: User | None = None) -> Any:
    """`run` shared with `user` as a version (frozen copies left empty, as a migrated share):
    the quick way for tests about what a mayor's office reads."""
    from diagnostics.models import BasinShare, SharedVersion, ShareRecipient

    version = SharedVersion.objects.filter(run=run).first() or SharedVersion.objects.create(
        basin_id=run.basin_id, run=run, shared_by=by
    )
    ShareRecipient.objects.get_or_create(version=version, user=user)
    BasinShare.objects.get_or_create(basin_id=run.basin_id, user=user, defaults={"shared_by": by})
    return version
