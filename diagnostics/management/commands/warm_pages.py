"""Fill the pages' cached fragments (`diagnostics.views.page_warm`): the report of the latest run
of every basin (--references: of the national batches' reference basins too) for each kind of
reader, and every shared version for its readers. Run it once
the data is loaded and after a deployment, so that no reader pays for a cold fragment; the
worker does the same for each run it computes (PAGES_WARM_AFTER_RUN)."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from diagnostics.views.page_warm import pages_warm


class Command(BaseCommand):
    help = "Prépare dans le cache les fragments des pages (rapports des diagnostics, versions partagées)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--run", type=int, default=None, help="Seulement ce diagnostic (identifiant)."
        )
        parser.add_argument(
            "--references",
            action="store_true",
            help="Aussi le dernier diagnostic des bassins de référence (lots nationaux, atlas).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        built = pages_warm(run_id=options["run"], references=options["references"])
        backend = str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1]
        for path, count in built.items():
            self.stdout.write(f"{path} : {count} fragment(s) préparé(s)")
        self.stdout.write(
            f"{sum(built.values())} fragment(s) en {time.perf_counter() - started:.1f} s "
            f"(cache {backend})."
        )
        if backend == "LocMemCache":
            self.stderr.write(
                "Cache propre à ce processus (locmem) : les serveurs ne verront pas ces "
                "fragments. Donnez CACHE_URL (Redis) pour les partager."
            )
