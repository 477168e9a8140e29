"""Role × URL × method matrix, generated from the URLconf.

Every named route of the project (walked recursively through the includes, `api/` and `admin/`
included) must have a rule in `RULES`: for GET and POST, the expected answer for each persona.
A new route without a rule fails `test_every_route_has_a_rule`, naming it; a rule whose route
is gone fails `test_every_rule_has_a_route` ("stale rule"). Each (route, method, persona) is then
one test case.

Personas: anonymous, national admin, regional delegate of the object's region, delegate of
another region, catalogue admin, mayor's office with the basin shared, mayor's office without,
API client. Object routes (`<int:pk>`…) get their arguments from the rule's `kwargs` builder,
which receives the `World` (a basin in region A, shared with one mayor). The world is built
once for the module and each route's objects once for its 16 cases, committed; every case runs
in its own rolled-back transaction (see the `world` and `route` fixtures).

Adding a route: add a `Rule` below. Expected values are status codes, or `Redirect("url-name")`
for a 302 to that page (e.g. `LOGIN`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from diagnostics.models import (
    Basin,
    BasinShare,
    BasinSource,
    Commune,
    Departement,
    DiagnosticRun,
    Region,
    Role,
    SharedVersion,
    User,
)
from diagnostics.services.accounts import user_create
from tests.db_state import database_state, put_back
from tests.urlconf import Route, walk_urlconf

pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")

# --- Personas ----------------------------------------------------------------------------------

ANONYMOUS = "anonyme"
ADMIN = "admin_national"
DELEGATE = "delegue_meme_region"
OTHER_DELEGATE = "delegue_autre_region"
CATALOGUE = "admin_catalogue"
MAYOR = "mairie_partagee"
OTHER_MAYOR = "mairie_non_partagee"
API = "client_api"
PERSONAS = (ANONYMOUS, ADMIN, DELEGATE, OTHER_DELEGATE, CATALOGUE, MAYOR, OTHER_MAYOR, API)

# Personas of each role (both delegates are delegates, both mayors are mayors).
ROLE_PERSONAS: dict[str, tuple[str, ...]] = {
    Role.NATIONAL_ADMIN: (ADMIN,),
    Role.REGIONAL_DELEGATE: (DELEGATE, OTHER_DELEGATE),
    Role.CATALOGUE_ADMIN: (CATALOGUE,),
    Role.MAYOR_VIEWER: (MAYOR, OTHER_MAYOR),
    Role.API_CLIENT: (API,),
}
LOGGED_IN = tuple(p for p in PERSONAS if p != ANONYMOUS)
ALL_ROLES = tuple(ROLE_PERSONAS)
MANAGERS = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE)
BASIN_READERS = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.MAYOR_VIEWER)
DATA_READERS = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.CATALOGUE_ADMIN)


@dataclass(frozen=True)
class Redirect:
    """A 302 to the page named `url_name` (query string ignored)."""

    url_name: str

    def __str__(self) -> str:
        return f"302 → {self.url_name}"


Expected = int | Redirect
LOGIN = Redirect("login")
ADMIN_LOGIN = Redirect("admin:login")
HOME = Redirect("home")


def matrix(default: Expected, overrides: dict[str, Expected] | None = None) -> dict[str, Expected]:
    """All personas get `default` except those in `overrides` (persona → expected)."""
    overrides = overrides or {}
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, f"personas inconnues : {unknown}"
    return {persona: overrides.get(persona, default) for persona in PERSONAS}


def for_roles(
    roles: tuple[str, ...], ok: Expected, *, denied: Expected = 403, anonymous: Expected = LOGIN
) -> dict[str, Expected]:
    """`ok` for the personas of `roles`, `denied` for the other logged-in ones."""
    allowed = {p for role in roles for p in ROLE_PERSONAS[role]}
    return {
        persona: anonymous if persona == ANONYMOUS else ok if persona in allowed else denied
        for persona in PERSONAS
    }


def page(roles: tuple[str, ...]) -> dict[str, Expected]:
    """A page for some roles: 200 for them, 403 for the other roles, login for anonymous."""
    return for_roles(roles, 200)


def regional(ok: Expected, *, mayor: Expected = 403) -> dict[str, Expected]:
    """A basin's page or action: `ok` for the national admin and the basin's delegate, 404 for
    the other region's delegate and the mayor the basin is not shared with, `mayor` for the
    mayor it is shared with, 403 for the other roles, login for anonymous."""
    return matrix(
        403,
        {
            ANONYMOUS: LOGIN,
            ADMIN: ok,
            DELEGATE: ok,
            OTHER_DELEGATE: 404,
            MAYOR: mayor,
            OTHER_MAYOR: 404,
        },
    )


def get_only(roles: tuple[str, ...]) -> dict[str, Expected]:
    """POST on a GET-only page: the role check comes first (403), then 405."""
    return for_roles(roles, 405)


# --- The world the requests run in -----------------------------------------------------------


@dataclass
class World:
    region_a: Region
    region_b: Region
    basin: Basin
    users: dict[str, User] = field(default_factory=dict)
    # persona → session key of a login made once for the module (see `_log_in_once`)
    sessions: dict[str, str] = field(default_factory=dict)


def _square(lon: float, lat: float, size: float = 0.05) -> dict[str, object]:
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def build_world() -> World:
    region_a = Region.objects.create(code="RA", name="Région A")
    region_b = Region.objects.create(code="RB", name="Région B")
    departement = Departement.objects.create(code="9A", name="Département A", region=region_a)
    town = Commune.objects.create(
        code="9A001",
        name="Villeneuve",
        departement=departement,
        region=region_a,
        population=42_000,
        latitude=48.1,
        longitude=2.1,
        geometry=_square(2.075, 48.075),
        bbox_min_lon=2.075,
        bbox_min_lat=48.075,
        bbox_max_lon=2.125,
        bbox_max_lat=48.125,
    )
    basin = Basin.objects.create(
        name="Bassin de Villeneuve",
        region=region_a,
        source_kind=BasinSource.COMMUNES,
        source_codes=[town.code],
        main_town=town,
        population=42_000,
        communes_count=1,
        geometry=town.geometry,
        geometry_status="ready",
        bbox_min_lon=2.075,
        bbox_min_lat=48.075,
        bbox_max_lon=2.125,
        bbox_max_lat=48.125,
    )
    basin.communes.set([town])
    basin.regions.set([region_a])
    users = {
        ADMIN: user_create(username="m-admin", role=Role.NATIONAL_ADMIN),
        DELEGATE: user_create(username="m-delegue-a", role=Role.REGIONAL_DELEGATE, regions=["RA"]),
        OTHER_DELEGATE: user_create(
            username="m-delegue-b", role=Role.REGIONAL_DELEGATE, regions=["RB"]
        ),
        CATALOGUE: user_create(username="m-catalogue", role=Role.CATALOGUE_ADMIN),
        MAYOR: user_create(username="m-mairie-a", role=Role.MAYOR_VIEWER),
        OTHER_MAYOR: user_create(username="m-mairie-b", role=Role.MAYOR_VIEWER),
        API: user_create(username="m-api", role=Role.API_CLIENT, regions=["RA"]),
    }
    BasinShare.objects.create(basin=basin, user=users[MAYOR], shared_by=users[DELEGATE])
    return World(region_a=region_a, region_b=region_b, basin=basin, users=users)


def basin_pk(world: World) -> dict[str, object]:
    return {"pk": world.basin.pk}


def import_batch_pk(world: World) -> dict[str, object]:
    """A refused BMO import: national data, so every delegate sees it; catalogue admins only
    see ROME/FAP imports (404)."""
    from diagnostics.models import ImportBatch

    batch = ImportBatch.objects.create(
        kind="bmo",
        file_name="bmo.xlsx",
        sha256="0" * 64,
        status=ImportBatch.Status.REJECTED,
        uploaded_by=world.users[ADMIN],
    )
    return {"pk": batch.pk}


# Imports: national admins and delegates (every kind), catalogue admins (ROME and FAP only).
IMPORTERS = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.CATALOGUE_ADMIN)


def import_batch_page() -> dict[str, Expected]:
    return matrix(
        403,
        {ANONYMOUS: LOGIN, ADMIN: 200, DELEGATE: 200, OTHER_DELEGATE: 200, CATALOGUE: 404},
    )


def diagnostic_run_pk(world: World) -> dict[str, object]:
    """A done diagnostic of the world's basin (no data imported: population only), shared as a
    version with the shared mayor (a mayor reads only the runs shared with it, ADR 0014)."""
    from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request

    run = diagnostic_request(basin_id=world.basin.pk)
    diagnostic_execute(run_id=run.pk)
    _share(world, run)
    return {"pk": run.pk}


def _share(world: World, run: DiagnosticRun) -> SharedVersion:
    """A version of `run` shared with the shared mayor (frozen copies left empty)."""
    from diagnostics.models import ShareRecipient

    version = SharedVersion.objects.create(
        basin=world.basin, run=run, shared_by=world.users[DELEGATE], message="Bonjour"
    )
    ShareRecipient.objects.create(version=version, user=world.users[MAYOR])
    return version


def _done_version(world: World) -> SharedVersion:
    """A version of a done diagnostic of the world's basin, shared with the shared mayor."""
    from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request

    run = diagnostic_request(basin_id=world.basin.pk)
    diagnostic_execute(run_id=run.pk)
    return _share(world, run)


