"""The references of the national bench: every basin's indicators in one vectorised pass,
without writing anything (issue 16).

`reference_pass` (« BMO et chômage », the bench's only reference until 2026-12-07): for every
zone d'emploi and every bassin BMO taken as a basin (the reference basins of the batch), the
France-wide and regional references (`analytics.references`), the basins' crosswalks on the
two zonings, their BMO totals by year, family and métier with coverage, and their quarterly
unemployment series (`analytics.batch`, `analytics.batch_totals`).

`full_reference_pass` (« complète »): every grouped pass the engine has, for the same basins:
those above, the BMO section tables, the tension index, the monthly job seekers, and once for
France the pools of published tensions and of saturated métiers and bridges, the
départements' age groups and the job seekers by sector. The first left out most of the
indicators a basin's report holds; this one leaves out only what the engine computes basin by
basin (replacement rows, sectors, projections, peers, maps, the check by difference, the
document itself).

Both are the grouped functions the batch itself uses, without any write. The fact frames are
read first and not counted (`read_seconds` says how long).

    python bench/national_reference.py --database-url URL
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ReferenceTiming:
    basins: int
    seconds: float
    read_seconds: float


def zones_as_basins(communes: Any, column: str) -> dict[int, list[str]]:
    """Every zone of the crosswalk's `column` (zones d'emploi, bassins BMO) taken as a basin:
    {its rank: its communes' codes}, zones in code order."""
    from diagnostics.analytics import columns as c

    located = communes[communes[column].notna()]
    return {
        i: group[c.COMMUNE_CODE].tolist()
        for i, (_, group) in enumerate(located.groupby(column, sort=True))
    }


def reference_pass() -> ReferenceTiming:
    from diagnostics.analytics import columns as c
    from diagnostics.analytics.batch import basin_crosswalks
    from diagnostics.analytics.batch_totals import bmo_basin_frames, unemployment_basin_series
    from diagnostics.analytics.references import engine_references
    from diagnostics.selectors import diagnostic_frames
    from diagnostics.selectors import diagnostics as selectors

    started = time.perf_counter()
    batches = selectors.diagnostic_current_batches()
    communes = diagnostic_frames.crosswalk_frame()
    bmo = diagnostic_frames.bmo_frame(batch_ids=[b.pk for b in batches if b.kind == "bmo"])
    rates = diagnostic_frames.unemployment_frame(
        batch_ids=[b.pk for b in batches if b.kind == "chomage_ze"]
    )
    read = time.perf_counter() - started

    started = time.perf_counter()
    engine_references(communes=communes, bmo=bmo, unemployment=rates)
    basins = 0
    for column in (c.ZONE_EMPLOI_CODE, c.BASSIN_BMO_CODE):
        memberships = zones_as_basins(communes, column)
        basins += len(memberships)
        on_bmo = basin_crosswalks(communes, memberships=memberships, zoning="bassin_bmo")
        on_ze = basin_crosswalks(communes, memberships=memberships, zoning="zone_emploi")
        bmo_basin_frames(bmo, crosswalks=on_bmo)
        unemployment_basin_series(rates, crosswalks=on_ze)
    return ReferenceTiming(basins=basins, seconds=time.perf_counter() - started, read_seconds=read)


def full_reference_pass() -> ReferenceTiming:
    """The reference with every grouped pass the engine has, not only the BMO and unemployment
    ones: for every zone d'emploi and bassin BMO taken as a basin, the basins' contexts
    (crosswalks, BMO totals, unemployment series: `analytics.basin_context`), their BMO
    section tables (`attach_bmo_tables`), their tension index (`attach_tension_frames`) and
    their monthly job seekers (`analytics.job_seekers`); once for France, the pools of every
    bassin's published tensions and saturated métiers and bridges, the départements' age
    groups and France's job seekers by sector. The fact frames (the job seekers of every
    département included) are read first and not counted. Still not in it: what the engine
    computes basin by basin (the replacement rows, the sectors, the projections, peers,
    maps, the check by difference, the document)."""
    from diagnostics.analytics import columns as c
    from diagnostics.analytics.basin_context import basin_contexts
    from diagnostics.analytics.bmo_section_tables import attach_bmo_tables
    from diagnostics.analytics.diagnostic_params import DiagnosticParams
    from diagnostics.analytics.diagnostic_sections import attach_tension_frames
    from diagnostics.analytics.job_seekers import job_seekers_basin_series
    from diagnostics.analytics.references import engine_references
    from diagnostics.analytics.replacement import departement_bands
    from diagnostics.analytics.saturation_pool import saturation_pool
    from diagnostics.analytics.sectors import sector_reference
    from diagnostics.analytics.tensions_pool import published_pool
    from diagnostics.analytics.tensions_published import factors_published
    from diagnostics.selectors import diagnostic_frames
    from diagnostics.selectors import diagnostics as selectors
    from diagnostics.selectors import prospective as prospective_selectors
    from diagnostics.selectors import tensions as tension_selectors

    started = time.perf_counter()
    batches = selectors.diagnostic_current_batches()

    def ids(kind: str) -> list[int]:
        return [b.pk for b in batches if b.kind == kind]

    communes = diagnostic_frames.crosswalk_frame()
    bmo = diagnostic_frames.bmo_frame(batch_ids=ids("bmo"))
    rates = diagnostic_frames.unemployment_frame(batch_ids=ids("chomage_ze"))
    tension = diagnostic_frames.tension_frame(batch_ids=ids("tensions"))
    departements = sorted(communes[c.DEPARTEMENT_CODE].dropna().astype(str).unique())
    seekers = diagnostic_frames.job_seekers_frame(
        batch_ids=ids("defm"), departements=departements, communes=communes[c.COMMUNE_CODE]
    )
    ages = prospective_selectors.population_age_frame(batch_ids=ids("population_age"))
    sectors = prospective_selectors.sector_job_seekers_frame(batch_ids=ids("defm_secteur"))
    referential = prospective_selectors.rome_referential_frame()
    labels = tension_selectors.rome_labels(tension[c.ROME_CODE].astype(str).unique())
    read = time.perf_counter() - started

    started = time.perf_counter()
    references = engine_references(communes=communes, bmo=bmo, unemployment=rates)
    france: dict[object, object] = {}
    basins = 0
    for column in (c.ZONE_EMPLOI_CODE, c.BASSIN_BMO_CODE):
        memberships = zones_as_basins(communes, column)
        basins += len(memberships)
        contexts = basin_contexts(
            communes=communes,
            memberships=memberships,
            references=references,
            bmo=bmo,
            unemployment=rates,
            france_cache=france,
        )
        by_basin = attach_bmo_tables(
            contexts.by_basin,
            params={i: DiagnosticParams() for i in contexts.by_basin},
            populations={
                i: context.crosswalks["bassin_bmo"].basin_population
                for i, context in contexts.by_basin.items()
            },
        )
        attach_tension_frames(by_basin, tension)
        job_seekers_basin_series(seekers, communes=communes, memberships=memberships)
    published_pool(tension, labels=labels, factors=factors_published(tension))
    saturation_pool(tension, year=int(tension[c.YEAR].max()), referential=referential)
    departement_bands(ages)
    sector_reference(sectors)
    return ReferenceTiming(basins=basins, seconds=time.perf_counter() - started, read_seconds=read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_DEMO", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")
    import django

    django.setup()
    for name, timing in (("BMO et chômage", reference_pass()), ("complète", full_reference_pass())):
        print(
            f"{name} : {timing.basins} bassins en {timing.seconds:.2f} s "
            f"({timing.seconds / timing.basins * 1000:.1f} ms par bassin ; lecture "
            f"{timing.read_seconds:.2f} s, non comptée) — charge {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
