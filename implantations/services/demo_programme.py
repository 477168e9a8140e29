"""The programme part of the demo (issue 18), after the basins, recommendations and first project
of `implantations.services.demo`: the programme's targets, a project at every stage across the
two synthetic regions, two more basins diagnosed without recommendation (the pipeline's first
stage), and typed partners with their contacts (fictitious people, e-mails at example.org).

- first basin: its project is open (built by `demo`);
- second basin: a project with its convention signed;
- third basin: a project at the study stage, with the Mission locale as a typed partner;
- fourth basin: recommended, no project yet;
- fifth basin (other region): a site self-financed since 2026 (started as a pilot in 2022);
- two zones d'emploi, one per region, diagnosed only.

Idempotent: everything is found by name (projects, basins, partners) or by scope (targets).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Sum

from diagnostics.models import Basin, Commune, DiagnosticRun, Organisation, User
from diagnostics.services.basin_refresh import basin_refresh
from diagnostics.services.basins import basin_create
from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
from diagnostics.services.partners import ContactInput, OrganisationInput, organisation_save
from implantations.models import ImplantationProject, ProgrammeTarget, Recommendation
from implantations.services.programme import (
    TargetInput,
    programme_target_save,
    programme_targets_default,
)
from implantations.services.project_partners import project_partners_replace
from implantations.services.projects import project_create, project_status_change

logger = logging.getLogger(__name__)

PROGRAMME_START = 2024
DEMO_SUFFIX = "(démo)"


@dataclass
class DemoProgrammeReport:
    targets: int = 0
    projects: list[str] = field(default_factory=list)
    basins: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)


# --- Targets ----------------------------------------------------------------------------------
# (region, concept, [(planned, open) for 2024, 2025, 2026]): the demo's two regions carry a
# share of the national target; the concepts split it.
REGION_TARGETS = (
    ("99", "", ((2, 1), (4, 2), (5, 3))),
    ("98", "", ((1, 1), (2, 1), (3, 2))),
)
CONCEPT_TARGETS = (
    ("turnkey", ((14, 10), (28, 22), (35, 35))),
    ("fab_id", ((16, 12), (32, 26), (40, 40))),
    ("progressive", ((10, 8), (20, 17), (25, 25))),
)


def _targets_ensure(admin: User) -> int:
    if ProgrammeTarget.objects.exists():
        return ProgrammeTarget.objects.count()
    with transaction.atomic():
        programme_targets_default(start_year=PROGRAMME_START, user=admin)
        for region, concept, values in REGION_TARGETS:
            for offset, (planned, opened) in enumerate(values):
                programme_target_save(
                    data=TargetInput(
                        year=PROGRAMME_START + offset, region=region, concept=concept,
                        sites_planned=planned, sites_open=opened, note="objectif de démonstration",
                    ),
                    user=admin,
                )  # fmt: skip
        for concept, values in CONCEPT_TARGETS:
            for offset, (planned, opened) in enumerate(values):
                programme_target_save(
                    data=TargetInput(
                        year=PROGRAMME_START + offset, concept=concept, sites_planned=planned,
                        sites_open=opened, note="répartition de démonstration",
                    ),
                    user=admin,
                )  # fmt: skip
        # One change after the fact, so that the history shows an old → new value.
        programme_target_save(
            data=TargetInput(
                year=PROGRAMME_START + 1, region="99", sites_planned=4, sites_open=3,
                note="objectif relevé après le comité de pilotage (démo)",
            ),
            user=admin,
        )  # fmt: skip
    return ProgrammeTarget.objects.count()


# --- Projects at each stage -------------------------------------------------------------------
@dataclass(frozen=True)
class _ProjectSpec:
    basin_index: int
    name: str
    start_year: int
    steps: tuple[tuple[str, dt.date], ...]  # status reached → date
    study_started_on: dt.date


PROJECT_SPECS = (
    _ProjectSpec(1, f"Antenne progressive {DEMO_SUFFIX}", 2025,
                 (("convention", dt.date(2025, 11, 14)),), dt.date(2025, 3, 10)),
    _ProjectSpec(2, f"Fab ID — fabrique d'insertion {DEMO_SUFFIX}", 2026, (),
                 dt.date(2026, 2, 2)),
    _ProjectSpec(4, f"Site pilote auto-porté {DEMO_SUFFIX}", 2022,
                 (("convention", dt.date(2022, 4, 4)), ("ouverture", dt.date(2022, 9, 5)),
                  ("auto_portage", dt.date(2026, 1, 5))), dt.date(2022, 1, 10)),
)  # fmt: skip


def _projects_ensure(basins: list[Basin], users: dict[str, User]) -> list[str]:
    names = []
    for spec in PROJECT_SPECS:
        if spec.basin_index >= len(basins):
            continue
        basin = basins[spec.basin_index]
        names.append(spec.name)
        if ImplantationProject.objects.filter(basin=basin, name=spec.name).exists():
            continue
        user = users.get(basin.region_id) or users["admin"]
        recommendation = (
            Recommendation.objects.filter(basin=basin).order_by("-created_at", "-id").first()
        )
        with transaction.atomic():
            project = project_create(
                basin=basin,
                name=spec.name,
                concept=(recommendation.concept if recommendation else "") or "fab_id",
                start_year=spec.start_year,
                study_started_on=spec.study_started_on,
                user=user,
                recommendation=recommendation,
                epcis=list({c.epci for c in basin.communes.all() if c.epci}),
                notes="Projet fictif de démonstration.",
            )
            for status, when in spec.steps:
                project_status_change(
                    project=project, to_status=status, effective_on=when, user=user
                )
    return names


# --- Basins diagnosed only --------------------------------------------------------------------
def _free_zone(region: str, used: set[str]) -> tuple[str, str] | None:
    """(zone d'emploi code, main town code) of the region's most populated zone not registered
    as a basin yet."""
    zones = (
        Commune.objects.filter(region_id=region, zone_emploi__isnull=False)
        .values("zone_emploi_id")
        .annotate(total=Sum("population"))
        .order_by("-total", "zone_emploi_id")
    )
    for zone in zones:
        code = zone["zone_emploi_id"]
        if code in used:
            continue
        town = (
            Commune.objects.filter(zone_emploi_id=code)
            .order_by("-population", "code")
            .values_list("code", flat=True)
            .first()
        )
        if (
            town is not None
            and not Basin.objects.filter(main_town_id=town, is_reference=False).exists()
        ):
            return code, town
    return None


def _diagnosed_basins_ensure(users: dict[str, User]) -> list[str]:
    names = []
    for region in ("99", "98"):
        existing = Basin.objects.filter(
            region_id=region, is_reference=False, name__endswith="— en diagnostic (démo)"
        ).first()
        if existing is None:
            used = {
                str(code)
                for codes in Basin.objects.filter(is_reference=False).values_list(
                    "source_codes", flat=True
                )
                for code in codes or []
            }
            found = _free_zone(region, used)
            if found is None:
                continue
            zone, town = found
            town_name = Commune.objects.get(pk=town).name
            # The zone without its smallest commune: a whole zone has the same data as its
            # reference basin of the national batch, whose run it would share (the run belongs
            # to the reference basin, so this one would not count as diagnosed).
            codes = list(
                Commune.objects.filter(zone_emploi_id=zone)
                .order_by("-population", "code")
                .values_list("code", flat=True)
            )
            existing = basin_create(
                name=f"Bassin de {town_name} — en diagnostic (démo)",
                source_kind="communes",  # type: ignore[arg-type]
                source_codes=codes[:-1] if len(codes) > 2 else codes,
                main_town_code=town,
                created_by=users.get(region) or users["admin"],
            )
            existing.refresh_from_db()
            if existing.geometry_status == "pending":
                basin_refresh(basin_id=existing.pk)
        names.append(existing.name)
        if not DiagnosticRun.objects.filter(
            basin=existing, status=DiagnosticRun.Status.DONE
        ).exists():
            run = diagnostic_request(basin_id=existing.pk, enqueue=False)
            diagnostic_execute(run_id=run.pk, retriable=False)
    return names


# --- Typed partners ---------------------------------------------------------------------------
def _town(basins: list[Basin], index: int) -> Commune | None:
    return basins[index].main_town if index < len(basins) else None


def _partners_ensure(basins: list[Basin], admin: User) -> list[Organisation]:
    """Typed partners with contacts. The lycée sits in the first basin (already turnkey), the
    Mission locale and the tiers-lieu in the third (already Fab ID): the recommendations of the
    demo basins keep their concepts."""
    first, third = _town(basins, 0), _town(basins, 2)
    other = _town(basins, 4)
    specs: list[tuple[str, str, str, Commune | None, list[ContactInput]]] = []
    if first is not None:
        specs += [
            (f"Lycée professionnel Jean-Monnet de {first.name}", "lycee", "99", first,
             [ContactInput("Hélène Marchal", "proviseure adjointe", "h.marchal@example.org",
                           "03 25 00 00 01")]),
            (f"Agence France Travail de {first.name}", "france_travail", "99", first,
             [ContactInput("Karim Benali", "directeur d'agence", "k.benali@example.org")]),
        ]  # fmt: skip
    if third is not None:
        specs += [
            (f"Mission locale de {third.name}", "mission_locale", "99", third,
             [ContactInput("Sophie Lefort", "directrice", "s.lefort@example.org", "03 25 00 00 02"),
              ContactInput("Thomas Girard", "conseiller insertion", "t.girard@example.org")]),
            (f"Tiers-lieu La Fabrique de {third.name}", "tiers_lieu", "99", third,
             [ContactInput("Inès Roussel", "coordinatrice", "i.roussel@example.org")]),
            (f"PLIE du pays de {third.name}", "plie", "99", third,
             [ContactInput("Marc Dubreuil", "chargé de mission", "m.dubreuil@example.org")]),
        ]  # fmt: skip
    specs += [
        ("Région Val-d'Arbelle — direction de la formation", "region", "99", None,
         [ContactInput("Claire Vasseur", "cheffe du service formation continue",
                       "c.vasseur@example.org", "03 25 00 00 03")]),
        ("Département de l'Arbelle — insertion", "departement", "99", None,
         [ContactInput("Paul Mercier", "responsable des conventions d'insertion",
                       "p.mercier@example.org")]),
        ("OPCO Entreprises de proximité", "opco", "", None,
         [ContactInput("Nadia Cherif", "conseillère territoriale", "n.cherif@example.org")]),
        ("La Poste — réseau des bureaux", "la_poste", "", None,
         [ContactInput("Julien Perrot", "délégué au développement territorial",
                       "j.perrot@example.org")]),
    ]  # fmt: skip
    if other is not None:
        specs.append(
            (f"CCI de {other.name}", "chambre_consulaire", "98", other,
             [ContactInput("Anne Roche", "chargée de l'emploi-formation", "a.roche@example.org")])
        )  # fmt: skip
    out = []
    for name, kind, region, commune, contacts in specs:
        existing = Organisation.objects.filter(name=name, kind=kind).first()
        if existing is not None and existing.contacts.exists():
            out.append(existing)
            continue
        out.append(
            organisation_save(
                data=OrganisationInput(
                    name=name,
                    kind=kind,
                    region=region,
                    commune_code=commune.code if commune else "",
                    notes="Partenaire fictif de démonstration.",
                    contacts=contacts,
                ),
                user=admin,
                organisation=existing,
            )
        )
    return out


def _project_partners_link(basins: list[Basin], partners: list[Organisation], user: User) -> None:
    """The Fab ID project of the third basin names its Mission locale and tiers-lieu."""
    if len(basins) < 3:
        return
    project = ImplantationProject.objects.filter(
        basin=basins[2], name=PROJECT_SPECS[1].name
    ).first()
    if project is None or project.partners.filter(organisation__isnull=False).exists():
        return
    rows = [
        {"organisation": str(o.pk), "commitment": commitment}
        for o in partners
        for kind, commitment in (
            ("mission_locale", "orientation des jeunes, SAS d'orientation partagé"),
            ("tiers_lieu", "salle équipée prêtée trois jours par semaine"),
        )
        if o.kind == kind and o.commune_id == (basins[2].main_town_id)
    ]
    project_partners_replace(project=project, partners=rows, user=user)


# --- Entry points -----------------------------------------------------------------------------
def demo_partners_ensure(basins: list[Basin]) -> list[Organisation]:
    """The typed partners and their contacts (before the recommendations, which count them)."""
    return _partners_ensure(basins, User.objects.get(username="demo-admin"))


def demo_programme_build(
    basins: list[Basin], *, log: Callable[[str], None] | None = None
) -> DemoProgrammeReport:
    """`basins`: the synthetic demo basins in the order of `demo_basin_specs` (see the module
    docstring)."""
    say = log or (lambda message: logger.info(message))
    admin = User.objects.get(username="demo-admin")
    delegate = User.objects.get(username="demo-delegue")
    users = dict.fromkeys(delegate.regions.values_list("code", flat=True), delegate)
    users["admin"] = admin
    report = DemoProgrammeReport()
    report.targets = _targets_ensure(admin)
    report.projects = _projects_ensure(basins, users)
    report.basins = _diagnosed_basins_ensure(users)
    partners = demo_partners_ensure(basins)
    report.partners = [p.name for p in partners]
    _project_partners_link(
        basins, partners, users.get(basins[2].region_id, admin) if len(basins) > 2 else admin
    )
    say(
        f"programme : {report.targets} objectifs, {len(report.projects)} projets de plus, "
        f"{len(report.basins)} bassins en diagnostic, {len(report.partners)} partenaires"
    )
    return report