def shared_version_pk(world: World) -> dict[str, object]:
    return {"pk": _done_version(world).pk}


def pending_shared_version_pk(world: World) -> dict[str, object]:
    """A version on a pending run (never made by the services): its PDF is a 404 without
    starting Chromium here."""
    from diagnostics.services.diagnostics import diagnostic_request

    return {"pk": _share(world, diagnostic_request(basin_id=world.basin.pk)).pk}


def share_link_token(world: World) -> dict[str, object]:
    from diagnostics.services.share_links import share_link_create

    version = _done_version(world)
    return {"token": share_link_create(version=version, user=world.users[DELEGATE]).token}


def share_link_table(world: World) -> dict[str, object]:
    """A link and a table of its version's run (the rows its page fetches)."""
    from diagnostics.services.share_links import share_link_create

    version = _done_version(world)
    token = share_link_create(version=version, user=world.users[DELEGATE]).token
    return {"token": token, "table": "years"}


def contribution_pk(world: World) -> dict[str, object]:
    from implantations.services.contributions import ContributionInput, contribution_propose

    contribution = contribution_propose(
        basin=world.basin,
        user=world.users[MAYOR],
        data=ContributionInput(
            kind="locaux", title="Salle", surface_m2=80, source="Délibération", contact="Mairie"
        ),
    )
    return {"pk": contribution.pk}


def api_readers(ok: Expected, *, others: Expected = 404) -> dict[str, Expected]:
    """An API endpoint of the shared diagnostic: 401 without credentials, 403 for the roles
    that read no basin (catalogue admin, API client), `ok` for the basin's readers and `others`
    for another region's delegate and an unshared mayor."""
    return matrix(
        403,
        {
            ANONYMOUS: 401,
            ADMIN: ok,
            DELEGATE: ok,
            OTHER_DELEGATE: others,
            MAYOR: ok,
            OTHER_MAYOR: others,
        },
    )


def shared_readers(ok: Expected, *, others: Expected = 404) -> dict[str, Expected]:
    """A page of a shared version (or of a basin's contributions): the region's delegates,
    national admins and the mayor it is shared with get `ok`; another region's delegate or an
    unshared mayor `others`; other roles a 403."""
    return matrix(
        403,
        {
            ANONYMOUS: LOGIN,
            ADMIN: ok,
            DELEGATE: ok,
            OTHER_DELEGATE: others,
            MAYOR: ok,
            OTHER_MAYOR: others,
        },
    )


def basin_with_diagnostic_pk(world: World) -> dict[str, object]:
    diagnostic_run_pk(world)
    return {"pk": world.basin.pk}


def diagnostic_export_kwargs(world: World) -> dict[str, object]:
    return {**diagnostic_run_pk(world), "table": "years", "fmt": "csv"}


def diagnostic_table_kwargs(world: World) -> dict[str, object]:
    return {**diagnostic_run_pk(world), "table": "years"}


def pdf_job_pk(world: World) -> dict[str, object]:
    """A ready PDF job of the delegate (made directly: no Chromium here), on a done run shared
    with the shared mayor: only its requester sees it."""
    from diagnostics.models import PdfJob

    version = _done_version(world)
    job = PdfJob.objects.create(
        requested_by=world.users[DELEGATE],
        kind=PdfJob.Kind.DIAGNOSTIC,
        run=version.run,
        title="Diagnostic",
        file_name="rapport.pdf",
        html_sha256="0" * 64,
        status=PdfJob.Status.DONE,
        pdf=b"%PDF-1.4 test",
        pdf_size=13,
    )
    return {"pk": job.pk}


def own_job(ok: Expected) -> dict[str, Expected]:
    """A PDF job's pages: its requester (the delegate) gets `ok`; every other reader, even one
    who may read the diagnostic, a 404; other roles a 403."""
    return matrix(
        403,
        {
            ANONYMOUS: LOGIN,
            ADMIN: 404,
            DELEGATE: ok,
            OTHER_DELEGATE: 404,
            MAYOR: 404,
            OTHER_MAYOR: 404,
        },
    )


def pending_diagnostic_pk(world: World) -> dict[str, object]:
    """A pending run: its PDF is a 404 (« pas terminé ») without starting Chromium here; the
    PDF itself is tested in tests/diagnostics/test_diagnostic_views.py."""
    from diagnostics.services.diagnostics import diagnostic_request

    return {"pk": diagnostic_request(basin_id=world.basin.pk).pk}


def diagnostic_page(ok: Expected = 200) -> dict[str, Expected]:
    """A page about one basin's diagnostic: its readers (the shared mayor included) get `ok`,
    another region's delegate or an unshared mayor a 404, other roles a 403."""
    return regional(ok, mayor=ok)


