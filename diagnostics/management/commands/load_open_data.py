"""python manage.py load_open_data --source DOSSIER [--json]

Loads every official dataset found in a folder laid out like ../shared/data, in dependency
order (diagnostics.services.open_data), with one progress line per step and a closing table.
Unchanged files are skipped. Exit code 1 when a step was refused or failed; a missing dataset
is named and does not change the exit code.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.errors import ApplicationError
from diagnostics.services.open_data import MISSING, StepResult, open_data_load


class Command(BaseCommand):
    help = (
        "Charge toutes les données ouvertes d'un dossier rangé comme ../shared/data : "
        "territoires, ROME, FAP, BMO, chômage, demandeurs d'emploi, tensions, lycées. "
        "Les fichiers déjà chargés sont sautés. Code de sortie 1 si une étape est refusée."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source", required=True, type=Path, metavar="DOSSIER", help="dossier des données"
        )
        parser.add_argument("--json", action="store_true", help="bilan en JSON sur stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json: bool = options["json"]

        def log(line: str) -> None:
            (self.stderr if as_json else self.stdout).write(line)

        try:
            results = open_data_load(source_dir=options["source"], log=log)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if as_json:
            self.stdout.write(json.dumps([asdict(r) for r in results], ensure_ascii=False))
        else:
            self.stdout.write(closing_table(results))
        missing = [r.label for r in results if r.status == MISSING]
        if missing:
            (self.stderr if as_json else self.stdout).write(
                "Jeux absents du dossier : " + ", ".join(missing) + "."
            )
        bad = [r for r in results if r.failed]
        if bad:
            raise CommandError(
                "Étape(s) refusée(s) ou en échec : " + ", ".join(r.label for r in bad) + "."
            )


def closing_table(results: list[StepResult]) -> str:
    head = ("jeu de données", "fichier", "gardées", "refusées", "état", "durée")
    rows = [
        (
            r.label,
            Path(r.file).name if r.file else "",
            str(r.rows_kept),
            str(r.rows_refused),
            r.status,
            f"{r.seconds:.1f} s" if r.status != MISSING else "",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    right = {2, 3, 5}

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    total = sum(r.seconds for r in results)
    out = [line(head), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows]
    out.append(f"Total : {total:.1f} s")
    return "\n".join(out)
