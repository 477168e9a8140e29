"""Load every official dataset of a folder laid out like `../shared/data`, in one call.

Two parts:
- `open_data_discover(source_dir)`: pure (reads only the folder listing), says which file is
  which dataset, in dependency order, and names the datasets whose file is absent;
- `open_data_load(source_dir, log=…)`: the territories (`territories_load`), then each file
  through the import service (`imports.import_dataset`, in-process), and returns one
  `StepResult` per step for the closing table.

Re-running skips what did not change: the territories when every dataset's last load is `done`
with the same file hashes; an import when a `done` batch already has the file's SHA-256 (the
import service dedupes by hash, no new batch). A missing file is named and the rest loads; a
refused or failed step does not stop the others (the command's exit code says it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from diagnostics.errors import ApplicationError
from diagnostics.importers import territories as territory_files
from diagnostics.models import ImportBatch, TerritoryLoad
from diagnostics.services import territories as territory_service
from diagnostics.services import territory_datasets
from diagnostics.services.import_requests import file_sha256, import_dataset

Log = Callable[[str], None]
TERRITORIES = "territories"

# Step statuses (French, shown in the closing table).
LOADED = "chargé"
UNCHANGED = "inchangé"
MISSING = "absent"
REFUSED = "refusé"
FAILED = "échec"
BAD_STATUSES = (REFUSED, FAILED)


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset of the folder: `pattern` is a glob under the folder; `many` makes one step
    per matching file (the BMO campaigns), else the first match in name order is used."""

    key: str
    label: str
    kind: str  # an import kind, or TERRITORIES
    pattern: str
    vintage: str = ""
    many: bool = False


# Dependency order: territories (every code checked against them), referentials (ROME before
# the tensions), then the facts.
DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec(TERRITORIES, "Territoires (communes, zonages, EPCI)", TERRITORIES, "*"),
    DatasetSpec(
        "rome_codes", "ROME : codes", "rome", "rome_fap/unix_referentiel_code_rome_v*_utf8.csv"
    ),
    DatasetSpec(
        "rome_appellations",
        "ROME : appellations",
        "rome",
        "rome_fap/unix_referentiel_appellation_v*_utf8.csv",
    ),
    DatasetSpec(
        "rome_domaines",
        "ROME : domaines professionnels",
        "rome",
        "rome_fap/gip_code_rome_domaine_professionnel.csv",
    ),
    # Two copies of the same nomenclature are published; the first in name order is loaded.
    DatasetSpec("fap", "Nomenclature FAP 2021", "fap", "fap_nomenclature/*[Ff][Aa][Pp]2021.csv"),
    DatasetSpec("bmo", "BMO", "bmo", "bmo/Base_open_data_BMO_*.xlsx", many=True),
    DatasetSpec(
        "chomage_ze", "Chômage par zone d'emploi", "chomage_ze", "chomage_ze/chomage-zone-*.xlsx"
    ),
    DatasetSpec(
        "defm",
        "Demandeurs d'emploi par commune",
        "defm",
        "demandeurs_emploi/odis_emploi_demandeur_export_*.csv",
    ),
    DatasetSpec(
        "defm_secteur",
        "Demandeurs d'emploi par bassin et secteur",
        "defm_secteur",
        "demandeurs_emploi/mobiville_secteurs_bassins_defm.csv",
        # The file carries no date; its README dates it ~2022 (ADR 0005).
        vintage="2022",
    ),
    DatasetSpec(
        "tensions_2019",
        "Tensions 2019",
        "tensions",
        "tensions_bassin_metier/mobiville_tensions_fap_rome_bassin_2019*.csv",
    ),
    DatasetSpec(
        "tensions_2021",
        "Tensions 2021",
        "tensions",
        "tensions_bassin_metier/mobiville_tensions_rome_bassin_2021*.csv",
    ),
    DatasetSpec(
        "population_age",
        "Population par département, sexe et âge",
        "population_age",
        "population_age/estim-pop-dep-sexe-aq-*.xlsx",
    ),
    DatasetSpec(
        "lycees_national",
        "Lycées (liste nationale réduite)",
        "lycees",
        "annuaire_education/odis_lycees_france_coords.csv",
    ),
    DatasetSpec(
        "lycees_35",
        "Lycées (annuaire officiel, Ille-et-Vilaine)",
        "lycees",
        "annuaire_education/*fr-en-annuaire-education*.csv",
    ),
)


