"""Delete the security audit entries older than the retention (AUDIT_RETENTION_DAYS days by
default, or --days). Beat runs the same purge daily."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.services.audit import audit_purge


class Command(BaseCommand):
    help = (
        "Supprime les entrées du journal de sécurité plus anciennes que la durée de conservation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Durée de conservation en jours (par défaut AUDIT_RETENTION_DAYS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            deleted = audit_purge(older_than_days=options["days"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{deleted} entrée(s) du journal supprimée(s).")