def catalogue_path_pk(world: World) -> dict[str, object]:
    from tests.factories.catalogue import make_path

    return {"pk": make_path(title="Comptable assistant", bmo_codes=["L1X60"]).pk}


def local_offer_kwargs(world: World) -> dict[str, object]:
    from tests.factories.catalogue import make_offer

    offer = make_offer(world.basin, title="BTS comptabilité", bmo_codes=["L1X60"])
    return {"pk": world.basin.pk, "offer_pk": offer.pk}


def basin_managers(ok: Expected) -> dict[str, Expected]:
    """A page about a basin for those who manage it: its region's delegates and the national
    admins get `ok`, another region's delegate a 404, other roles a 403."""
    return matrix(403, {ANONYMOUS: LOGIN, ADMIN: ok, DELEGATE: ok, OTHER_DELEGATE: 404})


def implantation_project_pk(world: World) -> dict[str, object]:
    """A project on the world's basin (region A, shared with one mayor)."""
    import datetime as dt

    from implantations.models import ImplantationProject

    project = ImplantationProject.objects.create(
        basin=world.basin,
        name="Implantation de Villeneuve",
        concept="fab_id",
        start_year=2025,
        study_started_on=dt.date(2025, 1, 6),
    )
    return {"pk": project.pk}


def project_readers(ok: Expected) -> dict[str, Expected]:
    """A project page for whoever reads its basin: the region's delegates, national admins and
    the mayor it is shared with get `ok`; another region's delegate or another mayor a 404."""
    return regional(ok, mayor=ok)


def project_get_only() -> dict[str, Expected]:
    """POST on a GET-only project page: the method is refused before the project is looked
    up (405 for every reader role, 403 for the others)."""
    return matrix(
        403,
        {
            ANONYMOUS: LOGIN,
            **dict.fromkeys((ADMIN, DELEGATE, OTHER_DELEGATE, MAYOR, OTHER_MAYOR), 405),
        },
    )


def national_batch_pk(world: World) -> dict[str, object]:
    from diagnostics.models import DiagnosticBatch

    return {"pk": DiagnosticBatch.objects.create(zoning="zone_emploi", data_key="0" * 64).pk}


# The national atlas: reference basins are public statistics (docs/adr, selectors.national):
# national admins, delegates (every region) and API clients; never mayors nor catalogue admins.
ATLAS_READERS = (Role.NATIONAL_ADMIN, Role.REGIONAL_DELEGATE, Role.API_CLIENT)
NATIONAL_ADMINS = (Role.NATIONAL_ADMIN,)


def api_for_roles(roles: tuple[str, ...], ok: Expected) -> dict[str, Expected]:
    return for_roles(roles, ok, anonymous=401)


def national_planners(ok: Expected, *, anonymous: Expected = LOGIN) -> dict[str, Expected]:
    """The national planning: `ok` for national admins, 404 for delegates (out of their
    scope), the role's 403 for the others."""
    return matrix(
        403,
        {ANONYMOUS: anonymous, ADMIN: ok, DELEGATE: 404, OTHER_DELEGATE: 404},
    )


# --- The rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    get: dict[str, Expected]
    post: dict[str, Expected]
    kwargs: Callable[[World], dict[str, object]] | None = None
    query: str = ""  # appended to the URL, e.g. "?q=vil"
    data: dict[str, object] | None = None  # POST body (empty by default)


# The programme dashboard (issue 18): national admins and delegates (their own regions); the
# pages do not exist for the other roles (404); the targets' editor for national admins only.
PROGRAMME_READERS = (ADMIN, DELEGATE, OTHER_DELEGATE)


def programme_page(
    ok: Expected = 200, *, readers: tuple[str, ...] = PROGRAMME_READERS
) -> dict[str, Expected]:
    return matrix(404, {ANONYMOUS: LOGIN, **dict.fromkeys(readers, ok)})


def programme_target_pk(world: World) -> dict[str, object]:
    from implantations.models import ProgrammeTarget

    return {"pk": ProgrammeTarget.objects.create(year=2026, sites_planned=10, sites_open=5).pk}


def organisation_a_pk(world: World) -> dict[str, object]:
    """A typed partner of region A (its delegate manages it; region B's delegate: 404)."""
    from diagnostics.models import Organisation

    return {
        "pk": Organisation.objects.create(
            name="Mission locale de Villeneuve", kind="mission_locale", region=world.region_a
        ).pk
    }


def api_reader_get() -> dict[str, Expected]:
    """A basin-scoped API read: its readers 200, another region or an unshared mayor 404."""
    return matrix(
        403,
        {
            ANONYMOUS: 401,
            ADMIN: 200,
            DELEGATE: 200,
            OTHER_DELEGATE: 404,
            MAYOR: 200,
            OTHER_MAYOR: 404,
            API: 200,
        },
    )


def api_live_get() -> dict[str, Expected]:
    """A basin's live read (recommendation, business model): its readers 200 except the mayors,
    who read shared versions (404), like another region's delegate."""
    return {**api_reader_get(), MAYOR: 404}


def api_reader_not_allowed() -> dict[str, Expected]:
    """A method the endpoint does not offer, for the roles that pass its role check."""
    return matrix(
        403,
        {
            ANONYMOUS: 401,
            ADMIN: 405,
            DELEGATE: 405,
            OTHER_DELEGATE: 405,
            MAYOR: 405,
            OTHER_MAYOR: 405,
            API: 405,
        },
    )


