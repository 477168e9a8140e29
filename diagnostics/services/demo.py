"""The demo: a territory, one account per role, a few basins and (synthetic mode) their labour-market
facts and diagnostics, built idempotently. The Cnam sites, the catalogue and everything of the
implantations app (assets, recommendations, business model, project) are added by
`implantations.services.demo`, which builds on this one.

Without open data, the territory is the synthetic one of `diagnostics.analytics.synthetic`
(stored through `territories_store`, like any other source); with `open_data_dir`, the real
territories and every real dataset are loaded (`open_data.open_data_load`) and the demo basins
are built on real zones (Chaumont, Vitré). Running it again reuses what exists: accounts are reset to their demo role,
regions and password (the API client's named token is kept: shown once, stored hashed), existing basins (same name in the same region)
and shares are left as they are. The accounts are built in `demo_accounts`, the basins in
`demo_basins`, the facts in `demo_facts`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from diagnostics.analytics.synthetic import SyntheticTerritory, synthetic_territory
from diagnostics.analytics.synthetic_basins import demo_basin_specs
from diagnostics.analytics.synthetic_files import demo_file_names
from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, Commune, ImportBatch, Region, TerritoryLoad, User
from diagnostics.services.demo_accounts import (
    DEMO_PASSWORD,
    DemoAccount,
    demo_accounts_ensure,
    demo_audit_examples_ensure,
)
from diagnostics.services.demo_basins import DemoBasin, demo_basins_ensure, real_basin_specs
from diagnostics.services.demo_facts import demo_facts_files, demo_facts_import
from diagnostics.services.territories import territories_store

logger = logging.getLogger(__name__)

SYNTHETIC_SOURCE = "démo synthétique"
SYNTHETIC_REGION = "99"
SYNTHETIC_OTHER_REGION = "98"
REAL_REGIONS = ("44", "53")  # Grand Est (Chaumont), Bretagne (Vitré)


class DemoError(ApplicationError):
    code = "demo_error"


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
        report.accounts, report.api_token = demo_accounts_ensure(regions=regions)
        demo_audit_examples_ensure()

    with _timed(report, "bassins", say):
        if open_data_dir is None:
            basin_specs = demo_basin_specs(
                territory.frames,
                region_code=SYNTHETIC_REGION,
                other_region_code=SYNTHETIC_OTHER_REGION,
            )
        else:
            basin_specs = real_basin_specs()
        report.basins = demo_basins_ensure(basin_specs, share_first=True)

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
