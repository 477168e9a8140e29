"""python manage.py import_dataset [--kind KIND] FILE [--vintage V] [--sync] [--option KEY]…
[--duplicates-as-unknown] [--keep-unknown-bassins]

Imports an official file through the same service as the upload page. Prints the outcome; when
the file is refused or the import fails, the report goes to stderr and the exit code is 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.errors import ApplicationError
from diagnostics.importers.registry import IMPORTER_MODULES, import_options
from diagnostics.models import ImportBatch
from diagnostics.selectors.imports import import_batch_notes

REPORT_LINES_SHOWN = 50


class Command(BaseCommand):
    help = "Importe un fichier de données officiel (BMO, chômage par zone d'emploi, indicateur…)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Fichier à importer (.xlsx ou .csv).")
        parser.add_argument(
            "--kind",
            choices=sorted(IMPORTER_MODULES),
            help="Type de données (détecté dans le fichier si absent).",
        )
        parser.add_argument("--vintage", help="Millésime (détecté dans le fichier si absent).")
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Traiter tout de suite dans ce processus (sinon : tâche Celery ; sans broker, "
            "les tâches s'exécutent de toute façon sur place).",
        )
        parser.add_argument(
            "--register-bassins",
            action="store_true",
            help="BMO : ajouter au référentiel les bassins inconnus nommés par le fichier "
            "au lieu de refuser leurs lignes.",
        )
        parser.add_argument(
            "--duplicates-as-unknown",
            action="store_true",
            help="Sans effet (accepté pour les scripts existants) : les valeurs contradictoires "
            "d'un même territoire et mois sont toujours stockées comme inconnues (ADR 0005).",
        )
        parser.add_argument(
            "--keep-unknown-bassins",
            action="store_true",
            help="tensions : conserver, signalées, les lignes des bassins absents du référentiel "
            "au lieu de refuser le fichier (defm_secteur les conserve toujours).",
        )
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="CLÉ",
            help="Option d'un importeur (répétable), par exemple register_bassins. "
            "Options disponibles : "
            + ", ".join(sorted({key for _, key, _ in import_options()}))
            + ".",
        )
        parser.add_argument("--json", action="store_true", help="Sortie JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        from diagnostics.services.import_requests import import_dataset

        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"Fichier introuvable : {path}")
        known = {key for _, key, _ in import_options()}
        unknown = sorted(set(options["option"]) - known)
        if unknown:
            raise CommandError(
                f"Option inconnue : {', '.join(unknown)}. Options disponibles : "
                f"{', '.join(sorted(known))}."
            )
        chosen = dict.fromkeys(options["option"], True)
        # Explicit flags of the importers' options (--option KEY works for any of them).
        # (--duplicates-as-unknown is accepted and ignored: that rule always applies now.)
        for flag in ("register_bassins", "keep_unknown_bassins"):
            if options[flag]:
                chosen[flag] = True
        try:
            batch = import_dataset(
                kind=options["kind"],
                path=path,
                file_name=path.name,
                vintage=options["vintage"],
                user=None,
                sync=options["sync"],
                options=chosen,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        batch.refresh_from_db()
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(batch), ensure_ascii=False, indent=2))
        else:
            self._print(batch)
        if batch.status in (ImportBatch.Status.REJECTED, ImportBatch.Status.FAILED):
            raise SystemExit(1)

    def _print(self, batch: ImportBatch) -> None:
        Status = ImportBatch.Status
        head = (
            f"Import n° {batch.pk} — {batch.get_kind_display() or 'type non reconnu'} — "
            f"{batch.file_name} : {batch.get_status_display()}"
        )
        if batch.status in (Status.DONE, Status.SUPERSEDED):
            self.stdout.write(self.style.SUCCESS(head))
            self.stdout.write(
                f"  millésime {batch.vintage or '—'}, période {batch.period or '—'}, "
                f"nomenclature {batch.nomenclature or '—'}"
            )
            self.stdout.write(
                f"  {batch.rows_read} lignes lues, {batch.rows_written} lignes écrites"
                + (f", remplace l'import n° {batch.supersedes_id}" if batch.supersedes_id else "")
            )
            durations = ", ".join(f"{k} {v:.2f} s" for k, v in batch.step_durations.items())
            if durations:
                self.stdout.write(f"  durées : {durations}")
            for label, text in import_batch_notes(batch):
                self.stdout.write(f"  {label} : {text}")
            return
        if batch.status in (Status.REJECTED, Status.FAILED):
            self.stderr.write(self.style.ERROR(head))
            if batch.error_message:
                self.stderr.write(f"  {batch.error_message}")
            for error in batch.error_report[:REPORT_LINES_SHOWN]:
                line = error.get("line")
                where = f"ligne {line}" if line is not None else "fichier"
                self.stderr.write(
                    f"  {where}, colonne « {error.get('column')} », valeur « "
                    f"{'' if error.get('value') is None else error.get('value')} » : "
                    f"{error.get('rule')}"
                )
            if batch.errors_total > REPORT_LINES_SHOWN:
                self.stderr.write(
                    f"  … et {batch.errors_total - REPORT_LINES_SHOWN} autres erreurs "
                    "(rapport complet sur la page de l'import)."
                )
            return
        self.stdout.write(head + f" ({batch.progress_percent} %, {batch.progress_step})")


def _as_json(batch: ImportBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "file_name": batch.file_name,
        "sha256": batch.sha256,
        "status": batch.status,
        "vintage": batch.vintage,
        "period": batch.period,
        "nomenclature": batch.nomenclature,
        "rows_read": batch.rows_read,
        "rows_written": batch.rows_written,
        "rows_rejected": batch.rows_rejected,
        "errors_total": batch.errors_total,
        "error_message": batch.error_message,
        "errors": batch.error_report[:REPORT_LINES_SHOWN],
        "supersedes": batch.supersedes_id,
        "step_durations": batch.step_durations,
        "notes": batch.notes,
    }