RULES: dict[str, Rule] = {
    # National batches and atlas (issue 16)
    "national-batches": Rule(
        get=page(NATIONAL_ADMINS),
        # Empty form: the French error is shown on the list (redirect).
        post=for_roles(NATIONAL_ADMINS, Redirect("national-batches")),
    ),
    "national-batch-detail": Rule(
        get=page(NATIONAL_ADMINS), post=get_only(NATIONAL_ADMINS), kwargs=national_batch_pk
    ),
    "national-atlas": Rule(get=page(ATLAS_READERS), post=get_only(ATLAS_READERS)),
    # Without basins to compare: the page says how to choose them (200).
    "national-atlas-compare": Rule(get=page(ATLAS_READERS), post=get_only(ATLAS_READERS)),
    "api-batches": Rule(
        get=api_for_roles(NATIONAL_ADMINS, 405),
        # Empty body: 400 with the field's French error.
        post=api_for_roles(NATIONAL_ADMINS, 400),
    ),
    "api-batch-detail": Rule(
        get=api_for_roles(NATIONAL_ADMINS, 200),
        post=api_for_roles(NATIONAL_ADMINS, 405),
        kwargs=national_batch_pk,
    ),
    "api-atlas": Rule(
        get=api_for_roles(ATLAS_READERS, 200), post=api_for_roles(ATLAS_READERS, 405)
    ),
    # Accounts
    "home": Rule(get=page(ALL_ROLES), post=for_roles(ALL_ROLES, 405)),
    "login": Rule(
        get=matrix(HOME, {ANONYMOUS: 200}),
        # Empty credentials: the form comes back with its errors.
        post=matrix(HOME, {ANONYMOUS: 200}),
    ),
    "logout": Rule(get=matrix(405), post=matrix(LOGIN)),
    # Pages behind the navigation
    # A mayor's office reads the versions shared with it, listed on its home page (ADR 0014).
    "diagnostic-list": Rule(
        get=matrix(
            403,
            {
                ANONYMOUS: LOGIN,
                ADMIN: 200,
                DELEGATE: 200,
                OTHER_DELEGATE: 200,
                MAYOR: HOME,
                OTHER_MAYOR: HOME,
            },
        ),
        post=get_only(BASIN_READERS),
    ),
    "implantation-home": Rule(get=page(MANAGERS), post=get_only(MANAGERS)),
    "catalogue-home": Rule(get=page(DATA_READERS), post=get_only(DATA_READERS)),
    "data-home": Rule(get=page(DATA_READERS), post=get_only(DATA_READERS)),
    # Security audit log: national admins only.
    "audit-log": Rule(get=page((Role.NATIONAL_ADMIN,)), post=get_only((Role.NATIONAL_ADMIN,))),
    # Dataset imports
    "import-list": Rule(get=page(IMPORTERS), post=get_only(IMPORTERS)),
    # Empty form: re-rendered with its errors.
    "import-create": Rule(get=page(IMPORTERS), post=for_roles(IMPORTERS, 200)),
    "import-template": Rule(get=page(IMPORTERS), post=get_only(IMPORTERS)),
    "import-detail": Rule(
        get=import_batch_page(), post=get_only(IMPORTERS), kwargs=import_batch_pk
    ),
    "import-progress": Rule(
        get=import_batch_page(), post=get_only(IMPORTERS), kwargs=import_batch_pk
    ),
    "import-report": Rule(
        get=import_batch_page(), post=get_only(IMPORTERS), kwargs=import_batch_pk
    ),
    # POST only. The world's refused batch keeps no file: those who may import it are sent back
    # to its page with the reason (302); catalogue admins do not see BMO batches (404).
    "import-retry": Rule(
        get=get_only(IMPORTERS),
        post=matrix(
            403,
            {ANONYMOUS: LOGIN, ADMIN: 302, DELEGATE: 302, OTHER_DELEGATE: 302, CATALOGUE: 404},
        ),
        kwargs=import_batch_pk,
    ),
    # Basins
    "basin-list": Rule(get=page(BASIN_READERS), post=get_only(BASIN_READERS)),
    "basin-create": Rule(
        get=page(MANAGERS),
        # Empty form: re-rendered with its errors.
        post=for_roles(MANAGERS, 200),
    ),
    "basin-detail": Rule(
        get=regional(200, mayor=200),
        post=regional(405, mayor=405),
        kwargs=basin_pk,
    ),
    "basin-share": Rule(
        get=matrix(403, {ANONYMOUS: LOGIN, ADMIN: 405, DELEGATE: 405, OTHER_DELEGATE: 404}),
        # Empty form: back to the basin page with the error in a message.
        post=matrix(403, {ANONYMOUS: LOGIN, ADMIN: 302, DELEGATE: 302, OTHER_DELEGATE: 404}),
        kwargs=basin_pk,
    ),
    "basin-delete": Rule(
        get=matrix(403, {ANONYMOUS: LOGIN, ADMIN: 405, DELEGATE: 405, OTHER_DELEGATE: 404}),
        post=matrix(
            403,
            {
                ANONYMOUS: LOGIN,
                OTHER_DELEGATE: 404,
                ADMIN: Redirect("basin-list"),
                DELEGATE: Redirect("basin-list"),
            },
        ),
        kwargs=basin_pk,
        data={"confirm": "oui"},
    ),
    "territory-search": Rule(
        get=page(MANAGERS), post=get_only(MANAGERS), query="?q=vil&kind=commune"
    ),
    # Diagnostics (issue 4): mayors read the runs of the basins shared with them but cannot
    # start one.
    "diagnostic-run": Rule(
        get=matrix(403, {ANONYMOUS: LOGIN, ADMIN: 405, DELEGATE: 405, OTHER_DELEGATE: 404}),
        post=matrix(403, {ANONYMOUS: LOGIN, ADMIN: 302, DELEGATE: 302, OTHER_DELEGATE: 404}),
        kwargs=basin_pk,
    ),
    "diagnostic-detail": Rule(
        get=diagnostic_page(), post=get_only(BASIN_READERS), kwargs=diagnostic_run_pk
    ),
    "diagnostic-progress": Rule(
        get=diagnostic_page(), post=get_only(BASIN_READERS), kwargs=diagnostic_run_pk
    ),
    "diagnostic-export": Rule(
        get=diagnostic_page(), post=get_only(BASIN_READERS), kwargs=diagnostic_export_kwargs
    ),
    # A table of the report, fetched when the reader opens it: who may read the run, as its exports.
    "diagnostic-table": Rule(
        get=diagnostic_page(), post=get_only(BASIN_READERS), kwargs=diagnostic_table_kwargs
    ),
    "diagnostic-pdf": Rule(
        get=diagnostic_page(404), post=get_only(BASIN_READERS), kwargs=pending_diagnostic_pk
    ),
    # PDF jobs (issue 15): their requester's only.
    "pdf-job-detail": Rule(get=own_job(200), post=get_only(BASIN_READERS), kwargs=pdf_job_pk),
    "pdf-job-status": Rule(get=own_job(200), post=get_only(BASIN_READERS), kwargs=pdf_job_pk),
    "pdf-job-file": Rule(get=own_job(200), post=get_only(BASIN_READERS), kwargs=pdf_job_pk),
    # A ready job cannot be retried: the requester is sent back to its page with a message.
    "pdf-job-retry": Rule(get=for_roles(BASIN_READERS, 405), post=own_job(302), kwargs=pdf_job_pk),
    # Without ?a=&b=: the page lists the runs to choose from (200, never a 400).
    "diagnostic-compare": Rule(get=for_roles(BASIN_READERS, 200), post=get_only(BASIN_READERS)),
    "api-basin-indicators": Rule(
        # A done run exists (kwargs): readers of the basin get its indicators; API clients read
        # their regions' basins.
        get=api_live_get(),
        post=api_reader_not_allowed(),
        kwargs=basin_with_diagnostic_pk,
    ),
    # Catalogue (issue 5): national admins, delegates and catalogue admins read the catalogue;
    # the gap of a basin is read like the basin (shared mayors included); its local supply is
    # managed by those who manage the basin. Catalogue admins curate in the admin.
    "catalogue-path-detail": Rule(
        get=page(DATA_READERS), post=get_only(DATA_READERS), kwargs=catalogue_path_pk
    ),
    "catalogue-basin-gap": Rule(
        # No diagnostic yet: the page explains it (200). A mayor's office reads the gap frozen
        # in its shared versions: none here, so home.
        get={**diagnostic_page(), MAYOR: HOME},
        post=get_only(BASIN_READERS),
        kwargs=basin_pk,
    ),
    "catalogue-local-offers": Rule(
        get=basin_managers(200),
        # Empty form: re-rendered with its errors.
        post=basin_managers(200),
        kwargs=basin_pk,
    ),
    "catalogue-local-offer-delete": Rule(
        get=get_only(MANAGERS),
        post=basin_managers(302),
        kwargs=local_offer_kwargs,
    ),
    "api-basin-gap": Rule(
        # A done run exists (kwargs): as the indicators API.
        get=api_live_get(),
        post=api_reader_not_allowed(),
        kwargs=basin_with_diagnostic_pk,
    ),
    # Regional planning (the delegate's region by default; another region is a 404)
    "planning": Rule(get=page(MANAGERS), post=get_only(MANAGERS)),
    "planning-export": Rule(
        get=basin_managers(200), post=get_only(MANAGERS), query="?region=RA&source=registered"
    ),
    # The programme (issue 18)
    "programme": Rule(get=programme_page(), post=programme_page(405)),
    "programme-stage": Rule(get=programme_page(), post=programme_page(405), query="?etape=etude"),
    "programme-export": Rule(
        get=programme_page(), post=programme_page(405), kwargs=lambda w: {"fmt": "csv"}
    ),
    # Empty form: re-rendered with its French errors (400).
    "programme-targets": Rule(
        get=programme_page(readers=(ADMIN,)), post=programme_page(400, readers=(ADMIN,))
    ),
    "programme-target-delete": Rule(
        get=programme_page(405, readers=(ADMIN,)),
        post=programme_page(Redirect("programme-targets"), readers=(ADMIN,)),
        kwargs=programme_target_pk,
    ),
    # Typed partners (issue 18): national admins and delegates; contacts are personal data.
    "partner-list": Rule(get=page(MANAGERS), post=get_only(MANAGERS)),
    "partner-export": Rule(get=page(MANAGERS), post=get_only(MANAGERS)),
    "partner-create": Rule(get=page(MANAGERS), post=for_roles(MANAGERS, 400)),
    "partner-edit": Rule(
        get=basin_managers(200), post=basin_managers(400), kwargs=organisation_a_pk
    ),
    # National planning (issue 16): national admins only; a delegate plans their regions and
    # gets a 404 here (no other region's figure); roles that never plan get the role's 403.
    "national-planning": Rule(get=national_planners(200), post=get_only(MANAGERS)),
    "national-planning-export": Rule(
        get=national_planners(200), post=get_only(MANAGERS), query="?n=2&min_km=30"
    ),
    # Implantation projects: read like their basin, managed by the basin's managers
    "project-list": Rule(get=page(BASIN_READERS), post=get_only(BASIN_READERS)),
    # Empty form: re-rendered with its errors.
    "project-create": Rule(get=page(MANAGERS), post=for_roles(MANAGERS, 200)),
    "project-detail": Rule(
        get=project_readers(200),
        # GET only: the method is refused before the project is looked up.
        post=matrix(
            403,
            {
                ANONYMOUS: LOGIN,
                **dict.fromkeys((ADMIN, DELEGATE, OTHER_DELEGATE, MAYOR, OTHER_MAYOR), 405),
            },
        ),
        kwargs=implantation_project_pk,
    ),
    "project-edit": Rule(
        get=basin_managers(200), post=basin_managers(200), kwargs=implantation_project_pk
    ),
    "project-status": Rule(
        get=get_only(MANAGERS),
        # Empty form: back to the project page with the errors in messages.
        post=basin_managers(302),
        kwargs=implantation_project_pk,
    ),
    "project-learners": Rule(
        get=basin_managers(200), post=basin_managers(200), kwargs=implantation_project_pk
    ),
    # Follow-up and evaluation (issue 18): entered by the basin's managers (an empty form is a
    # 400 naming the fields), read like the project (mayors with the basin shared included).
    "project-followup": Rule(
        get=basin_managers(200), post=basin_managers(400), kwargs=implantation_project_pk
    ),
    "project-followup-import": Rule(
        get=basin_managers(200), post=basin_managers(400), kwargs=implantation_project_pk
    ),
    "project-followup-template": Rule(
        get=basin_managers(200), post=get_only(MANAGERS), kwargs=implantation_project_pk
    ),
    "project-evaluation": Rule(
        get=project_readers(200), post=project_get_only(), kwargs=implantation_project_pk
    ),
    "project-followup-export": Rule(
        get=project_readers(200), post=project_get_only(), kwargs=implantation_project_pk
    ),
    "project-variances-export": Rule(
        get=project_readers(200), post=project_get_only(), kwargs=implantation_project_pk
    ),
    "evaluation-summary": Rule(get=page(BASIN_READERS), post=get_only(BASIN_READERS)),
    "evaluation-summary-export": Rule(get=page(BASIN_READERS), post=get_only(BASIN_READERS)),
    # A project's business-model inputs (issue 18): its basin's managers; an empty form is a
    # 400 with its errors (nothing written).
    "project-funding": Rule(
        get=basin_managers(200), post=basin_managers(400), kwargs=implantation_project_pk
    ),
    "project-services": Rule(
        get=basin_managers(200), post=basin_managers(400), kwargs=implantation_project_pk
    ),
    "project-topup": Rule(
        get=basin_managers(200), post=basin_managers(400), kwargs=implantation_project_pk
    ),
    # Implantation recommendation (issue 6): read like its basin (shared mayors included);
    # assets and business scenarios are written by the basin's managers only.
    "recommendation-detail": Rule(
        get=regional(200, mayor=HOME),
        # GET only, but another region's basin is a 404 whatever the method.
        post=regional(405, mayor=405),
        kwargs=basin_pk,
    ),
    "basin-assets": Rule(
        get=regional(200, mayor=HOME),
        # Empty form (no action): back to the page with the error in a message.
        post=regional(302),
        kwargs=basin_pk,
    ),
    "business-model": Rule(
        get=regional(200, mayor=HOME),
        # Empty form (no scenario name): the page comes back with its errors.
        post=regional(200),
        kwargs=basin_pk,
    ),
    # The business model's exports read like the page (a mayor reads the shared versions);
    # the query's top-up out of shape is a 400 before any PDF is printed.
    "business-model-csv": Rule(
        get=regional(200, mayor=HOME),
        post=get_only(BASIN_READERS),
        kwargs=basin_pk,
    ),
    "business-model-pdf": Rule(
        get=regional(400, mayor=HOME),
        post=get_only(BASIN_READERS),
        kwargs=basin_pk,
        query="?ab-rate_percent=x",
    ),
    "api-basin-recommendation": Rule(
        # Computed from whatever the basin has (no diagnostic needed): as the indicators API.
        get=api_live_get(),
        post=api_reader_not_allowed(),
        kwargs=basin_pk,
    ),
    # The shared diagnostic (issue 13, ADR 0014): versions, comments, links, contributions.
    "notification-list": Rule(
        get=matrix(200, {ANONYMOUS: LOGIN}),
        post=matrix(Redirect("notification-list"), {ANONYMOUS: LOGIN}),
    ),
    # Empty form: re-rendered with its errors (400).
    "basin-shares": Rule(get=basin_managers(200), post=basin_managers(400), kwargs=basin_pk),
    "shared-version-detail": Rule(
        get=shared_readers(200), post=get_only(BASIN_READERS), kwargs=shared_version_pk
    ),
    "shared-version-comment": Rule(
        get=get_only(BASIN_READERS),
        post=shared_readers(302),
        kwargs=shared_version_pk,
        data={"action": "create", "section": "chomage", "body": "<script>alert(1)</script>"},
    ),
    "shared-version-comments-export": Rule(
        get=shared_readers(200), post=get_only(BASIN_READERS), kwargs=shared_version_pk
    ),
    "shared-version-pdf": Rule(
        get=shared_readers(404), post=get_only(BASIN_READERS), kwargs=pending_shared_version_pk
    ),
    # For people without an account: the link opens its version to anyone who holds it.
    "share-link-open": Rule(get=matrix(200), post=matrix(405), kwargs=share_link_token),
    "share-link-table": Rule(get=matrix(200), post=matrix(405), kwargs=share_link_table),
    "contribution-list": Rule(
        get=shared_readers(200), post=get_only(BASIN_READERS), kwargs=basin_pk
    ),
    "contribution-export": Rule(
        get=shared_readers(200), post=get_only(BASIN_READERS), kwargs=basin_pk
    ),
    # Partner accounts propose (an empty form comes back with its errors, 400).
    "contribution-create": Rule(
        get=matrix(403, {ANONYMOUS: LOGIN, MAYOR: 200, OTHER_MAYOR: 404}),
        post=matrix(403, {ANONYMOUS: LOGIN, MAYOR: 400, OTHER_MAYOR: 404}),
        kwargs=basin_pk,
    ),
    # Without the version read: back to the list with the error in a message.
    "contribution-decide": Rule(
        get=get_only(MANAGERS), post=basin_managers(302), kwargs=contribution_pk
    ),
    # API of the shared diagnostic (issue 13): the same people and rules as the pages.
    "api-share-list": Rule(get=api_readers(200, others=200), post=api_readers(405, others=405)),
    "api-share-detail": Rule(
        get=api_readers(200), post=api_readers(405, others=405), kwargs=shared_version_pk
    ),
    "api-share-revoke": Rule(
        get=api_readers(405, others=405),
        post={**api_readers(200), MAYOR: 403},
        kwargs=shared_version_pk,
    ),
    # Empty comment: 400 with the fields in error.
    "api-share-comments": Rule(
        get=api_readers(200), post=api_readers(400), kwargs=shared_version_pk
    ),
    "api-share-create": Rule(
        get=api_readers(405, others=405), post={**api_readers(400), MAYOR: 403}, kwargs=basin_pk
    ),
    "api-contribution-list": Rule(get=api_readers(200), post=api_readers(400), kwargs=basin_pk),
    "api-contribution-decision": Rule(
        get=api_readers(405, others=405),
        post={**api_readers(400), MAYOR: 404},
        kwargs=contribution_pk,
    ),
    # API: the OpenAPI schema and its documentation are for signed-in users and valid tokens
    # (issue 15's finding: the schema maps every operation); the data endpoints as below.
    "api-schema": Rule(get=matrix(200, {ANONYMOUS: 401}), post=matrix(405, {ANONYMOUS: 401})),
    "api-docs": Rule(get=matrix(200, {ANONYMOUS: 401}), post=matrix(405, {ANONYMOUS: 401})),
    # Browsers ask for /favicon.ico on every page: a permanent redirect to DSFR's icon.
    "favicon": Rule(get=matrix(301), post=matrix(405)),
    # Django admin, coarsely: staff (national and catalogue admins) or not; then by role.
    "admin:index": Rule(
        get=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 200}),
        post=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 200}),
    ),
    "admin:diagnostics_user_changelist": Rule(
        get=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 403}),
        post=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 403}),
    ),
    "admin:diagnostics_cnamsite_changelist": Rule(
        get=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 200}),
        post=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 200}),
    ),
    "admin:diagnostics_auditevent_changelist": Rule(
        get=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 403}),
        post=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 403}),
    ),
    "admin:catalogue_trainingpath_changelist": Rule(
        get=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 200}),
        post=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 200}),
    ),
    "admin:catalogue_trainingpath_import": Rule(
        # Empty form: re-rendered with its errors.
        get=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 200}),
        post=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 200}),
    ),
    "admin:catalogue_trainingpath_export": Rule(
        get=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 200}),
        post=matrix(ADMIN_LOGIN, {ADMIN: 200, CATALOGUE: 200}),
    ),
}


