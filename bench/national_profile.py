"""CPU of the national batch's computation on a subset of basins, without any write (issue 16).

    DATABASE_URL=sqlite:///…/db.sqlite3 python bench/national_profile.py [--basins 80]
        [--chunk 40] [--repeat 2] [--profile out.prof] [--alone 5]

Registers the reference zones d'emploi (once), creates the batch's pending runs if needed (no
compute), then computes the first `--basins` of them with `runs_compute` in chunks of
`--chunk`, as a chunk of a national batch does, without writing their results: one warm-up
pass (frames read, references stored), then `--repeat` measured passes. Prints the CPU
(process_time) per basin of each pass and, with `--alone N`, the CPU of one basin computed
alone (`diagnostic_compute`, no memo) N times. `--profile FILE` writes a cProfile of the
measured passes, timed in CPU seconds (the default timer is the wall clock, which counts the
other processes of a loaded machine). The machine is shared: CPU time, not wall clock, is what compares.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _runs(limit: int) -> list:
    from diagnostics.models import Basin, DiagnosticRun
    from diagnostics.services.national import national_batch_request

    if not DiagnosticRun.objects.filter(basin__is_reference=True).exists():
        national_batch_request(zoning="zone_emploi", enqueue=False)
    basins = Basin.objects.filter(is_reference=True, source_kind="zone_emploi")
    runs = (
        DiagnosticRun.objects.filter(basin__in=basins, status__in=["pending", "done"])
        .select_related("basin")
        .order_by("pk")
    )
    return list(runs[:limit])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--basins", type=int, default=80)
    parser.add_argument("--chunk", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--alone", type=int, default=0)
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_DEMO", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")
    import django

    django.setup()
    from diagnostics.services.diagnostic_document import diagnostic_compute
    from diagnostics.services.national_compute import runs_compute

    runs = _runs(args.basins)
    chunks = [runs[i : i + args.chunk] for i in range(0, len(runs), args.chunk)]

    def one_pass() -> int:
        failed = 0
        for chunk in chunks:
            results = runs_compute(chunk)
            failed += sum(1 for v in results.values() if not isinstance(v, tuple))
        return failed

    started = time.process_time()
    failed = one_pass()
    print(f"échauffement : {time.process_time() - started:.1f} s CPU ({failed} échec(s))")
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    per_basin = []
    for _ in range(args.repeat):
        load = os.getloadavg()[0]
        started, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        one_pass()
        if profiler:
            profiler.disable()
        cpu = time.process_time() - started
        per_basin.append(cpu / len(runs))
        print(
            f"{len(runs)} bassins : {cpu:.2f} s CPU, {cpu / len(runs):.4f} s CPU par bassin "
            f"(mur {time.perf_counter() - wall:.1f} s, charge {load:.1f})"
        )
    print(f"CPU par bassin, minimum : {min(per_basin):.4f} s")
    if profiler:
        profiler.dump_stats(args.profile)
    if args.alone:
        run = runs[0]
        diagnostic_compute(run, timings={}, progress=False)
        cpus = []
        for _ in range(args.alone):
            started = time.process_time()
            diagnostic_compute(run, timings={}, progress=False)
            cpus.append(time.process_time() - started)
        print(
            f"un bassin seul ({run.basin.name}) : CPU médian {statistics.median(cpus):.3f} s, "
            f"min {min(cpus):.3f} s"
        )


if __name__ == "__main__":
    main()
