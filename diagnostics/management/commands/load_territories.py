import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.errors import ApplicationError
from diagnostics.models import TerritoryLoad
from diagnostics.services.territories import territories_load
from diagnostics.services.territory_datasets import DATASETS


class Command(BaseCommand):
    help = (
        "Charge les référentiels territoriaux (régions, départements, EPCI, zones d'emploi avec "
        "leurs contours, bassins BMO, communes, changements de code) depuis les fichiers "
        "officiels rangés comme dans ../shared/data. Exemple : load_territories --source "
        "../shared/data [--only communes zones_emploi] [--json]. Code de sortie 1 si un jeu est "
        "refusé ; un fichier absent est signalé sans bloquer les autres jeux."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source", required=True, type=Path, metavar="DOSSIER", help="dossier des données"
        )
        parser.add_argument(
            "--only",
            nargs="+",
            choices=DATASETS,
            metavar="JEU",
            help=f"ne charger que ces jeux ({', '.join(DATASETS)})",
        )
        parser.add_argument(
            "--json", action="store_true", help="écrire le bilan en JSON (une liste) sur stdout"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_json: bool = options["json"]

        # Progress goes to stderr with --json so that stdout stays one JSON document.
        def log(line: str) -> None:
            (self.stderr if as_json else self.stdout).write(line)

        try:
            loads = territories_load(source_dir=options["source"], only=options["only"], log=log)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        # Without --json, `log` has already printed one summary line per dataset.
        if as_json:
            self.stdout.write(json.dumps([_as_dict(load) for load in loads], ensure_ascii=False))
        refused = [load for load in loads if load.status == TerritoryLoad.Status.FAILED]
        if refused:
            # CommandError goes to stderr: with --json, stdout stays one JSON document.
            names = ", ".join(load.dataset for load in refused)
            raise CommandError(f"Jeu(x) refusé(s) : {names}.")


def _as_dict(load: TerritoryLoad) -> dict[str, Any]:
    return {
        "dataset": load.dataset,
        "status": load.status,
        "rows": load.rows,
        "source_file": load.source_file,
        "sha256": load.sha256,
        "message": load.message,
        "duration_s": load.duration_s,
        "details": load.details,
    }