# --- API v1 (issue 14) -------------------------------------------------------------------------
# Sessions here (the pages' login): roles and scopes of the basins; token scopes are tested in
# tests/diagnostics/api/test_tokens.py. DRF answers 401 to anonymous callers, checks the role
# (403) before the method (405), and looks objects up in the caller's scope (404).


def api_manager_write(ok: Expected, *, other_delegate: Expected = 404) -> dict[str, Expected]:
    """A basin write: managers `ok`, another region's delegate 404, other roles 403."""
    return matrix(403, {ANONYMOUS: 401, ADMIN: ok, DELEGATE: ok, OTHER_DELEGATE: other_delegate})


def api_everyone(ok: Expected) -> dict[str, Expected]:
    """Official geography: every signed-in role."""
    return matrix(ok, {ANONYMOUS: 401})


def api_token_pk(world: World) -> dict[str, object]:
    """A token of the national admin: the others do not see it (404)."""
    from diagnostics.services.tokens import api_token_create

    created = api_token_create(user=world.users[ADMIN], name="matrice", scopes=["indicators:read"])
    return {"pk": created.token.pk}


def run_table_kwargs(world: World) -> dict[str, object]:
    return {**diagnostic_run_pk(world), "name": "years"}


def territory_code(kind: str) -> Callable[[World], dict[str, object]]:
    def build(world: World) -> dict[str, object]:
        from diagnostics.models import BassinBmo, Epci, ZoneEmploi

        if kind == "epci":
            Epci.objects.create(code="200000009", name="CC de Villeneuve")
            return {"code": "200000009"}
        if kind == "zone_emploi":
            ZoneEmploi.objects.create(code="9901", name="Villeneuve")
            return {"code": "9901"}
        if kind == "bassin_bmo":
            BassinBmo.objects.create(code="9902", name="VILLENEUVE", region=world.region_a)
            return {"code": "9902"}
        return {"code": {"region": "RA", "departement": "9A", "commune": "9A001"}[kind]}

    return build


