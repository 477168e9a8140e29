"""python manage.py basin_create --name N (--zone-emploi CODE | --bassin-bmo CODE |
--epci CODE [CODE ...] | --communes CODE [CODE ...]) [--main-town CODE] [--json]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, BasinSource
from diagnostics.services.basin_eligibility import basin_eligibility
from diagnostics.services.basins import basin_create


def _yes_no(value: bool | None) -> str:
    return {True: "oui", False: "non", None: "à vérifier"}[value]


def _fr_int(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


class Command(BaseCommand):
    help = (
        "Enregistre un bassin d'emploi à partir d'une zone d'emploi, d'un bassin BMO, d'EPCI ou "
        "d'une liste de communes, et affiche sa population, ses communes et son éligibilité."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="nom du bassin (unique dans la région)")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--zone-emploi", metavar="CODE", help="code de zone d'emploi 2020")
        source.add_argument("--bassin-bmo", metavar="CODE", help="code de bassin BMO")
        source.add_argument(
            "--epci", metavar="CODE", nargs="+", help="SIREN d'un ou plusieurs EPCI"
        )
        source.add_argument(
            "--communes", metavar="CODE", nargs="+", help="codes INSEE des communes"
        )
        parser.add_argument(
            "--main-town", metavar="CODE", help="code INSEE de la ville principale (facultatif)"
        )
        parser.add_argument("--json", action="store_true", help="sortie JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["zone_emploi"]:
            kind, codes = BasinSource.ZONE_EMPLOI, [options["zone_emploi"]]
        elif options["bassin_bmo"]:
            kind, codes = BasinSource.BASSIN_BMO, [options["bassin_bmo"]]
        elif options["epci"]:
            kind, codes = BasinSource.EPCI, options["epci"]
        else:
            kind, codes = BasinSource.COMMUNES, options["communes"]
        try:
            created = basin_create(
                name=options["name"],
                source_kind=kind,
                source_codes=codes,
                main_town_code=options["main_town"],
                created_by=None,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

        # Re-read: with an eager (or fast) worker the refresh has run after commit.
        basin = Basin.objects.select_related("region", "main_town", "nearest_site").get(
            pk=created.pk
        )
        regions = list(basin.regions.order_by("code"))
        eligibility = basin_eligibility(basin=basin)
        if options["json"]:
            payload = {
                "id": basin.pk,
                "name": basin.name,
                "population": basin.population,
                "communes": basin.communes_count,
                "communes_without_population": basin.communes_without_population,
                "source_kind": basin.source_kind,
                "source_codes": basin.source_codes,
                "main_town": (
                    {
                        "code": basin.main_town.code,
                        "name": basin.main_town.name,
                        "population": basin.main_town.population,
                    }
                    if basin.main_town
                    else None
                ),
                "region": {"code": basin.region.code, "name": basin.region.name},
                "regions": [{"code": r.code, "name": r.name} for r in regions],
                "spans_regions": basin.spans_regions,
                "geometry_status": basin.geometry_status,
                "geometry_note": basin.geometry_note,
                "eligibility": eligibility.as_dict(),
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return

        town = basin.main_town
        lines = [
            f"Bassin « {basin.name} » enregistré (n° {basin.pk}).",
            f"  Population : {_fr_int(basin.population)} habitants"
            + (
                f" ({basin.communes_without_population} communes sans population connue)"
                if basin.communes_without_population
                else ""
            ),
            f"  Communes : {basin.communes_count}",
            f"  Ville principale : {town.name} ({town.code})" if town else "  Ville principale : —",
            "  Région"
            + ("s" if len(regions) > 1 else "")
            + " : "
            + ", ".join(f"{r.name} ({r.code})" for r in regions)
            + (" — à cheval sur deux régions" if basin.spans_regions else ""),
            "  Éligibilité :",
            f"    population de {_fr_int(eligibility.population_min)} à "
            f"{_fr_int(eligibility.population_max)} : {_yes_no(eligibility.population_ok)}",
            f"    ville principale de {_fr_int(eligibility.main_town_min)} à "
            f"{_fr_int(eligibility.main_town_max)} habitants : "
            f"{_yes_no(eligibility.main_town_ok)}",
            "    site Cnam le plus proche : "
            + (
                f"{eligibility.nearest_site_name}, "
                + f"{eligibility.nearest_site_km:.1f}".replace(".", ",")
                + " km"
                if eligibility.nearest_site_km is not None
                else "inconnue"
            ),
        ]
        self.stdout.write("\n".join(lines))
