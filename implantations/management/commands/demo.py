import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.errors import ApplicationError
from diagnostics.services.demo import DemoReport, demo_build
from implantations.services.demo import DemoImplantationsReport, demo_implantations_build

# In implantations (not diagnostics): the demo also builds the assets, recommendations and
# projects of this app, and diagnostics must not import it.


class Command(BaseCommand):
    help = (
        "Prépare la démonstration : un territoire (synthétique, ou les territoires réels quand "
        "OPEN_DATA_DIR est défini), des sites Cnam, un compte par rôle et quelques bassins ; "
        "sur le territoire synthétique, des données fictives du marché du travail importées, "
        "les diagnostics, recommandations, un scénario et un projet. "
        "Relançable sans doublon ; affiche les identifiants."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/",
            help="adresse du serveur à afficher (défaut : http://127.0.0.1:8000/)",
        )
        parser.add_argument(
            "--open-data-dir",
            type=Path,
            default=None,
            metavar="DOSSIER",
            help="données ouvertes réelles (défaut : le réglage OPEN_DATA_DIR ; sans lui, "
            "territoire synthétique)",
        )
        parser.add_argument(
            "--reload-territories",
            action="store_true",
            help="recharger les territoires réels même s'ils sont déjà en base",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path | None = options["open_data_dir"] or settings.OPEN_DATA_DIR
        if source is not None and not Path(source).is_dir():
            raise CommandError(f"Dossier de données introuvable : {source}")
        self.stdout.write(
            "Démo : "
            + (f"territoires réels ({source})" if source else "territoire synthétique")
            + "…"
        )
        log = lambda message: self.stdout.write(f"  {message}")  # noqa: E731
        start = time.perf_counter()
        try:
            report = demo_build(
                open_data_dir=Path(source) if source else None,
                reload_territories=options["reload_territories"],
                log=log,
            )
            step = time.perf_counter()
            extra = demo_implantations_build(report, log=log)
            report.timings.append(("implantations", time.perf_counter() - step))
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self._print(report, extra, url=options["url"], elapsed=time.perf_counter() - start)

    def _print(
        self, report: DemoReport, extra: DemoImplantationsReport, *, url: str, elapsed: float
    ) -> None:
        out = self.stdout.write
        for message in report.territory_messages:
            out(f"Territoires : {message}")
        out("")
        out("Bassins de démonstration :")
        for basin in report.basins:
            state = "créé" if basin.created else "déjà présent"
            eligible = {True: "dans les bornes", False: "hors bornes", None: "inconnue"}[
                basin.eligible_population
            ]
            shared = f", partagé avec {', '.join(basin.shared_with)}" if basin.shared_with else ""
            population = f"{basin.population:,}".replace(",", "\u202f")
            out(
                f"  - {basin.name} (région {basin.region_code}, {basin.source_kind}) : "
                f"{population} hab., population {eligible}, {state}{shared}"
            )
        out("Sites Cnam de démonstration : " + " ; ".join(extra.sites))
        out(f"Diagnostics calculés : {report.diagnostics} sur {len(report.basins)} bassins")
        if report.fact_files:
            out(
                f"Données fictives de démonstration : {len(report.fact_files)} fichiers importés "
                "(page Imports)"
            )
        for name, concept in extra.recommendations.items():
            out(f"  recommandation pour {name} : {concept or 'aucun concept'}")
        if extra.project:
            out(f"Scénario enregistré : {extra.scenario} ; projet : {extra.project}")
        if extra.shared_version:
            out(
                f"Diagnostic partagé avec demo-mairie : version n° {extra.shared_version} "
                f"({url.rstrip('/')}/partages/{extra.shared_version}/), avec commentaires et une "
                "contribution à examiner"
            )
        out("")
        timings = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in report.timings)
        out(f"Durées : {timings}")
        out(f"Démo construite en {elapsed:.1f} s")
        out("")
        width = max(len(a.username) for a in report.accounts)
        rule = "=" * 78
        out(self.style.SUCCESS(rule))
        out(self.style.SUCCESS(f"Démo prête : {url}"))
        out(f"Mot de passe commun à tous les comptes : {report.password}")
        out("")
        for account in report.accounts:
            regions = ", ".join(account.regions) if account.regions else "—"
            out(f"  {account.username:<{width}}  {account.role_label} (régions : {regions})")
        out("")
        if report.api_token:
            out(
                f"Jeton API de demo-api (affiché une seule fois, stocké haché) : {report.api_token}"
            )
            out(f"  en-tête HTTP : Authorization: Token {report.api_token}")
        else:
            out(
                "Jeton API de demo-api : déjà créé (affiché une seule fois, stocké haché) ; "
                "page « Jetons d'API » de demo-api pour le révoquer et en créer un autre"
            )
        out(f"  documentation de l'API : {url.rstrip('/')}/api/docs/")
        out(self.style.SUCCESS(rule))
