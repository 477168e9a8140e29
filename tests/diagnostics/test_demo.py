"""`manage.py demo`: synthetic territory, sites, one account per role, basins; idempotent.

The labour-market facts, recommendations and projects of the demo: tests/implantations/test_demo.py.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.test import override_settings
from pytest_django.fixtures import Settings

from diagnostics.analytics.synthetic import SyntheticTerritory, synthetic_territory
from diagnostics.analytics.synthetic_basins import demo_basin_specs
from diagnostics.models import (
    ApiToken,
    Basin,
    BasinShare,
    BassinBmo,
    CnamSite,
    Commune,
    Epci,
    GeometryStatus,
    Region,
    Role,
    User,
    ZoneEmploi,
)
from diagnostics.models.tokens import token_hash
from diagnostics.selectors import diagnostic_frames
from diagnostics.selectors.access import basin_list_for
from diagnostics.services.demo_accounts import DEMO_PASSWORD
from tests.db_state import DatabaseState, database_state, put_back

# One xdist group with tests/implantations/services/test_demo.py (see that module).
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.xdist_group("demo"),
]

USERNAMES = ["demo-admin", "demo-delegue", "demo-catalogue", "demo-mairie", "demo-api"]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "tokens": ApiToken.objects.count(),
        "regions": Region.objects.count(),
        "communes": Commune.objects.count(),
        "zones_emploi": ZoneEmploi.objects.count(),
        "bassins_bmo": BassinBmo.objects.count(),
        "epci": Epci.objects.count(),
        "basins": Basin.objects.filter(is_reference=False).count(),
        "reference_basins": Basin.objects.filter(is_reference=True).count(),
        "shares": BasinShare.objects.count(),
        "sites": CnamSite.objects.count(),
    }


def _territory_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "diagnostics.services.demo._facts_and_first_runs", lambda *args, **kwargs: None
    )
    monkeypatch.setattr("implantations.services.demo._basins_build", lambda *args, **kwargs: None)


@pytest.fixture(autouse=True)
def territory_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the territory, accounts, basins and sites: the labour-market files
    and the implantations part (tested in tests/implantations/test_demo.py) are left out, so
    that each build stays short."""
    _territory_only(monkeypatch)


@pytest.fixture(scope="module")
def demo_built(django_db_setup, django_db_blocker) -> tuple[str, DatabaseState]:  # type: ignore[no-untyped-def]
    """One build of the demo for the module, on a flushed database (as a transactional test
    starts), its rows recorded, then the database put back as it was: the tests that start
    from a built demo get those rows back instead of building it again each
    (tests/db_state.py)."""
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as monkeypatch,
        override_settings(OPEN_DATA_DIR=None),
    ):
        _territory_only(monkeypatch)
        before = database_state()
        call_command("flush", interactive=False, verbosity=0)
        output = run_demo()
        built = database_state()
        put_back(before)
        diagnostic_frames.frames_cache_clear()
    return output, built


@pytest.fixture
def demo_output(demo_built: tuple[str, DatabaseState], settings: Settings) -> str:
    """The database as `manage.py demo` leaves it on a flushed one, and what it printed."""
    output, built = demo_built
    settings.OPEN_DATA_DIR = None
    put_back(built)
    diagnostic_frames.frames_cache_clear()
    return output


def test_demo_twice_gives_the_same_rows(demo_output: str) -> None:
    first = counts()

    run_demo()

    assert counts() == first
    assert first == {
        "users": 5,
        "tokens": 1,
        "regions": 2,
        "communes": 320,
        "zones_emploi": 8,
        "bassins_bmo": 8,
        "epci": 13,
        "basins": 5,
        "reference_basins": 8,
        "shares": 1,
        "sites": 2,
    }


