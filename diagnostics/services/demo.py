"""The demo: a territory, one account per role, a few basins and (synthetic mode) their labour-market
facts and diagnostics, built idempotently. The Cnam sites, the catalogue and everything of the
implantations app (assets, recommendations, business model, project) are added by
`implantations.services.demo`, which builds on this one.

Without open data, the territory is the synthetic one of `diagnostics.analytics.synthetic`
(stored through `territories_store`, like any other source); with `open_data_dir`, the real
territories and every real dataset are loaded (`open_data.open_data_load`) and the demo basins
are built on real zones (Chaumont, Vitré). Running it again reuses what exists: accounts are reset to their demo role,
regions and password (the API client's named token is kept: shown once, stored hashed), existing basins (same name in the same region)
and shares are left as they are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from diagnostics.analytics.geometry import haversine_km
from diagnostics.analytics.synthetic import (
    BasinSpec,
    SyntheticTerritory,
    demo_basin_specs,
    synthetic_territory,
)
from diagnostics.analytics.synthetic_files import demo_file_names
from diagnostics.errors import ApplicationError
from diagnostics.models import (
    Basin,
    BasinShare,
    Commune,
    Epci,
    GeometryStatus,
    ImportBatch,
    Region,
    Role,
    TerritoryLoad,
    User,
)
from diagnostics.services.accounts import user_apply_role_flags, user_create
from diagnostics.services.basins import basin_create, basin_refresh
from diagnostics.services.demo_facts import demo_facts_files, demo_facts_import
from diagnostics.services.territories import territories_store

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "territoires-demo-2026"
SYNTHETIC_SOURCE = "démo synthétique"
SYNTHETIC_REGION = "99"
SYNTHETIC_OTHER_REGION = "98"
REAL_REGIONS = ("44", "53")  # Grand Est (Chaumont), Bretagne (Vitré)


@dataclass(frozen=True)
class DemoAccountSpec:
    username: str
    role: Role
    first_name: str
    last_name: str
    organisation: str


DEMO_ACCOUNTS = (
    DemoAccountSpec(
        "demo-admin", Role.NATIONAL_ADMIN, "Nadia", "Admin", "Cnam — direction nationale"
    ),
    DemoAccountSpec(
        "demo-delegue", Role.REGIONAL_DELEGATE, "Denis", "Délégué", "Cnam — centre régional"
    ),
    DemoAccountSpec(
        "demo-catalogue", Role.CATALOGUE_ADMIN, "Camille", "Catalogue", "Cnam — offre de formation"
    ),
    DemoAccountSpec("demo-mairie", Role.MAYOR_VIEWER, "Marie", "Maire", "Mairie (démo)"),
    DemoAccountSpec("demo-api", Role.API_CLIENT, "", "", "Observatoire régional (démo)"),
)


class DemoError(ApplicationError):
    code = "demo_error"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    role_label: str
    regions: list[str]
    created: bool


@dataclass(frozen=True)
class DemoBasin:
    name: str
    region_code: str
    source_kind: str
    population: int
    eligible_population: bool | None
    created: bool
    shared_with: list[str] = field(default_factory=list)


@dataclass
class DemoReport:
    """What `demo_build` did, for the command to print."""

    mode: str  # "synthetic" or "real"
    password: str = DEMO_PASSWORD
    accounts: list[DemoAccount] = field(default_factory=list)
    api_token: str = ""
    basins: list[DemoBasin] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    territory_messages: list[str] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)
    diagnostics: int = 0
    fact_files: list[str] = field(default_factory=list)
    # The synthetic territory built (None with real data), for the steps of the other apps.
    territory: SyntheticTerritory | None = field(default=None, repr=False)

    @property
    def total_seconds(self) -> float:
        return sum(seconds for _, seconds in self.timings)


# --- Accounts ---------------------------------------------------------------------------------
def _demo_password_hash() -> str:
    """One hash of the demo password for all demo accounts: hashing is deliberately slow (about
    half a second each), and the accounts share the published password anyway. The hash already
    stored is reused when it still matches, so a re-run hashes once at most."""
    stored = (
        User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
        .order_by("username")
        .values_list("password", flat=True)
    )
    for encoded in dict.fromkeys(stored):
        if encoded and check_password(DEMO_PASSWORD, encoded):
            return encoded
    return make_password(DEMO_PASSWORD)


DEMO_TOKEN_NAME = "Tableau de bord de l'observatoire"


def _demo_token_ensure(user: User) -> str:
    """demo-api's named, scoped token: created once (its secret returned, for the command to
    print), then kept; a revoked or expired one is replaced."""
    from diagnostics.models import ApiToken, Scope
    from diagnostics.services.tokens import api_token_create

    active = [t for t in ApiToken.objects.filter(user=user, name=DEMO_TOKEN_NAME) if t.is_active]
    if active:
        return ""
    ApiToken.objects.filter(user=user, name=DEMO_TOKEN_NAME, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return api_token_create(
        user=user,
        name=DEMO_TOKEN_NAME,
        scopes=[Scope.INDICATORS_READ],
        expires_in_days=365,
    ).key


def _accounts_ensure(*, regions: list[str]) -> tuple[list[DemoAccount], str]:
    """The five demo accounts, created with `user_create` or reset to their demo role, regions
    and password. Returns them and the API client's new token (« "" » when its active named
    token already exists: the secret is shown once, at creation, and stored hashed)."""
    accounts: list[DemoAccount] = []
    token = ""
    encoded = _demo_password_hash()
    for spec in DEMO_ACCOUNTS:
        followed = regions if spec.role in (Role.REGIONAL_DELEGATE, Role.API_CLIENT) else []
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        with transaction.atomic():
            if user is None:
                user = user_create(
                    username=spec.username,
                    role=spec.role,
                    regions=followed,
                    password=None,  # set below from the shared hash, once validated
                    first_name=spec.first_name,
                    last_name=spec.last_name,
                    organisation=spec.organisation,
                    email=f"{spec.username}@territoires.invalid",
                )
            else:
                user.role = spec.role
                user.is_active = True
                user_apply_role_flags(user)
                user.regions.set(Region.objects.filter(code__in=followed))
            validate_password(DEMO_PASSWORD, user)
            user.password = encoded
            user.save()
        if spec.role == Role.API_CLIENT:
            token = _demo_token_ensure(user)
        accounts.append(
            DemoAccount(
                username=spec.username,
                role=str(spec.role),
                role_label=str(spec.role.label),
                regions=sorted(followed),
                created=created,
            )
        )
    return accounts, token


def _audit_examples_ensure() -> None:
    """A few plausible entries in the security audit log (once): the delegate's logins and a
    password-spraying attempt from a documentation address (RFC 5737), locked out."""
    from diagnostics.models import AuditAction, AuditEvent
    from diagnostics.services.audit import audit_record

    if AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists():
        return
    delegate = User.objects.get(username="demo-delegue")
    admin = User.objects.get(username="demo-admin")
    audit_record(action=AuditAction.LOGIN, actor=admin, ip_address="192.0.2.10")
    audit_record(action=AuditAction.LOGIN, actor=delegate, ip_address="192.0.2.24")
    for name in ("admin", "direction", "demo-delegue", "contact", "mairie"):
        audit_record(action=AuditAction.LOGIN_FAILED, username=name, ip_address="203.0.113.66")
    audit_record(action=AuditAction.LOCKOUT, username="mairie", ip_address="203.0.113.66")
    audit_record(action=AuditAction.LOGOUT, actor=delegate, ip_address="192.0.2.24")


# --- Basins -----------------------------------------------------------------------------------
def _basin_existing(name: str, region_code: str) -> Basin | None:
    wanted = name.casefold()
    for basin in Basin.objects.filter(region_id=region_code):
        if basin.name.casefold() == wanted:
            return basin
    return None


def _basins_ensure(specs: list[BasinSpec], *, share_first: bool) -> list[DemoBasin]:
    """Register each basin with `basin_create` unless one of that name exists in its region; the
    delegate creates those of their regions, the national admin the others. The first basin is
    shared with the mayor's-office account."""
    delegate = User.objects.get(username="demo-delegue")
    admin = User.objects.get(username="demo-admin")
    mayor = User.objects.get(username="demo-mairie")
    followed = set(delegate.regions.values_list("code", flat=True))
    result: list[DemoBasin] = []
    for index, spec in enumerate(specs):
        basin = _basin_existing(spec.name, spec.region_code)
        created = basin is None
        if basin is None:
            author = delegate if spec.region_code in followed else admin
            basin = basin_create(
                name=spec.name,
                source_kind=spec.source_kind,  # type: ignore[arg-type]
                source_codes=spec.source_codes,
                main_town_code=spec.main_town_code,
                created_by=author,
            )
            basin.refresh_from_db()
            if basin.geometry_status == GeometryStatus.PENDING:
                # No eager task ran the refresh (a broker is configured, or we are inside a
                # transaction): compute the geometry now so that the demo pages have their maps.
                basin = basin_refresh(basin_id=basin.pk)
        shared: list[str] = []
        if share_first and index == 0:
            BasinShare.objects.get_or_create(
                basin=basin, user=mayor, defaults={"shared_by": delegate}
            )
            shared.append(mayor.username)
        basin.refresh_from_db()
        result.append(
            DemoBasin(
                name=basin.name,
                region_code=basin.region_id,
                source_kind=basin.source_kind,
                population=basin.population,
                eligible_population=basin.eligible_population,
                created=created,
                shared_with=shared,
            )
        )
    return result