@dataclass(frozen=True)
class FoundDataset:
    """A discovery result: the dataset and its file (None when absent; the folder itself for
    the territories)."""

    key: str
    label: str
    kind: str
    path: Path | None
    vintage: str = ""
    pattern: str = ""


@dataclass
class StepResult:
    key: str
    label: str
    file: str
    status: str
    rows_kept: int = 0
    rows_refused: int = 0
    seconds: float = 0.0
    message: str = ""
    batch_id: int | None = None

    @property
    def failed(self) -> bool:
        return self.status in BAD_STATUSES


# --- Discovery (pure: the folder listing only) -----------------------------------------------


def open_data_discover(source_dir: Path) -> list[FoundDataset]:
    """Which file of `source_dir` is which dataset, in load order; absent ones with `path=None`.
    The territories are found when their main file (the commune table) is present."""
    root = Path(source_dir)
    found: list[FoundDataset] = []
    for spec in DATASETS:
        if spec.kind == TERRITORIES:
            present = (root / territory_files.FILES["cog_communes"]).is_file()
            found.append(
                FoundDataset(
                    spec.key,
                    spec.label,
                    spec.kind,
                    root if present else None,
                    pattern=territory_files.FILES["cog_communes"],
                )
            )
            continue
        matches = sorted(p for p in root.glob(spec.pattern) if p.is_file())
        if not matches:
            found.append(FoundDataset(spec.key, spec.label, spec.kind, None, pattern=spec.pattern))
        elif spec.many:
            for path in matches:
                suffix = "".join(ch for ch in path.stem if ch.isdigit())[-4:] or path.stem
                found.append(
                    FoundDataset(
                        f"{spec.key}_{suffix}",
                        f"{spec.label} {suffix}",
                        spec.kind,
                        path,
                        spec.vintage,
                        spec.pattern,
                    )
                )
        else:
            found.append(
                FoundDataset(
                    spec.key, spec.label, spec.kind, matches[0], spec.vintage, spec.pattern
                )
            )
    return found


# --- Loading ----------------------------------------------------------------------------------


def open_data_load(*, source_dir: Path, log: Log | None = None) -> list[StepResult]:
    """Load every dataset found in `source_dir` (see the module docstring). Raises
    ApplicationError only when the folder itself does not exist."""
    root = Path(source_dir)
    if not root.is_dir():
        raise ApplicationError(f"Dossier de données introuvable : {root}.")
    say = log or (lambda _line: None)
    found = open_data_discover(root)
    results: list[StepResult] = []
    for index, item in enumerate(found, start=1):
        prefix = f"[{index:>2}/{len(found)}] {item.label}"
        if item.path is None:
            result = StepResult(
                item.key,
                item.label,
                item.pattern,
                MISSING,
                message=f"Fichier absent : {root / item.pattern}.",
            )
        else:
            shown = "dossier" if item.kind == TERRITORIES else item.path.name
            say(f"{prefix} ({shown}) …")
            t0 = time.perf_counter()
            if item.kind == TERRITORIES:
                result = _territories_step(item, root)
            else:
                result = _import_step(item)
            result.seconds = round(time.perf_counter() - t0, 2)
        results.append(result)
        say(f"{prefix} : {step_summary(result)}")
    return results


def step_summary(result: StepResult) -> str:
    text = result.status
    if result.status == LOADED:
        text += f", {result.rows_kept} lignes gardées"
        if result.rows_refused:
            text += f", {result.rows_refused} refusées"
    if result.status != MISSING:
        text += f" ({result.seconds:.1f} s)"
    if result.message:
        text += f" — {result.message}"
    return text


def _territories_step(item: FoundDataset, root: Path) -> StepResult:
    assert item.path is not None
    if _territories_unchanged(root):
        return StepResult(
            item.key,
            item.label,
            str(root),
            UNCHANGED,
            rows_kept=_territory_rows(),
            message="fichiers identiques au dernier chargement",
        )
    loads = territory_service.territories_load(source_dir=root)
    bad = [t for t in loads if t.status == TerritoryLoad.Status.FAILED]
    missing = [t for t in loads if t.status == TerritoryLoad.Status.MISSING]
    rows = sum(t.rows for t in loads if t.status == TerritoryLoad.Status.DONE)
    parts = [f"{t.dataset} : {t.message}" for t in [*bad, *missing]]
    return StepResult(
        item.key,
        item.label,
        str(root),
        REFUSED if bad else LOADED,
        rows_kept=rows,
        rows_refused=len(bad),
        message=" ; ".join(parts),
    )