def test_demo_creates_one_account_per_role(demo_output: str) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}

    assert {name: users[name].role for name in USERNAMES} == {
        "demo-admin": Role.NATIONAL_ADMIN,
        "demo-delegue": Role.REGIONAL_DELEGATE,
        "demo-catalogue": Role.CATALOGUE_ADMIN,
        "demo-mairie": Role.MAYOR_VIEWER,
        "demo-api": Role.API_CLIENT,
    }
    assert users["demo-admin"].is_superuser and users["demo-admin"].is_staff
    assert users["demo-catalogue"].is_staff and not users["demo-catalogue"].is_superuser
    assert not users["demo-delegue"].is_staff and not users["demo-mairie"].is_staff
    assert list(users["demo-delegue"].regions.values_list("code", flat=True)) == ["99"]
    assert list(users["demo-api"].regions.values_list("code", flat=True)) == ["99"]
    assert list(users["demo-mairie"].regions.all()) == []
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    token = ApiToken.objects.get(user=users["demo-api"])
    assert (token.name, token.scopes, token.is_active) == (
        "Tableau de bord de l'observatoire",
        ["indicators:read"],
        True,
    )


def test_demo_prints_the_credentials(demo_output: str) -> None:
    token = ApiToken.objects.get(user__username="demo-api")
    printed = re.search(r"Authorization: Token (cnt_\w+_[\w-]+)", demo_output)

    assert "http://127.0.0.1:8000/" in demo_output
    assert f"Mot de passe commun à tous les comptes : {DEMO_PASSWORD}" in demo_output
    for username, label in [
        ("demo-admin", "Administrateur national"),
        ("demo-delegue", "Délégué régional (régions : 99)"),
        ("demo-catalogue", "Administrateur du catalogue"),
        ("demo-mairie", "Mairie, EPCI ou partenaire local"),
        ("demo-api", "Client API (régions : 99)"),
    ]:
        line = next(line for line in demo_output.splitlines() if line.strip().startswith(username))
        assert label in line
    # Printed once, stored hashed: the printed key opens the API.
    assert printed is not None and token_hash(printed.group(1)) == token.key_hash
    assert printed.group(1) not in str(ApiToken.objects.values_list().get())
    assert "Durées : territoires" in demo_output


def test_demo_url_option_is_printed(settings: Settings) -> None:
    settings.OPEN_DATA_DIR = None

    output = run_demo("--url", "http://127.0.0.1:8101/")

    assert "Démo prête : http://127.0.0.1:8101/" in output


def test_demo_basins_follow_the_specs_and_are_scoped(demo_output: str) -> None:
    specs = demo_basin_specs(synthetic_territory().frames)

    basins = {b.name: b for b in Basin.objects.filter(is_reference=False)}
    assert sorted(basins) == sorted(s.name for s in specs)
    for spec in specs:
        basin = basins[spec.name]
        assert basin.region_id == spec.region_code
        assert basin.source_kind == spec.source_kind
        assert basin.source_codes == spec.source_codes
        assert basin.main_town_id == spec.main_town_code
        assert basin.population == spec.population
        total = basin.communes.aggregate(total=Sum("population"))["total"]
        assert basin.population == total
        assert basin.geometry_status == GeometryStatus.READY
        assert basin.nearest_site is not None
    # Within the programme bounds or not, as the population says.
    assert {b.name: b.eligible_population for b in basins.values()} == {
        s.name: 30_000 <= s.population <= 100_000 for s in specs
    }
    # The delegate sees the four basins of region 99, the mayor's office the shared one.
    delegate = User.objects.get(username="demo-delegue")
    mayor = User.objects.get(username="demo-mairie")
    # (Their lists leave out the reference basins of the national batch: is_reference.)
    registered = basin_list_for(delegate).filter(is_reference=False)
    assert sorted(registered.values_list("name", flat=True)) == sorted(
        s.name for s in specs if s.region_code == "99"
    )
    assert list(basin_list_for(mayor).values_list("name", flat=True)) == [specs[0].name]
    # The region 98 basin was registered by the national admin (the delegate does not follow it).
    other = basins[specs[4].name]
    assert other.region_id == "98"
    assert other.created_by == User.objects.get(username="demo-admin")


def test_demo_sites_are_labelled_and_placed_in_the_two_capitals(demo_output: str) -> None:
    territory = synthetic_territory()
    frame = territory.frames["communes"]
    centres = {
        code: (lat, lon)
        for code, lat, lon in zip(frame["code"], frame["latitude"], frame["longitude"], strict=True)
    }

    sites = list(CnamSite.objects.order_by("name"))

    assert all(site.name.endswith("(démo synthétique)") for site in sites)
    assert sorted(str(site.commune_id) for site in sites) == sorted(
        [territory.main_city_code, territory.second_city_code]
    )
    for site in sites:
        assert site.kind == CnamSite.Kind.REGIONAL_CENTRE
        assert (site.latitude, site.longitude) == centres[str(site.commune_id)]


