"""Known codes for the importer tests, built from the official territory files with the project's
own territory readers (so they are exactly what `load_territories` stores), and a light loader
of those codes into the test database (no geometry: the facts only need the codes)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from diagnostics.analytics import columns as c
from diagnostics.importers import territories as t
from diagnostics.importers import territory_cog, territory_zonings
from diagnostics.importers.contract import ValidationContext


@lru_cache(maxsize=2)
def _frames(data_dir: str) -> dict[str, Any]:
    root = Path(data_dir)
    cog = territory_cog.read_cog_communes(root / t.FILES["cog_communes"])
    return {
        "regions": territory_cog.read_regions(root / t.FILES["regions"]),
        "departements": territory_cog.read_departements(root / t.FILES["departements"]),
        "communes": cog.communes,
        "changes": territory_cog.read_code_changes(root / t.FILES["code_changes"]),
        "bassins": territory_zonings.read_bassins_bmo(root / t.FILES["bassins_bmo"]).zones,
        "rome": pd.read_csv(root / "rome_fap/unix_referentiel_code_rome_v460_utf8.csv", dtype=str)[
            "code_rome"
        ],
    }


def open_data_context(data_dir: Path, **options: Any) -> ValidationContext:
    """The validation context the service would build once the territories and the ROME
    referential are loaded."""
    f = _frames(str(data_dir))
    changes = f["changes"]
    return ValidationContext(
        communes=frozenset(f["communes"][c.CODE]),
        code_changes=dict(zip(changes[c.OLD_CODE], changes[c.NEW_CODE], strict=True)),
        departements=frozenset(f["departements"][c.CODE]),
        regions=frozenset(f["regions"][c.CODE]),
        bassins_bmo=frozenset(f["bassins"][c.CODE]),
        rome=frozenset(f["rome"]),
        options=dict(options),
    )


def load_reference_codes(data_dir: Path) -> None:
    """Régions, départements, communes (codes and names), bassins BMO and code changes."""
    from diagnostics.models import BassinBmo, Commune, CommuneCodeChange, Departement, Region

    f = _frames(str(data_dir))
    Region.objects.bulk_create(
        [Region(code=r[c.CODE], name=r[c.NAME]) for r in f["regions"].to_dict("records")]
    )
    Departement.objects.bulk_create(
        [
            Departement(code=r[c.CODE], name=r[c.NAME], region_id=r[c.REGION_CODE])
            for r in f["departements"].to_dict("records")
        ]
    )
    Commune.objects.bulk_create(
        [Commune(code=r[c.CODE], name=r[c.NAME]) for r in f["communes"].to_dict("records")],
        batch_size=2000,
    )
    BassinBmo.objects.bulk_create(
        [BassinBmo(code=r[c.CODE], name=r[c.NAME]) for r in f["bassins"].to_dict("records")]
    )
    CommuneCodeChange.objects.bulk_create(
        [
            CommuneCodeChange(old_code=r[c.OLD_CODE], new_code=r[c.NEW_CODE], year=int(r[c.YEAR]))
            for r in f["changes"].to_dict("records")
        ],
        batch_size=2000,
    )


def tiny_context(**options: Any) -> ValidationContext:
    """A handful of codes for the small bad-input files."""
    return ValidationContext(
        communes=frozenset({"52121", "35360", "01001", "49126", "75056", "69123"}),
        code_changes={"49069": "49126"},
        departements=frozenset({"52", "35", "01", "2A", "971"}),
        regions=frozenset({"44", "53", "84"}),
        bassins_bmo=frozenset({"4418", "5317", "0101", "0203", "1107"}),
        rome=frozenset({"A1101", "M1805", "K2204"}),
        options=dict(options),
    )


# --- Fixtures for the end-to-end import tests (import them into the test module) -------------


@pytest.fixture(scope="module")
def territories(
    django_db_setup: None, django_db_blocker: Any, open_data_dir: Path
) -> Iterator[Path]:
    """The territory codes of ../shared/data, loaded once per test module (≈ 10 s on SQLite)
    outside the tests' transactions, and removed after the module. Tests using it must use the
    `db` fixture (rolled back), never `transactional_db` (which would flush them)."""
    with django_db_blocker.unblock():
        load_reference_codes(open_data_dir)
    yield open_data_dir
    with django_db_blocker.unblock():
        clear_reference_codes()


def clear_reference_codes() -> None:
    from diagnostics.models import BassinBmo, Commune, CommuneCodeChange, Departement, Region

    # Raw deletes: nothing else points to these rows in the import tests, and the ORM's
    # cascade collection over 35,000 communes takes seconds.
    for model in (CommuneCodeChange, Commune, BassinBmo, Departement, Region):
        model.objects.all()._raw_delete(model.objects.db)


def import_file(path: Path, kind: str | None, **kwargs: Any) -> Any:
    from diagnostics.services.import_requests import import_dataset

    batch = import_dataset(kind=kind, path=path, file_name=path.name, sync=True, **kwargs)
    batch.refresh_from_db()
    return batch