def catalogue_api_get() -> dict[str, Expected]:
    return matrix(200, {ANONYMOUS: 401, MAYOR: 403, OTHER_MAYOR: 403})


def catalogue_api_post(ok: Expected = 405) -> dict[str, Expected]:
    """A catalogue write: the curators `ok` (405: the endpoint has no such method), the
    other roles 403."""
    return matrix(403, {ANONYMOUS: 401, ADMIN: ok, CATALOGUE: ok})


def catalogue_path_code(world: World) -> dict[str, object]:
    from tests.factories.catalogue import make_path

    return {"code": make_path(title="Comptable assistant", bmo_codes=["L1X60"]).code}


def catalogue_sector_code(world: World) -> dict[str, object]:
    from tests.factories.catalogue import make_path

    return {"code": make_path(title="Comptable assistant").sector.code}


API_V1_RULES: dict[str, Rule] = {
    # Personal tokens: every role manages its own; another user's token is a 404.
    "token-list": Rule(get=page(ALL_ROLES), post=for_roles(ALL_ROLES, 200)),
    "token-revoke": Rule(
        get=matrix(405, {ANONYMOUS: LOGIN}),
        post=matrix(404, {ANONYMOUS: LOGIN, ADMIN: 302}),
        kwargs=api_token_pk,
    ),
    # Basins. POST without a body: a manager gets the 400 naming the missing fields.
    "api-basin-list": Rule(
        get=matrix(200, {ANONYMOUS: 401, CATALOGUE: 403}),
        post=api_manager_write(400, other_delegate=400),
    ),
    "api-basin-detail": Rule(
        get=api_reader_get(), post=api_manager_write(405, other_delegate=405), kwargs=basin_pk
    ),
    # POST: a run requested (202), on the managers' own basins only.
    "api-basin-runs": Rule(get=api_reader_get(), post=api_manager_write(202), kwargs=basin_pk),
    "api-run-detail": Rule(
        get=api_reader_get(), post=api_reader_not_allowed(), kwargs=diagnostic_run_pk
    ),
    "api-run-series": Rule(
        get=api_reader_get(),
        post=api_reader_not_allowed(),
        kwargs=diagnostic_run_pk,
        query="?indicator=unemployment_rate",
    ),
    "api-run-tables": Rule(
        get=api_reader_get(), post=api_reader_not_allowed(), kwargs=diagnostic_run_pk
    ),
    "api-run-table": Rule(
        get=api_reader_get(), post=api_reader_not_allowed(), kwargs=run_table_kwargs
    ),
    # Imports: the roles of the import page; catalogue admins see only ROME / FAP batches (404).
    "api-import-list": Rule(
        get=for_roles(IMPORTERS, 200, anonymous=401),
        post=for_roles(IMPORTERS, 400, anonymous=401),  # no file: 400 naming it
    ),
    "api-import-detail": Rule(
        get=matrix(
            403, {ANONYMOUS: 401, ADMIN: 200, DELEGATE: 200, OTHER_DELEGATE: 200, CATALOGUE: 404}
        ),
        post=for_roles(IMPORTERS, 405, anonymous=401),
        kwargs=import_batch_pk,
    ),
    "api-import-report": Rule(
        get=matrix(
            403, {ANONYMOUS: 401, ADMIN: 200, DELEGATE: 200, OTHER_DELEGATE: 200, CATALOGUE: 404}
        ),
        post=for_roles(IMPORTERS, 405, anonymous=401),
        kwargs=import_batch_pk,
    ),
    # Catalogue: read by the catalogue pages' roles and API clients; edited (PATCH) by its
    # managers with catalogue:write. POST is offered nowhere (405 once the role passes).
    # Creation with an empty body: the curators get a 400 naming the fields (issue 14).
    "api-sector-list": Rule(get=catalogue_api_get(), post=catalogue_api_post(400)),
    "api-sector-detail": Rule(
        get=catalogue_api_get(), post=catalogue_api_post(), kwargs=catalogue_sector_code
    ),
    "api-path-list": Rule(get=catalogue_api_get(), post=catalogue_api_post(400)),
    "api-path-detail": Rule(
        get=catalogue_api_get(), post=catalogue_api_post(), kwargs=catalogue_path_code
    ),
    "api-path-history": Rule(
        get=catalogue_api_get(), post=catalogue_api_post(), kwargs=catalogue_path_code
    ),
    "api-sector-history": Rule(
        get=catalogue_api_get(), post=catalogue_api_post(), kwargs=catalogue_sector_code
    ),
    # Linking an occupation with an empty body: a 400 naming the fields.
    "api-path-occupations": Rule(
        get=catalogue_api_get(), post=catalogue_api_post(400), kwargs=catalogue_path_code
    ),
    # DELETE only: the readers pass the role check of a read, then 405.
    "api-path-occupation-remove": Rule(
        get=matrix(405, {ANONYMOUS: 401, MAYOR: 403, OTHER_MAYOR: 403}),
        post=catalogue_api_post(),
        kwargs=lambda world: {**catalogue_path_code(world), "occupation": "L1X60"},
    ),
    # National planning (issue 16): national admins compute it (empty body: the defaults); a
    # delegate gets a 404, the roles that never plan a 403.
    "api-national-planning": Rule(
        get=api_for_roles(MANAGERS, 405),
        post=national_planners(200, anonymous=401),
    ),
    # The programme (issue 18): like the page, 404 for the roles without a dashboard.
    "api-programme": Rule(
        get=matrix(404, {ANONYMOUS: 401, ADMIN: 200, DELEGATE: 200, OTHER_DELEGATE: 200}),
        post=matrix(405, {ANONYMOUS: 401}),
    ),
    # Typed partners (issue 18): national admins and delegates; an empty body is a 400.
    "api-partner-list": Rule(get=api_for_roles(MANAGERS, 200), post=api_for_roles(MANAGERS, 400)),
    "api-partner-detail": Rule(
        get=matrix(403, {ANONYMOUS: 401, ADMIN: 200, DELEGATE: 200, OTHER_DELEGATE: 404}),
        post=api_for_roles(MANAGERS, 405),
        kwargs=organisation_a_pk,
    ),
    # Implantation projects: read like their basin.
    "api-project-list": Rule(
        get=matrix(200, {ANONYMOUS: 401, CATALOGUE: 403}),
        post=matrix(405, {ANONYMOUS: 401, CATALOGUE: 403}),
    ),
    "api-project-detail": Rule(
        get=api_reader_get(), post=api_reader_not_allowed(), kwargs=implantation_project_pk
    ),
    # Business model (issue 14): a live read like the page (a mayor reads shared versions).
    "api-basin-business-model": Rule(
        get=api_live_get(), post=api_reader_not_allowed(), kwargs=basin_pk
    ),
    # Empty body: the managers of the basin get a 400 naming the fields.
    "api-basin-business-scenarios": Rule(
        get=api_live_get(), post=api_manager_write(400), kwargs=basin_pk
    ),
    "api-project-business-model": Rule(
        get=api_live_get(), post=api_reader_not_allowed(), kwargs=implantation_project_pk
    ),
    # Regional planning: the page's roles; no region given, a 400 saying so.
    "api-planning": Rule(
        get=api_manager_write(400, other_delegate=400),
        post=api_manager_write(400, other_delegate=400),
    ),
    # Follow-up (issue 18): read like the project; written by the basin's managers (an empty
    # body is a 400 naming the fields), refused to the readers who do not manage it (403).
    "api-project-followup": Rule(
        get=api_reader_get(),
        post=matrix(
            403,
            {ANONYMOUS: 401, ADMIN: 400, DELEGATE: 400, OTHER_DELEGATE: 404, OTHER_MAYOR: 404},
        ),
        kwargs=implantation_project_pk,
    ),
    # A project's business-model inputs (issue 18): read with the project (business model:
    # api-project-business-model); written (PUT funding and services, POST a top-up) by its
    # basin's managers with projects:write.
    "api-project-funding": Rule(
        get=api_reader_not_allowed(), post=api_reader_not_allowed(), kwargs=implantation_project_pk
    ),
    "api-project-services": Rule(
        get=api_reader_not_allowed(), post=api_reader_not_allowed(), kwargs=implantation_project_pk
    ),
    "api-project-topups": Rule(
        get=api_reader_get(),
        # Empty body: a 400 for the managers; a reader who does not manage it a 403.
        post=matrix(
            403,
            {ANONYMOUS: 401, ADMIN: 400, DELEGATE: 400, OTHER_DELEGATE: 404, OTHER_MAYOR: 404},
        ),
        kwargs=implantation_project_pk,
    ),
    "api-evaluation-summary": Rule(
        get=matrix(200, {ANONYMOUS: 401, CATALOGUE: 403}),
        post=matrix(405, {ANONYMOUS: 401, CATALOGUE: 403}),
    ),
}
for _kind, _name in [
    ("region", "api-region"),
    ("departement", "api-departement"),
    ("commune", "api-commune"),
    ("epci", "api-epci"),
    ("zone_emploi", "api-zone-emploi"),
    ("bassin_bmo", "api-bassin-bmo"),
]:
    API_V1_RULES[f"{_name}-list"] = Rule(get=api_everyone(200), post=api_everyone(405))
    API_V1_RULES[f"{_name}-detail"] = Rule(
        get=api_everyone(200), post=api_everyone(405), kwargs=territory_code(_kind)
    )
