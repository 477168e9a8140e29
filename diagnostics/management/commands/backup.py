"""Back up the database and the uploaded files (diagnostics.services.backup)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.services.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers déposés (un dossier par sauvegarde)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dest",
            default=str(Path(settings.VAR_DIR) / "sauvegardes"),
            help="Dossier où écrire la sauvegarde (par défaut var/sauvegardes).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            folder = backup_create(destination=Path(options["dest"]))
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Sauvegarde écrite : {folder}")
