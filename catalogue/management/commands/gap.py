"""python manage.py gap --basin ID [--concept CODE] [--public CODE] [--weights …] [--json]

The paths of the catalogue ranked against the needs of a basin (its latest done diagnostic),
each line explained. Exit code ≠ 0 with a French message when the basin is unknown or has no
done diagnostic.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.analytics import columns as g
from catalogue.analytics.gap_params import GapParams
from catalogue.api.serializers import parse_weights
from catalogue.selectors.gap import GapError, basin_gap, gap_document
from diagnostics.models import Basin

SHORT_LABELS = {
    g.C_PROJECTS: "projets",
    g.C_DIFFICULTY: "difficulté",
    g.C_TREND: "évolution",
    g.C_JOB_SEEKERS: "demandeurs",
    g.C_TENSION: "tension",
}


class Command(BaseCommand):
    help = (
        "Classe les parcours du catalogue selon l'écart entre les besoins d'un bassin (son "
        "dernier diagnostic terminé) et l'offre locale de formation, avec une explication par "
        "ligne."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--basin", type=int, required=True, metavar="ID", help="id du bassin")
        parser.add_argument("--concept", default="", help="code de concept (ex. fab_id)")
        parser.add_argument("--public", default="", help="code de public (ex. decrocheurs)")
        parser.add_argument(
            "--weights",
            default="",
            help="poids des composantes, ex. c_projects:0.5,c_difficulty:0.5 (les autres à 0)",
        )
        parser.add_argument("--top", type=int, default=0, help="n'afficher que les N premiers")
        parser.add_argument("--json", action="store_true", help="sortie JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        basin = Basin.objects.filter(pk=options["basin"]).defer("geometry").first()
        if basin is None:
            raise CommandError(f"Bassin n° {options['basin']} introuvable.")
        try:
            params = (
                GapParams(weights=parse_weights(options["weights"])) if options["weights"] else None
            )
            report = basin_gap(
                basin, concept=options["concept"], public=options["public"], params=params
            )
        except (GapError, ValueError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc
        document = gap_document(report)
        if options["top"]:
            ranked = [line for line in document["lines"] if line["rank"] is not None]
            document["lines"] = ranked[: options["top"]]
        if options["json"]:
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        self._print(document)

    def _print(self, document: dict[str, Any]) -> None:
        out = self.stdout.write
        out(
            f"Parcours prioritaires — {document['basin']['name']} (bassin n° "
            f"{document['basin']['id']}, diagnostic n° {document['diagnostic']['id']})"
        )
        filters = {k: v for k, v in document["filters"].items() if v}
        if filters:
            out("Filtres : " + ", ".join(f"{k} = {v}" for k, v in filters.items()))
        if document["illustrative_catalogue"]:
            out("Catalogue illustratif (exemples construits pour la démonstration).")
        for warning in document["warnings"]:
            out(self.style.WARNING(f"Attention : {warning}"))
        out("")
        for line in document["lines"]:
            if line[g.RANK] is None:
                continue
            score = f"{line[g.SCORE]:.1f}".replace(".", ",")
            flag = " [la formation n'est pas le levier]" if line[g.FLAGGED] else ""
            out(f"{line[g.RANK]:>3}. {line[g.TITLE]} ({line[g.PATH_CODE]}) — score {score}{flag}")
            components = ", ".join(
                f"{SHORT_LABELS[c]} {line[c]:.2f}".replace(".", ",")
                for c in g.COMPONENTS
                if line[c] is not None
            )
            coverage = f"{line[g.COVERAGE] * 100:.0f}"
            out(f"     composantes : {components} ; couverture locale {coverage} %")
            out(f"     {line[g.EXPLANATION]}")
        left_out = [line for line in document["lines"] if line[g.RANK] is None]
        if left_out:
            out("")
            out(f"Parcours non classés ({len(left_out)}) :")
            for line in left_out:
                out(f"  - {line[g.TITLE]} ({line[g.PATH_CODE]}) : {line[g.EXCLUDED_REASON]}")
        out("")
        out(f"Méthode : {document['method']}")