RULES.update(API_V1_RULES)

# The Django admin generates ~80 routes from the registered models; the rules above cover it
# coarsely (staff vs non-staff, role-based models), so its other routes are skipped by namespace.
SKIPPED_NAMESPACES = frozenset({"admin"})


# --- Walking the URLconf -----------------------------------------------------------------------


def _skipped(route: Route) -> bool:
    return route.name not in RULES and route.namespace.split(":")[0] in SKIPPED_NAMESPACES


ROUTES = [route for route in walk_urlconf() if not _skipped(route)]
ROUTE_NAMES = {route.name for route in ROUTES if route.name}


def test_every_route_has_a_name() -> None:
    unnamed = sorted(route.pattern for route in ROUTES if route.name is None)
    assert not unnamed, f"Routes sans nom (impossible de leur donner une règle) : {unnamed}"


def test_every_route_has_a_rule() -> None:
    missing = sorted(ROUTE_NAMES - set(RULES))
    assert not missing, (
        f"Routes sans règle d'accès dans tests/test_access_matrix.py (RULES) : {missing}"
    )


def test_every_rule_has_a_route() -> None:
    stale = sorted(set(RULES) - ROUTE_NAMES)
    assert not stale, f"Règles périmées (aucune route de ce nom) : {stale}"


def test_rules_cover_every_persona() -> None:
    incomplete = sorted(
        name
        for name, rule in RULES.items()
        if set(rule.get) != set(PERSONAS) or set(rule.post) != set(PERSONAS)
    )
    assert not incomplete, f"Règles incomplètes : {incomplete}"