def test_demo_resets_changed_accounts_and_keeps_the_token(demo_output: str) -> None:
    token = ApiToken.objects.get(user__username="demo-api")
    delegate = User.objects.get(username="demo-delegue")
    delegate.role = Role.MAYOR_VIEWER
    delegate.set_password("autre-mot-de-passe-2026")
    delegate.is_active = False
    delegate.save()
    delegate.regions.clear()

    second_output = run_demo()

    delegate.refresh_from_db()
    assert delegate.role == Role.REGIONAL_DELEGATE
    assert delegate.is_active
    assert delegate.check_password(DEMO_PASSWORD)
    assert list(delegate.regions.values_list("code", flat=True)) == ["99"]
    assert ApiToken.objects.get(user__username="demo-api") == token  # kept, not printed again
    assert "Authorization: Token cnt_" not in second_output
    assert "Jeton API de demo-api : déjà créé" in second_output


def test_demo_keeps_a_basin_renamed_by_case_only(demo_output: str) -> None:
    basin = Basin.objects.get(source_kind="bassin_bmo")
    basin.name = basin.name.upper()
    basin.save()

    output = run_demo()

    assert Basin.objects.filter(is_reference=False).count() == 5
    assert f"{basin.name} (région 99, bassin_bmo)" in output
    assert "déjà présent" in output


def test_demo_unknown_open_data_dir_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "absent"

    with pytest.raises(CommandError, match="Dossier de données introuvable"):
        run_demo("--open-data-dir", str(missing))

    assert counts()["users"] == 0
    assert counts()["communes"] == 0


def test_demo_empty_open_data_dir_names_the_missing_regions(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"région\(s\) 44, 53 absente\(s\)"):
        run_demo("--open-data-dir", str(tmp_path))

    assert User.objects.count() == 0
    assert Basin.objects.count() == 0
    assert CnamSite.objects.count() == 0


# `manage.py demo --open-data-dir` on the real data: tests/diagnostics/test_open_data_realdata.py
# (it starts from the open data loaded once for the run, in the real-data group).


def test_demo_refused_synthetic_dataset_is_named_and_no_account_is_made(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OPEN_DATA_DIR = None
    good = synthetic_territory()
    frames = dict(good.frames)
    frames["regions"] = frames["regions"].assign(code=["98", "X9"])
    broken = SyntheticTerritory(
        frames=frames,
        outline=good.outline,
        commune_cells=good.commune_cells,
        main_city_code=good.main_city_code,
        second_city_code=good.second_city_code,
    )
    monkeypatch.setattr("diagnostics.services.demo.synthetic_territory", lambda: broken)

    with pytest.raises(CommandError, match="Territoire synthétique refusé : regions"):
        run_demo()

    assert User.objects.count() == 0
    assert Basin.objects.count() == 0
    assert CnamSite.objects.count() == 0


def test_demo_computes_one_diagnostic_per_basin_once(demo_output: str) -> None:
    from diagnostics.models import DiagnosticRun

    assert "Diagnostics calculés : 5 sur 5 bassins" in demo_output
    registered = DiagnosticRun.objects.filter(basin__is_reference=False)
    assert registered.filter(status=DiagnosticRun.Status.DONE).count() == 5
    # The national batch of the 8 demo zones d'emploi: 8 reference basins, one done run each,
    # including the zones made of the same communes as a registered basin (each basin its own
    # run: its page looks for its own latest run).
    references = DiagnosticRun.objects.filter(basin__is_reference=True)
    assert references.filter(status=DiagnosticRun.Status.DONE).count() == 8
    assert references.values("basin").distinct().count() == 8
    assert references.count() + 5 == DiagnosticRun.objects.count()
    batch_runs = DiagnosticRun.objects.count()

    run_demo()  # same data: the done runs are reused, not recomputed

    assert DiagnosticRun.objects.count() == batch_runs
    assert "Rien à faire" in run_demo()


def test_demo_fills_the_security_audit_log_once(demo_output: str) -> None:
    from diagnostics.models import AuditAction, AuditEvent

    run_demo()

    spray = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, ip_address="203.0.113.66")
    assert spray.count() == 5
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.SHARE).count() == 1  # the demo's share