def _real_basin_specs() -> list[BasinSpec]:
    """Basins on real zones: Chaumont (ZE 4404, bassin BMO 4418) and Vitré (ZE 5319, its EPCI,
    and Vitré with its nearest communes). Those whose zone or town is not loaded are left out."""
    towns = Commune.objects.in_bulk(["52121", "35360"])
    specs: list[BasinSpec] = []

    def add(name: str, kind: str, codes: list[str], town_code: str) -> None:
        town = towns.get(town_code)
        if town is None or town.region_id is None:
            return
        specs.append(BasinSpec(name, kind, codes, town_code, town.region_id, 0))

    if Commune.objects.filter(zone_emploi_id="4404").exists():
        add("Bassin de Chaumont", "zone_emploi", ["4404"], "52121")
    if Commune.objects.filter(zone_emploi_id="5319").exists():
        add("Bassin de Vitré", "zone_emploi", ["5319"], "35360")
    if Commune.objects.filter(bassin_bmo_id="4418").exists():
        add("Bassin BMO de Chaumont", "bassin_bmo", ["4418"], "52121")
    vitre = towns.get("35360")
    if vitre is not None and vitre.epci_id:
        epci = Epci.objects.get(pk=vitre.epci_id)
        add(f"Intercommunalité — {epci.name}", "epci", [epci.code], "35360")
    if vitre is not None and vitre.latitude is not None and vitre.longitude is not None:
        lat, lon = vitre.latitude, vitre.longitude
        nearby = Commune.objects.filter(
            departement_id=vitre.departement_id,
            latitude__range=(lat - 0.2, lat + 0.2),
            longitude__range=(lon - 0.3, lon + 0.3),
        ).values_list("code", "latitude", "longitude")
        distances = sorted(
            (haversine_km(lat, lon, la, lo), code)
            for code, la, lo in nearby
            if la is not None and lo is not None
        )
        codes = sorted(code for _, code in distances[:12])
        add("Vitré et communes voisines", "communes", codes, "35360")
    return specs


