"""The demo: a territory, Cnam sites, one account per role and a few basins, built idempotently.

Without open data, the territory is the synthetic one of `diagnostics.analytics.synthetic`
(stored through `territories_store`, like any other source); with `open_data_dir`, the real
territories and every real dataset are loaded (`open_data.open_data_load`) and the demo basins
are built on real zones (Chaumont, Vitré). Running it again reuses what exists: accounts are reset to their demo role,
regions and password (their API token is kept), existing basins (same name in the same region)
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
from rest_framework.authtoken.models import Token

from diagnostics.analytics import columns as c
from diagnostics.analytics.geometry import haversine_km
from diagnostics.analytics.synthetic import (
    BasinSpec,
    SyntheticTerritory,
    demo_basin_specs,
    synthetic_territory,
)
from diagnostics.demo_steps import demo_steps
from diagnostics.errors import ApplicationError
from diagnostics.models import (
    Basin,
    BasinShare,
    CnamSite,
    Commune,
    Epci,
    GeometryStatus,
    ProgrammeSettings,
    Region,
    Role,
    TerritoryLoad,
    User,
)
from diagnostics.services.accounts import user_apply_role_flags, user_create
from diagnostics.services.basins import basin_create, basin_refresh
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

    @property
    def total_seconds(self) -> float:
        return sum(seconds for _, seconds in self.timings)


# --- Cnam sites -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _SiteSpec:
    name: str
    kind: str
    commune_code: str | None
    latitude: float
    longitude: float


# Real Cnam sites whose town is certain; coordinates are those of the commune (or the street).
REAL_SITES = (
    _SiteSpec(
        "Cnam Grand Est — Nancy (démo)", CnamSite.Kind.REGIONAL_CENTRE, "54395", 48.6901, 6.1753
    ),
    _SiteSpec(
        "Cnam Bretagne — Ploufragan (démo)",
        CnamSite.Kind.REGIONAL_CENTRE,
        "22215",
        48.4873,
        -2.8081,
    ),
    _SiteSpec(
        "Cnam Paris — 3 rue Conté (démo)", CnamSite.Kind.REGIONAL_CENTRE, "75056", 48.8666, 2.3556
    ),
)
SYNTHETIC_SITE_SUFFIX = "(démo synthétique)"


def _synthetic_site_specs(territory: SyntheticTerritory) -> list[_SiteSpec]:
    """A regional centre in the capital of each synthetic region, at the commune's centre."""
    frame = territory.frames["communes"]
    centres = {
        code: (name, lat, lon)
        for code, name, lat, lon in zip(
            frame[c.CODE], frame[c.NAME], frame[c.LATITUDE], frame[c.LONGITUDE], strict=True
        )
    }
    specs = []
    for code, label in (
        (territory.main_city_code, "Cnam Val-d'Arbelle"),
        (territory.second_city_code, "Cnam Marches du Brandois"),
    ):
        name, lat, lon = centres[code]
        specs.append(
            _SiteSpec(
                f"{label} — {name} {SYNTHETIC_SITE_SUFFIX}",
                CnamSite.Kind.REGIONAL_CENTRE,
                code,
                float(lat),
                float(lon),
            )
        )
    return specs


def _sites_ensure(specs: list[_SiteSpec], *, remove_synthetic: bool) -> list[str]:
    """Create or update the demo sites by name. In real-data mode the synthetic ones are
    removed: they would otherwise be the nearest site of real basins in the centre of France."""
    communes = Commune.objects.in_bulk([s.commune_code for s in specs if s.commune_code])
    with transaction.atomic():
        if remove_synthetic:
            CnamSite.objects.filter(name__endswith=SYNTHETIC_SITE_SUFFIX).delete()
        for spec in specs:
            CnamSite.objects.update_or_create(
                name=spec.name,
                defaults={
                    "kind": spec.kind,
                    "commune": communes.get(spec.commune_code) if spec.commune_code else None,
                    "latitude": spec.latitude,
                    "longitude": spec.longitude,
                    "active": True,
                },
            )
    return [spec.name for spec in specs]


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


def _accounts_ensure(*, regions: list[str]) -> tuple[list[DemoAccount], str]:
    """The five demo accounts, created with `user_create` or reset to their demo role, regions
    and password. Returns them and the API client's token (kept across runs)."""
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
            token = Token.objects.get_or_create(user=user)[0].key
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

    with _timed(report, "sites Cnam", say):
        ProgrammeSettings.current()
        if open_data_dir is None:
            specs = _synthetic_site_specs(territory)
            report.sites = _sites_ensure(specs, remove_synthetic=False)
        else:
            report.sites = _sites_ensure(list(REAL_SITES), remove_synthetic=True)

    with _timed(report, "comptes", say):
        report.accounts, report.api_token = _accounts_ensure(regions=regions)

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

    # Steps of the apps built on this one (the catalogue), registered in their AppConfig.ready().
    for label, step in demo_steps():
        with _timed(report, label, say):
            step(say=say)

    with _timed(report, "diagnostics", say):
        report.diagnostics = _diagnostics_compute()
    return report


def _diagnostics_compute() -> int:
    """Compute (or find) the diagnostic of every demo basin, in-process, so that `make run`
    serves reports at once. A run for the same data already done is reused."""
    from diagnostics.models import Basin, DiagnosticRun
    from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request

    done = 0
    for basin_id in Basin.objects.order_by("pk").values_list("pk", flat=True):
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