@pytest.fixture(autouse=True)
def _no_static_finders(settings) -> None:  # type: ignore[no-untyped-def]
    # WhiteNoise scans every static file of every app (~57,000) each time a test client starts
    # its middleware when finders are on (demo settings): 0.7 s per test. Not needed here.
    settings.WHITENOISE_USE_FINDERS = False


ROUTES_TESTED = sorted(ROUTE_NAMES & set(RULES))
METHODS = ("GET", "POST")
T = TypeVar("T")


# The world is built once and committed, each route's objects once in a transaction left open
# for the route's cases; every case runs in its own transaction inside it, rolled back
# (`django_db`): the 16 cases of a route (2 methods × 8 personas) see exactly the world they saw
# when each built its own (docs/adr/0012-test-speed.md), for ≈ 1/16 of the cost (the world's
# seven accounts, and a computed diagnostic for a third of the routes). A route's objects are
# rolled back after its cases; the world's rows are put back after the module.


def _as_in_a_case(build: Callable[[], T]) -> T:
    """`build()` in one atomic block (a transaction, or a savepoint inside the route's) whose
    `on_commit` callbacks are dropped (a case's transaction is rolled back, so they never
    ran: a diagnostic requested by a builder stays pending, as its rule expects)."""
    with transaction.atomic():
        built = build()
        connection.run_on_commit.clear()
    return built


def _log_in_once(world: World) -> World:
    """Each signed-in persona logs in once for the module (`force_login`: the session row, the
    login signals — last login, axes' log, the audit event), committed with the world; every
    case then sends that session's cookie. A case's own changes to its session (a logout, a
    message) are rolled back with its transaction. Logging in for each of the ≈ 2,500 cases
    was a fifth of the module's CPU, and tested nothing more: the login itself is tested by
    the authentication tests."""
    for persona, user in world.users.items():
        login_client = Client()
        login_client.force_login(user)
        world.sessions[persona] = login_client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        before = database_state()
        try:
            yield _as_in_a_case(lambda: _log_in_once(build_world()))
        finally:
            put_back(before, only_changed=True)


@pytest.fixture(scope="module")
def route(request, world: World, django_db_blocker) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(route name, URL) with the objects its rule's `kwargs` builder makes, in a transaction
    left open for the route's cases and rolled back after them: each case's own transaction
    (`django_db`) is a savepoint inside it, as `TestCase.setUpTestData` does for a class. The
    builder's `on_commit` callbacks are dropped (a case's transaction is rolled back, so they
    never ran: a diagnostic requested by a builder stays pending, as its rule expects). Reading
    every table before and after each route to put the rows back (≈ 33,000 table reads for the
    module) is no longer needed: the rollback puts them back."""
    name = request.param
    rule = RULES[name]
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            builder = rule.kwargs
            kwargs = _as_in_a_case(lambda: builder(world)) if builder else None
            yield name, reverse(name, kwargs=kwargs) + rule.query
        finally:
            transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("route", ROUTES_TESTED, indirect=True, scope="module")
def test_access(
    route: tuple[str, str], method: str, persona: str, world: World, client: Client
) -> None:
    route_name, url = route
    rule = RULES[route_name]
    if persona != ANONYMOUS:
        client.cookies[django_settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    expected = (rule.get if method == "GET" else rule.post)[persona]

    response = client.get(url) if method == "GET" else client.post(url, data=rule.data or {})

    if isinstance(expected, Redirect):
        location = response.headers.get("Location", "")
        assert (response.status_code, urlparse(location).path) == (
            302,
            reverse(expected.url_name),
        ), f"{method} {url} en tant que {persona} : attendu {expected}"
    else:
        assert response.status_code == expected, (
            f"{method} {url} en tant que {persona} : attendu {expected}, "
            f"obtenu {response.status_code}"
        )
