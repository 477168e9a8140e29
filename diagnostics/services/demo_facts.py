"""The demo's labour-market facts: generated files imported through the real importers.

`synthetic_files.demo_files` writes the files in the publishers' layouts; each is imported with
`import_dataset` (synchronously), so it is an import batch like any other, shown on the imports
page, with its file name tagged « demo-fictif » and the option `DEMO_OPTION` that the pages use
to label the figures « données fictives de démonstration ». The same file imported again is a
no-op (same SHA-256), so a second demo run adds nothing.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from diagnostics.analytics.synthetic import SyntheticTerritory
from diagnostics.analytics.synthetic_file_common import DEMO_LABEL, DEMO_OPTION
from diagnostics.analytics.synthetic_files import DemoFile, demo_files
from diagnostics.errors import ApplicationError
from diagnostics.models import ImportBatch, User
from diagnostics.services.import_requests import import_dataset

CATALOGUE_FIXTURE = "catalogue_illustratif.json"
_FAP2009 = re.compile(r"[A-Z]\d[A-Z]\d{2}")


class DemoFactsError(ApplicationError):
    code = "demo_facts_error"


@dataclass
class DemoFactsReport:
    imported: list[str] = field(default_factory=list)  # file names imported this time
    already: list[str] = field(default_factory=list)  # file names found already imported


def catalogue_codes(
    path: Path | None = None,
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """The BMO métier codes and ROME codes the illustrative catalogue links to, and (ROME,
    FAP 2009) pairs
    (a path's ROME codes with its first FAP 2009 based BMO code). Read from the fixture file,
    not through the catalogue app (which builds on this one)."""
    path = path or Path(settings.BASE_DIR) / "fixtures" / CATALOGUE_FIXTURE
    data = json.loads(path.read_text(encoding="utf-8"))
    metiers: set[str] = set()
    romes: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for item in data.get("paths", []):
        codes = [str(code) for code in item.get("bmo", [])]
        metiers.update(codes)
        fap = next((code for code in codes if code[2] != "X" and _FAP2009.fullmatch(code)), None)
        for rome in item.get("rome", []):
            romes.add(str(rome))
            if fap:
                pairs.add((str(rome), fap))
    # One FAP per ROME code (the first in code order), as in the published 2019 file.
    first: dict[str, str] = {}
    for rome, fap in sorted(pairs):
        first.setdefault(rome, fap)
    return sorted(metiers), sorted(romes), sorted(first.items())


def catalogue_equivalents(path: Path | None = None) -> dict[str, list[str]]:
    """FAP 2009 based BMO code → the FAP 2021 based codes (3rd character X) of the first
    catalogue path (in code order) that lists both: the fixture gives each path its codes of
    both nomenclatures."""
    path = path or Path(settings.BASE_DIR) / "fixtures" / CATALOGUE_FIXTURE
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for item in sorted(data.get("paths", []), key=lambda p: str(p.get("code", ""))):
        codes = [str(code) for code in item.get("bmo", [])]
        new = sorted(code for code in codes if code[2] == "X")
        for old in codes:
            if old[2] == "Z" and new:
                out.setdefault(old, new)
    return out


def demo_facts_files(territory: SyntheticTerritory) -> list[DemoFile]:
    metiers, romes, rome_fap = catalogue_codes()
    return demo_files(
        territory.frames,
        metiers=metiers,
        romes=romes,
        rome_fap=rome_fap,
        equivalents=catalogue_equivalents(),
    )


def demo_facts_import(
    files: Iterable[DemoFile],
    *,
    user: User | None,
    log: Callable[[str], None],
) -> DemoFactsReport:
    """Import `files` in order; raise DemoFactsError when one is refused (a generator bug)."""
    report = DemoFactsReport()
    with tempfile.TemporaryDirectory(prefix="demo_data_") as tmp:
        for demo_file in files:
            path = Path(tmp) / demo_file.name
            path.write_bytes(demo_file.content)
            existed = ImportBatch.objects.filter(
                file_name=demo_file.name, status=ImportBatch.Status.DONE
            ).exists()
            batch = import_dataset(
                kind=demo_file.kind,
                path=path,
                file_name=demo_file.name,
                # The job seekers by sector file carries no date (as the publisher's).
                vintage=demo_file.vintage if demo_file.kind == "defm_secteur" else None,
                user=user,
                sync=True,
                options={DEMO_OPTION: True},
            )
            if batch.status != ImportBatch.Status.DONE:
                raise DemoFactsError(
                    f"Fichier de démonstration « {demo_file.name} » refusé par l'import : "
                    f"{batch.error_message or batch.get_status_display()}"
                )
            (report.already if existed else report.imported).append(demo_file.name)
    if report.imported:
        log(f"{DEMO_LABEL} importées : {', '.join(report.imported)}")
    return report
