"""The reference of the national bench: every basin's indicators in one vectorised pass, without
writing anything (issue 16).

For every zone d'emploi and every bassin BMO taken as a basin (the reference basins of the
batch): the France-wide and regional references (`analytics.references`), the basins'
crosswalks on the two zonings, their BMO totals by year, family and métier with coverage, and
their quarterly unemployment series (`analytics.batch`, `analytics.batch_totals`) — the grouped passes the batch itself
uses, without the per-basin report (document, tables), the secrecy check or any write. The
fact frames are read first and not counted (`read_seconds` says how long).

    python bench/national_reference.py --database-url URL
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ReferenceTiming:
    basins: int
    seconds: float
    read_seconds: float


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
        located = communes[communes[column].notna()]
        memberships = {
            i: group[c.COMMUNE_CODE].tolist()
            for i, (_, group) in enumerate(located.groupby(column, sort=True))
        }
        basins += len(memberships)
        on_bmo = basin_crosswalks(communes, memberships=memberships, zoning="bassin_bmo")
        on_ze = basin_crosswalks(communes, memberships=memberships, zoning="zone_emploi")
        bmo_basin_frames(bmo, crosswalks=on_bmo)
        unemployment_basin_series(rates, crosswalks=on_ze)
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
    timing = reference_pass()
    print(
        f"{timing.basins} bassins en {timing.seconds:.2f} s "
        f"({timing.seconds / timing.basins * 1000:.1f} ms par bassin ; lecture "
        f"{timing.read_seconds:.2f} s, non comptée) — charge {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