def _territory_rows() -> int:
    total = 0
    for name in (*territory_datasets.DATASETS, territory_datasets.COMMUNE_CELLS):
        last = TerritoryLoad.objects.filter(dataset=name).order_by("-started_at", "-pk").first()
        total += last.rows if last else 0
    return total


def _territories_unchanged(root: Path) -> bool:
    """True when every territory dataset's last load is `done` and each file it recorded still
    has the same SHA-256 (files matched by folder and name, so `../shared/data` and its
    absolute path are the same folder)."""
    hashes: dict[Path, str] = {}
    for name in territory_datasets.DATASETS:
        last = TerritoryLoad.objects.filter(dataset=name).order_by("-started_at", "-pk").first()
        if last is None or last.status != TerritoryLoad.Status.DONE:
            return False
        recorded = (last.details or {}).get("files") or []
        if not recorded:
            return False
        for entry in recorded:
            old = Path(str(entry.get("path", "")))
            current = root / old.parent.name / old.name
            if not current.is_file():
                return False
            if current not in hashes:
                hashes[current] = file_sha256(current)
            if hashes[current] != entry.get("sha256"):
                return False
    return True


def _import_step(item: FoundDataset) -> StepResult:
    assert item.path is not None
    sha = file_sha256(item.path)
    done = ImportBatch.objects.filter(sha256=sha, status=ImportBatch.Status.DONE).first()
    if done is not None:
        return _from_batch(item, done, status=UNCHANGED, message=f"déjà importé (n° {done.pk})")
    try:
        batch = import_dataset(
            kind=item.kind,
            path=item.path,
            file_name=item.path.name,
            vintage=item.vintage or None,
            user=None,
            sync=True,
        )
    except ApplicationError as exc:
        return StepResult(item.key, item.label, item.path.name, REFUSED, message=exc.message)
    batch.refresh_from_db()
    Status = ImportBatch.Status
    if batch.status == Status.DONE:
        return _from_batch(item, batch, status=LOADED, message=_notes_summary(batch))
    status = REFUSED if batch.status == Status.REJECTED else FAILED
    if batch.status in ImportBatch.RUNNING:
        status = FAILED
    return _from_batch(item, batch, status=status, message=batch.error_message)


def _from_batch(item: FoundDataset, batch: ImportBatch, *, status: str, message: str) -> StepResult:
    assert item.path is not None
    return StepResult(
        item.key,
        item.label,
        item.path.name,
        status,
        rows_kept=batch.rows_written,
        rows_refused=batch.rows_rejected if status != LOADED else 0,
        message=message,
        batch_id=batch.pk,
    )


# Notes worth a word in the table: what the published file contradicts or lacks (ADR 0005).
_NOTE_KEYS = (
    "couples territoire-mois aux valeurs contradictoires",
    "lignes sur des bassins hors référentiel",
)


def _notes_summary(batch: ImportBatch) -> str:
    notes = batch.notes or {}
    parts = [f"{key} : {notes[key]}" for key in _NOTE_KEYS if notes.get(key)]
    return " ; ".join(parts)


def open_data_real_demo_load(
    *, source_dir: Path, reload_territories: bool = False, log: Log | None = None
) -> list[str]:
    """The demo's real-data load: `open_data_load` (territories reloaded first when asked),
    returning the lines worth showing (steps not loaded, and whether the territories were
    already there)."""
    if reload_territories:
        territory_service.territories_load(source_dir=Path(source_dir), log=log)
    results = open_data_load(source_dir=source_dir, log=log)
    messages = [
        f"{r.label} : {r.status}" + (f" — {r.message}" if r.message else "")
        for r in results
        if r.status not in (LOADED, UNCHANGED)
    ]
    if not reload_territories and any(
        r.key == TERRITORIES and r.status == UNCHANGED for r in results
    ):
        messages.insert(
            0,
            "territoires réels déjà chargés (relancer avec --reload-territories pour les "
            "recharger)",
        )
    return messages
