"""Restore a backup written by `manage.py backup` (diagnostics.services.backup): replaces the
database and the media folder, then marks failed the runs and imports caught mid-work."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.services.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restaure une sauvegarde (remplace la base de données et les fichiers déposés)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="Dossier de la sauvegarde (écrit par `backup`).")
        parser.add_argument(
            "--yes", action="store_true", help="Confirmer : la base actuelle est remplacée."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError(
                "La restauration remplace la base et les fichiers actuels : relancez avec --yes."
            )
        try:
            report = backup_restore(source=Path(options["source"]))
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Restauration terminée : {report.media_files} fichier(s) déposé(s), "
            f"{report.runs_failed} diagnostic(s) et {report.imports_failed} import(s) en cours "
            "au moment de la sauvegarde marqués en échec (à relancer)."
        )