# --- Entry point ------------------------------------------------------------------------------
@contextmanager
def _timed(report: DemoReport, step: str, log: Callable[[str], None]) -> Iterator[None]:
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    report.timings.append((step, seconds))
    log(f"{step} : {seconds:.2f} s")


def demo_build(
    *,
    open_data_dir: Path | None = None,
    reload_territories: bool = False,
    log: Callable[[str], None] | None = None,
) -> DemoReport:
    """Build (or bring back) the demo. Without `open_data_dir`: the synthetic territory; with it,
    the real territories (loaded unless already there, or always with `reload_territories`).

    Raises DemoError when the territories needed by the demo are missing after loading.
    """
    say = log or (lambda message: logger.info(message))
    report = DemoReport(mode="real" if open_data_dir else "synthetic")
    with _timed(report, "territoires", say):
        if open_data_dir is None:
            territory = synthetic_territory()
            report.territory = territory
            loads = territories_store(frames=territory.frames, source=SYNTHETIC_SOURCE, log=say)
            refused = [t for t in loads if t.status != TerritoryLoad.Status.DONE]
            if refused:  # a bug in the generator: say which dataset and why
                raise DemoError(
                    "Territoire synthétique refusé : "
                    + " ; ".join(f"{t.dataset} : {t.message}" for t in refused)
                )
        else:
            # Every real dataset (territories, BMO, unemployment, job seekers, tensions, lycées)
            # through the one loader, which skips the files already loaded.
            from diagnostics.services.open_data import open_data_real_demo_load

            report.territory_messages = open_data_real_demo_load(
                source_dir=open_data_dir, reload_territories=reload_territories, log=say
            )

    regions = [SYNTHETIC_REGION] if open_data_dir is None else list(REAL_REGIONS)
    missing = sorted(
        set(regions) - set(Region.objects.filter(code__in=regions).values_list("code", flat=True))
    )
    if missing:
        raise DemoError(
            f"Démo impossible : région(s) {', '.join(missing)} absente(s) après le chargement "
            "des territoires. Vérifiez le dossier de données (OPEN_DATA_DIR)."
        )

    with _timed(report, "comptes", say):
        report.accounts, report.api_token = _accounts_ensure(regions=regions)
        _audit_examples_ensure()

    with _timed(report, "bassins", say):
        if open_data_dir is None:
            basin_specs = demo_basin_specs(
                territory.frames,
                region_code=SYNTHETIC_REGION,
                other_region_code=SYNTHETIC_OTHER_REGION,
            )
        else:
            basin_specs = _real_basin_specs()
        report.basins = _basins_ensure(basin_specs, share_first=True)

    if open_data_dir is None:
        with _timed(report, "données du marché du travail (fictives)", say):
            _facts_and_first_runs(territory, report=report, log=say)

    with _timed(report, "diagnostics", say):
        report.diagnostics = _diagnostics_compute()
    if open_data_dir is None:
        # The national atlas filled: every zone d'emploi of the demo territory diagnosed as one
        # batch (with real data, `manage.py diagnostic_run --all ze` does it: minutes, not here).
        with _timed(report, "lot national (zones d'emploi)", say):
            from diagnostics.services.national import national_batch_run_sync

            outcome = national_batch_run_sync(zoning="zone_emploi")
            say(outcome.message)
    return report


