"""python manage.py plan_region --region 44 [--source zone_emploi|bassin_bmo|registered] [--n 5]
[--budget EUROS] [--min-km 40] [--cost-turnkey EUROS] [--cost-fab-id EUROS]
[--cost-progressive EUROS] [--json]"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.errors import ApplicationError
from implantations.analytics import planning_columns as pc
from implantations.services import planning, planning_candidates, planning_parameters


def _fr(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")


class Command(BaseCommand):
    help = (
        "Classe les bassins candidats d'une région selon leur adéquation au programme, puis "
        "choisit N sites sous contrainte de budget et de distance (heuristique gloutonne et "
        "programme linéaire en nombres entiers)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="code INSEE de la région (ex. 44)")
        parser.add_argument(
            "--source",
            default=pc.LEVEL_ZONE_EMPLOI,
            choices=list(planning_parameters.SOURCES),
            help="candidats : zones d'emploi (défaut), bassins BMO ou bassins enregistrés",
        )
        parser.add_argument("--n", type=int, default=5, help="nombre maximal de sites (5)")
        parser.add_argument("--budget", type=float, default=None, help="budget total en euros")
        parser.add_argument(
            "--min-km", type=float, default=40.0, help="distance minimale entre sites (40 km)"
        )
        for concept in ("turnkey", "fab_id", "progressive"):
            parser.add_argument(
                f"--cost-{concept.replace('_', '-')}",
                type=float,
                default=None,
                dest=f"cost_{concept}",
                help=f"coût d'un site {concept} en euros (défaut : modèle économique)",
            )
        parser.add_argument("--json", action="store_true", help="sortie JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        costs = {
            concept: options[f"cost_{concept}"]
            for concept in ("turnkey", "fab_id", "progressive")
            if options[f"cost_{concept}"] is not None
        }
        try:
            plan = planning.region_plan(
                region_code=options["region"],
                source=options["source"],
                n=options["n"],
                budget=options["budget"],
                min_km=options["min_km"],
                costs=costs,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            payload = plan.as_dict()
            payload["timings_s"] = {k: round(v, 3) for k, v in plan.timings.items()}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self._print(plan)

    def _print(self, plan: planning.RegionPlan) -> None:
        out = self.stdout.write
        out(f"{plan.region.name} ({plan.region.code}) — {plan.source_label_inline}")
        out(f"{len(plan.candidates)} candidats, classés par adéquation (sur 100) :")
        for row in plan.candidates.to_dict("records"):
            eligible = {True: "éligible", False: "hors critères"}.get(
                row[pc.ELIGIBLE], "à vérifier"
            )
            concept = row.get(planning.CONCEPT_LABEL) or "—"
            label = (
                f" ({row[planning.ROBUSTNESS_LABEL]})" if row.get(planning.ROBUSTNESS_LABEL) else ""
            )
            mark = " *" if row[planning.SELECTED] else ""
            fit = row[pc.FIT]
            rank = row[pc.RANK]
            # Honesty rules: an unranked candidate (ineligible, too little data) has no rank.
            place = "  –" if rank is None or rank is pd.NA else f"{int(rank):>3}"
            fit_text = (
                "données insuffisantes"
                if fit is None or fit is pd.NA or fit != fit
                else _fr(float(fit), 1)
            )
            out(
                f"{place}. {row[pc.NAME]} [{row[planning_candidates.CODE]}]{mark} — "
                f"adéquation {fit_text}, "
                f"{_fr(float(row[pc.POPULATION]))} hab., {eligible}, concept {concept}{label}"
            )
        s = plan.selection
        if s is None:
            return
        out("")
        out(f"Sites proposés (*) : {len(s.chosen)} — méthode : {s.method_label}")
        out(f"  besoin couvert : {_fr(s.objective, 1)} ; coût : {_fr(s.cost)} €")
        out(f"  heuristique gloutonne : {_fr(s.greedy_objective, 1)}")
        if s.gap is not None:
            out(f"  écart de l'heuristique à l'optimum : {_fr(s.gap * 100, 2)} %")
        else:
            out(f"  programme en nombres entiers : {s.ilp_status}")
        for note in plan.notes:
            out(f"Note : {note}")
