"""Dataset kind → importer module, and detection of a file's kind.

To add a kind: write `diagnostics/importers/<kind>.py` following the contract of `base.py` and
list it in `IMPORTER_MODULES`. A listed module that does not exist (yet) is simply not offered.
Detection asks each importer's `detect(path, head)` in the order below (most specific first).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from diagnostics.importers.contract import ImportFileError
from diagnostics.importers.file_checks import FileHead, file_head

IMPORTER_MODULES: dict[str, str] = {
    "bmo": "diagnostics.importers.bmo",
    "chomage_ze": "diagnostics.importers.chomage_ze",
    "defm": "diagnostics.importers.defm",
    "defm_secteur": "diagnostics.importers.defm_secteur",
    "tensions": "diagnostics.importers.tensions",
    "lycees": "diagnostics.importers.lycees",
    "rome": "diagnostics.importers.rome",
    "fap": "diagnostics.importers.fap",
    "population_age": "diagnostics.importers.population_age",
    "indicator": "diagnostics.importers.indicator",
}


def _load(module_path: str) -> ModuleType | None:
    try:
        return importlib.import_module(module_path)
    except ModuleNotFoundError as exc:
        if exc.name == module_path:  # the importer is not written yet; a broken one must fail
            return None
        raise


def importer_for(kind: str) -> ModuleType:
    """The importer module of `kind`; `ImportFileError` for an unknown or unavailable kind."""
    module_path = IMPORTER_MODULES.get(kind)
    module = _load(module_path) if module_path else None
    if module is None:
        known = ", ".join(available_kinds())
        raise ImportFileError(f"Type de données inconnu : « {kind} ». Types disponibles : {known}.")
    return module


def available_kinds() -> list[str]:
    return [kind for kind, path in IMPORTER_MODULES.items() if _load(path) is not None]


def kind_choices() -> list[tuple[str, str]]:
    """(kind, French label) of every available importer, for forms and help texts."""
    out = []
    for kind in available_kinds():
        module = importer_for(kind)
        out.append((kind, str(getattr(module, "LABEL", kind))))
    return out


# Labels of options whose importer declares only an `OPTION_*` constant.
OPTION_LABELS = {
    "duplicates_as_unknown": (
        "stocker comme inconnues (signalées) les valeurs contradictoires d'un même territoire "
        "et mois au lieu de refuser le fichier"
    ),
    "keep_unknown_bassins": (
        "conserver, signalées, les lignes des bassins absents du référentiel (ancien zonage) "
        "au lieu de refuser le fichier"
    ),
}


def import_options(kinds: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(kind, option key, French label) of the options importers accept in
    `ValidationContext.options`. An importer declares them in `OPTIONS = {key: label}`; its
    `OPTION_*` string constants are picked up too (labelled with the key) when it does not."""
    out: list[tuple[str, str, str]] = []
    for kind in kinds if kinds is not None else available_kinds():
        if kind not in IMPORTER_MODULES or _load(IMPORTER_MODULES[kind]) is None:
            continue
        module = importer_for(kind)
        declared = getattr(module, "OPTIONS", None)
        if declared is None:
            declared = {
                value: OPTION_LABELS.get(value, value)
                for name, value in vars(module).items()
                if name.startswith("OPTION_") and isinstance(value, str)
            }
        out.extend((kind, key, str(label)) for key, label in declared.items())
    return out


def detect_kind(
    path: Path, *, fmt: str, display_name: str | None = None
) -> tuple[str | None, FileHead]:
    """The kind whose importer recognises the file (None when none does), and the file head."""
    head = file_head(path, fmt=fmt, display_name=display_name)
    for kind in available_kinds():
        module = importer_for(kind)
        detect = getattr(module, "detect", None)
        if detect is not None and detect(path, head):
            return kind, head
    return None, head


def describe_head(head: FileHead) -> str:
    """What the file looked like, for the "kind not recognised" message."""
    if head.format == "xlsx":
        return "classeur Excel, feuilles : " + (
            ", ".join(f"« {n} »" for n in head.sheet_names) or "(aucune)"
        )
    columns = ", ".join(f"« {c} »" for c in head.columns[:12]) or "(aucune)"
    return f"fichier CSV, colonnes : {columns}"
