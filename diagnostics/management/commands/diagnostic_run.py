"""python manage.py diagnostic_run --basin ID [--sync] [--json] [--param NAME=VALUE]…
python manage.py diagnostic_run --all {ze,bassin_bmo,epci} [--region CODE] [--sync]

Requests the diagnostic of a basin with the data in force (the same run as the page's button:
an existing run for the same data is reused). `--sync` computes it in this process; otherwise
it goes through Celery (without a broker, tasks run in place anyway). `--json` prints the
document: {"basin": {"id", "name", "population"}, "years": {...}, "unemployment": [...],
"tension_metiers": [...], ...}. Exit code 1 when the run failed.

`--all ZONING` is the national batch (issue 16, `diagnostics.services.national`): registers the
missing reference basins of the zoning (of `--region`, when given), then diagnoses every one
whose data changed as one batch, and prints its progress (done / failed / remaining) and its
failures. With unchanged data it does nothing. Exit code 1 when a basin failed.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.analytics.tension_records import published_tension_records_of
from diagnostics.errors import ApplicationError
from diagnostics.models import DiagnosticRun

ALL_ZONINGS = {
    "ze": "zone_emploi",
    "zone_emploi": "zone_emploi",
    "bassin_bmo": "bassin_bmo",
    "epci": "epci",
}


class Command(BaseCommand):
    help = "Calcule le diagnostic longitudinal d'un bassin (mêmes règles que la page du bassin)."

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--basin", type=int, help="Identifiant du bassin.")
        target.add_argument(
            "--all",
            choices=sorted(ALL_ZONINGS),
            help="Tous les bassins de référence d'un zonage (lot national).",
        )
        parser.add_argument(
            "--region", default="", help="Avec --all : seulement les bassins de cette région."
        )
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Calculer tout de suite dans ce processus (sinon : tâche Celery).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Afficher le document du diagnostic en JSON."
        )
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="NOM=VALEUR",
            help="Paramètre du moteur (ex. tension_threshold=0.6) ; répétable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from diagnostics.services.diagnostics import diagnostic_request, diagnostic_run_sync

        if options["all"]:
            self._batch(ALL_ZONINGS[options["all"]], options)
            return

        params: dict[str, Any] = {}
        for item in options["param"]:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise CommandError(f"Paramètre « {item} » : écrivez NOM=VALEUR.")
            params[name.strip()] = value.strip()
        try:
            if options["sync"]:
                run = diagnostic_run_sync(basin_id=options["basin"], params=params)
            else:
                run = diagnostic_request(basin_id=options["basin"], params=params)
                run.refresh_from_db()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

        if run.status == DiagnosticRun.Status.FAILED:
            self.stderr.write(f"Diagnostic n° {run.pk} en échec : {run.error_message}")
            raise CommandError("Le diagnostic a échoué.")
        if options["json"]:
            if run.status != DiagnosticRun.Status.DONE:
                raise CommandError(
                    f"Diagnostic n° {run.pk} {run.get_status_display()} ({run.progress_step}) : "
                    "relancez avec --sync, ou quand un worker l'aura calculé."
                )
            document = dict(run.results or {})
            if "tensions_published" in document:  # stored as rows, printed as records
                document["tensions_published"] = published_tension_records_of(
                    document["tensions_published"]
                )
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        name = run.basin_snapshot.get("name") or run.basin_id
        if run.status == DiagnosticRun.Status.DONE:
            duration = f" en {run.duration_s:.1f} s" if run.duration_s else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"Diagnostic n° {run.pk} du bassin « {name} » : terminé{duration}."
                )
            )
            for warning in (run.results or {}).get("warnings") or []:
                self.stdout.write(f"  ⚠ {warning}")
        else:
            self.stdout.write(
                f"Diagnostic n° {run.pk} du bassin « {name} » : {run.get_status_display()} "
                f"({run.progress_step})."
            )

    def _batch(self, zoning: str, options: dict[str, Any]) -> None:
        from diagnostics.models import Region
        from diagnostics.services.national import (
            national_batch_request,
            national_batch_run_sync,
        )
        from diagnostics.services.national_progress import batch_progress

        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"].strip()).first()
            if region is None:
                raise CommandError(f"Région « {options['region']} » inconnue (code INSEE).")
        started = time.perf_counter()
        try:
            if options["sync"]:
                outcome = national_batch_run_sync(zoning=zoning, region=region)
            else:
                outcome = national_batch_request(zoning=zoning, region=region)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(outcome.message)
        if outcome.batch is None:
            return
        progress = batch_progress(outcome.batch)
        self.stdout.write(
            f"Progression : {progress.done} terminés, {progress.failed} en échec, "
            f"{progress.remaining} restants sur {progress.total} ({progress.percent} %) — "
            f"{time.perf_counter() - started:.1f} s."
        )
        for failure in progress.failures:
            self.stderr.write(f"  échec — {failure['basin']} : {failure['error']}")
        if progress.failed:
            raise CommandError(f"{progress.failed} bassin(s) en échec.")
