"""python manage.py recommend --basin ID [--json] [--profile VERSION]

The implantation recommendation of a basin, computed like its page (the data, assets and
scoring profile in force; the same inputs give the same stored recommendation). `--json` prints
the document: {"concept": "turnkey" | "fab_id" | "progressive" | null, "scores": {"turnkey",
"fab_id", "progressive"}, "constraints": [...], "criteria": [...], "robustness": 0..1, "label",
"sensitivity", "profile", "diagnostic_run", "sources", ...}.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin
from implantations.analytics import honesty
from implantations.analytics.criteria import CONCEPT_LABELS, CONCEPTS
from implantations.models import ScoringProfile


class Command(BaseCommand):
    help = "Recommande un concept d'implantation pour un bassin (mêmes règles que sa page)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--basin", type=int, required=True, help="Identifiant du bassin.")
        parser.add_argument("--json", action="store_true", help="Afficher le résultat en JSON.")
        parser.add_argument(
            "--profile",
            type=int,
            default=None,
            metavar="VERSION",
            help="Version du profil de notation (par défaut : la dernière).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from implantations.services.recommendation import recommendation_compute

        basin = Basin.objects.filter(pk=options["basin"]).first()
        if basin is None:
            raise CommandError(f"Bassin n° {options['basin']} introuvable.")
        profile = None
        if options["profile"] is not None:
            profile = ScoringProfile.objects.filter(version=options["profile"]).first()
            if profile is None:
                versions = ", ".join(
                    str(v) for v in ScoringProfile.objects.values_list("version", flat=True)
                )
                raise CommandError(
                    f"Profil de notation version {options['profile']} introuvable "
                    f"(versions : {versions or 'aucune'})."
                )
        try:
            recommendation = recommendation_compute(basin=basin, profile=profile)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        document = recommendation.document
        if options["json"]:
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        # The summary follows the honesty rules (the JSON is the engine's stored record).
        document = honesty.honest_document(document)
        concept = document["concept"]
        title = CONCEPT_LABELS[concept] if concept else "aucun concept recommandable"
        label = f" ({document['label']})" if concept else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Bassin « {basin.name} » : {title}{label} — recommandation n° "
                f"{recommendation.pk}, profil version {document['profile']['version']}."
            )
        )
        for k in CONCEPTS:
            score = document["scores"][k]
            constraint = next(c for c in document["constraints"] if c["concept"] == k)
            status = "condition remplie" if constraint["passed"] else "condition non remplie"
            shown = honesty.format_figure(score, empty=honesty.INSUFFICIENT)
            unit = "" if score is None else " / 100"
            self.stdout.write(f"  {CONCEPT_LABELS[k]:<22} {shown:>6}{unit}  · {status}")
        self.stdout.write(
            f"  Robustesse : {document['robustness'] * 100:.0f} % des "
            f"{document['sensitivity']['draws']} tirages".replace(".", ",")
        )
        for reason in document["reasons"]:
            self.stdout.write(f"  {reason}")
        for note in document.get("notes") or []:
            self.stdout.write(f"  ⚠ {note}")