def _facts_and_first_runs(
    territory: SyntheticTerritory, *, report: DemoReport, log: Callable[[str], None]
) -> None:
    """Import the generated files; before the last BMO campaign, compute the first basin's
    diagnostic once, so that it has two finished runs (before and after the 2025 campaign) for
    the comparison page. On a later demo run everything is already there: nothing happens."""
    names = demo_file_names()
    done = set(
        ImportBatch.objects.filter(file_name__in=names, status=ImportBatch.Status.DONE).values_list(
            "file_name", flat=True
        )
    )
    if done == set(names):  # a later run: skip generating the files (several seconds)
        report.fact_files = names
        log("données fictives de démonstration déjà importées")
        return
    files = demo_facts_files(territory)
    admin = User.objects.get(username="demo-admin")
    *earlier, last = files
    facts = demo_facts_import(earlier, user=admin, log=log)
    first = Basin.objects.filter(name=report.basins[0].name).order_by("pk").first()
    if first is not None and not first.diagnostic_runs.exists():
        _diagnostics_compute(basin_ids=[first.pk])
    last_report = demo_facts_import([last], user=admin, log=log)
    report.fact_files = facts.imported + facts.already + last_report.imported + last_report.already


def _diagnostics_compute(basin_ids: list[int] | None = None) -> int:
    """Compute (or find) the diagnostic of every demo basin (or of `basin_ids`), in-process, so
    that `make run` serves reports at once. A run for the same data already done is reused."""
    from diagnostics.models import DiagnosticRun
    from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request

    done = 0
    if basin_ids is None:
        basin_ids = list(
            Basin.objects.filter(is_reference=False).order_by("pk").values_list("pk", flat=True)
        )
    for basin_id in basin_ids:
        run = diagnostic_request(basin_id=basin_id, enqueue=False)
        if run.status == DiagnosticRun.Status.PENDING:
            run = diagnostic_execute(run_id=run.pk)
        done += run.status == DiagnosticRun.Status.DONE
    return done


def _real_territories_present() -> bool:
    """Whether the real territories look loaded: Chaumont and Vitré with their zones."""
    return (
        Commune.objects.filter(code="52121", zone_emploi_id="4404").exists()
        and Commune.objects.filter(code="35360", zone_emploi_id="5319").exists()
    )
