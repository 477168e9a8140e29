"""The load bench's results (bench/load_mixed.py): per kind of answer its count, p50 / p95 / p99 /
max, each p99 over the bare view's (the ratio holds better than milliseconds on a shared
machine), the CPU of each process per answer, the p99 while the national batches ran and after,
with --versus the p95 of each server slot pair by slot pair, and the URL patterns of the slowest
1 %; printed, and returned for var/bench/load_mixed.json."""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from load_client import percentile
from load_traffic import SLOT, Traffic

# The timeline's window (seconds).
WINDOW = 10


def report(
    args: argparse.Namespace,
    traffic: Traffic,
    *,
    at_end: dict[str, Any],
    load_started: float,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    cpu: dict[str, float],
    national_out: list[list[str]],
    workers_cpu: list[float],
    warm_seconds: float | None,
    server: dict[str, Any],
) -> dict[str, object]:
    # The national batches' time under load: from the start of the load to the last one done.
    finished = at_end.get("finished") or []
    batch_end = (
        round(max(finished) - load_started, 1) if finished and None not in finished else None
    )
    result: dict[str, object] = {
        "users": args.users,
        "seconds": args.seconds,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "cpu_seconds": cpu,
        "gunicorn_workers_cpu_seconds": workers_cpu,
        "diagnostics_requested": traffic.diagnostics_requested,
        "national_batches_requested": national_out,
        "national_batches_at_end": at_end["batches"],
        "national_batches_done_after_s": batch_end,
        "warm_pages_s": warm_seconds,
        "worker_niceness": args.worker_niceness,
        "ramp_seconds": args.ramp_seconds,
        "gunicorn": server,
        "runs_done_failed_live_at_end": at_end["runs"],
        "errors": len(traffic.stats.errors),
        "error_samples": sorted(set(traffic.stats.errors))[:20],
        "kinds": {},
    }
    print(f"\n{'type':<8}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, values in sorted(traffic.stats.latencies.items()):
        row = {
            "n": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "p99_ms": round(percentile(values, 99) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }
        result["kinds"][kind] = row  # type: ignore[index]
        print(
            f"{kind:<8}{row['n']:>7}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['p99_ms']:>9}{row['max_ms']:>9}"
        )
    answers = sum(len(v) for k, v in traffic.stats.latencies.items() if k != "feeder")
    result["answers"] = answers
    result["answers_per_second"] = round(answers / args.seconds, 2)
    result["gunicorn_cpu_ms_per_answer"] = round(cpu["gunicorn"] * 1000 / max(answers, 1), 1)
    print(
        f"\nréponses : {answers} ({result['answers_per_second']}/s), CPU de gunicorn par réponse : "
        f"{result['gunicorn_cpu_ms_per_answer']} ms"
    )
    print(
        f"erreurs : {len(traffic.stats.errors)} ; charge {result['load_average_before']} → {result['load_average_after']} ; CPU {cpu}"
    )
    print(
        f"CPU de chaque worker gunicorn (s) : {workers_cpu} (plus chargé : "
        f"{max(workers_cpu, default=0) / max(sum(workers_cpu), 0.1):.0%} du total)"
    )
    print(
        f"diagnostics demandés : {traffic.diagnostics_requested} ; fin (terminés, échecs, en cours) : {result['runs_done_failed_live_at_end']}"
    )
    print(
        f"lots nationaux : {national_out} ; à la fin (zonage:statut:bassins) : {at_end['batches']}"
    )
    # Per answer, where the cores went, and each kind's p99 against the bare view's: the ratio
    # holds better than the milliseconds on a machine shared with other work.
    result["cpu_ms_per_answer"] = {
        name: round(seconds * 1000 / max(answers, 1), 1) for name, seconds in cpu.items()
    }
    # (With --versus, each server's kinds against its own bare view.)
    kinds_rows: dict[str, dict[str, float]] = result["kinds"]  # type: ignore[assignment]
    bare_p99 = {
        suffix: kinds_rows[f"bare{suffix}"]["p99_ms"]
        for suffix in ("", "@B")
        if kinds_rows.get(f"bare{suffix}", {}).get("p99_ms")
    }
    result["p99_ratio_to_bare"] = {
        kind: round(row["p99_ms"] / bare_p99[suffix], 2)
        for kind, row in kinds_rows.items()
        if (suffix := "@B" if kind.endswith("@B") else "") in bare_p99
    }
    # Where p99 comes from: while the national batches run, after; the slowest 1 %'s URLs.
    phases: dict[str, dict[str, tuple[int, float]]] = {}
    if batch_end is not None and 0 < batch_end < args.seconds:
        for kind in traffic.stats.latencies:
            phases.setdefault("during_batch", {})[kind] = traffic.stats.p99_between(
                kind, 0, batch_end
            )
            phases.setdefault("after_batch", {})[kind] = traffic.stats.p99_between(
                kind, batch_end, args.seconds + 60
            )
    result["p99_by_phase_n_ms"] = phases
    # When the slow answers came: per WINDOW seconds of the run, each kind's count, p99, and how
    # many answers passed its target (API 200 ms, page 1 s, bare view 200 ms as the API's).
    limits = {"api": 0.2, "page": 1.0, "bare": 0.2, "export": 1.0}
    timeline: list[dict[str, object]] = []
    for start in range(0, args.seconds, WINDOW):
        window: dict[str, object] = {"from_s": start}
        for kind, limit in limits.items():
            values = [
                a[3]
                for a in traffic.stats.answers
                if a[1] == kind and start <= a[0] < start + WINDOW
            ]
            if values:
                window[kind] = [
                    len(values),
                    round(percentile(values, 99) * 1000, 1),
                    sum(v > limit for v in values),
                ]
        timeline.append(window)
    result["timeline_n_p99ms_over_target"] = timeline
    # The first window second by second (count, p99 in ms, over target), and its answers over
    # target in the order they were asked (start in s, kind, URL pattern, ms): what the start of
    # a run queues behind.
    result["first_window_per_second"] = [
        {
            "from_s": second,
            **{
                kind: [
                    len(values),
                    round(percentile(values, 99) * 1000, 1),
                    sum(v > limit for v in values),
                ]
                for kind, limit in limits.items()
                if (
                    values := [
                        a[3]
                        for a in traffic.stats.answers
                        if a[1] == kind and second <= a[0] < second + 1
                    ]
                )
            },
        }
        for second in range(WINDOW)
    ]
    result["first_window_over_target"] = sorted(
        (round(a[0], 2), a[1], a[2], round(a[3] * 1000, 1))
        for a in traffic.stats.answers
        if a[0] < WINDOW and a[1] in limits and a[3] > limits[a[1]]
    )
    over = {
        kind: [w.get(kind, [0, 0, 0])[2] for w in timeline]  # type: ignore[index]
        for kind in ("api", "page", "bare")
    }
    print(
        f"réponses au-delà de la cible, par tranche de {WINDOW} s (API > 200 ms, page > 1 s, "
        f"vue nue > 200 ms) : {over}"
    )
    if args.versus:
        # Slot by slot (A then B, 2 × SLOT s): each pair of neighbouring slots met about the
        # same machine load; the p95 of each server in each pair says whether a difference holds.
        pairs: dict[str, list[tuple[float, float]]] = {}
        for kind in ("page", "api", "bare"):
            for start in range(0, args.seconds, 2 * SLOT):
                a = [
                    x[3]
                    for x in traffic.stats.answers
                    if x[1] == kind and start <= x[0] < start + SLOT
                ]
                b = [
                    x[3]
                    for x in traffic.stats.answers
                    if x[1] == kind + "@B" and start + SLOT <= x[0] < start + 2 * SLOT
                ]
                if a and b:
                    pairs.setdefault(kind, []).append(
                        (round(percentile(a, 95) * 1000), round(percentile(b, 95) * 1000))
                    )
        result["versus_p95_by_slot_pair_ms"] = pairs
        result["versus_b_better"] = {
            kind: f"{sum(b < a for a, b in rows)}/{len(rows)}" for kind, rows in pairs.items()
        }
        print(f"p95 par paire de créneaux (A, B) : {pairs}")
        print(f"B meilleure (p95) : {result['versus_b_better']}")
    result["slowest_1pc"] = {
        kind + suffix: traffic.stats.slowest(kind + suffix)
        for suffix in ("", "@B")[: len(traffic.ports)]
        for kind in ("page", "api", "export")
    }
    print(f"CPU par réponse (ms) : {result['cpu_ms_per_answer']}")
    print(f"p99 / p99 de la vue nue : {result.get('p99_ratio_to_bare')}")
    print(f"lots nationaux terminés {batch_end} s après le début ; p99 (n, ms) : {phases}")
    for kind, patterns in result["slowest_1pc"].items():  # type: ignore[attr-defined]
        print(f"1 % le plus lent ({kind}) : {patterns}")
    return result
