"""Checks before any parsing (size limits, zip bombs, extensions that lie: `check_file_safety`)
and the head of a file that kind detection reads (`file_head`)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from diagnostics.importers.contract import ImportFileError
from diagnostics.importers.csv_reading import detect_delimiter, detect_encoding, split_line
from diagnostics.importers.values import normalize_label
from diagnostics.importers.xlsx_reading import xlsx_sheet_names

XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc
_MB = 1024 * 1024

LOAD_TERRITORIES = "python manage.py load_territories --source DOSSIER"


def require_workbook(path: Path, published: str) -> None:
    """Refuse a file that is not an Excel workbook, saying how the data is published
    (`published`: « Le BMO est publié par France Travail »)."""
    if path.suffix.lower() not in XLSX_EXTENSIONS:
        raise ImportFileError(
            f"{published} en classeur Excel (.xlsx) : « {path.name} » n'en est pas un."
        )


def require_territories(loaded: object, none_loaded: str, purpose: str = "") -> None:
    """Refuse a file whose codes cannot be checked: `loaded` (a referential of the validation
    context) is empty. `none_loaded`: « Aucune zone d'emploi »; `purpose`, what the referential
    is for, after the command to load it."""
    if not loaded:
        raise ImportFileError(
            f"{none_loaded} dans le référentiel territorial : chargez d'abord les territoires "
            f"({LOAD_TERRITORIES}){purpose}."
        )


# --- File safety ----------------------------------------------------------------------------


def check_file_safety(
    path: Path,
    *,
    max_bytes: int = 50 * _MB,
    max_uncompressed_bytes: int = 500 * _MB,
    display_name: str | None = None,
) -> str:
    """Refuse, before any parsing, a file that is empty, too large, a zip bomb, or whose extension
    lies about its content. Returns the real format: "xlsx" or "csv"."""
    path = Path(path)
    name = display_name or path.name
    suffix = Path(name).suffix.lower()
    if not path.exists():
        raise ImportFileError(f"Fichier introuvable : {name}.")
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(f"Le fichier « {name} » est vide.")
    if size > max_bytes:
        raise ImportFileError(
            f"Le fichier « {name} » fait {size / _MB:.1f} Mo, au-delà de la limite de "
            f"{max_bytes / _MB:.0f} Mo (réglage IMPORT_MAX_FILE_MB)."
        )
    with path.open("rb") as handle:
        start = handle.read(64 * 1024)
    is_zip = start.startswith(_ZIP_MAGIC)
    if suffix in XLSX_EXTENSIONS:
        if start.startswith(_OLE2_MAGIC):
            raise ImportFileError(
                f"« {name} » est un ancien classeur Excel (.xls) renommé en {suffix} : "
                "enregistrez-le au format .xlsx."
            )
        if not is_zip:
            raise ImportFileError(
                f"« {name} » porte l'extension {suffix} mais n'est pas un classeur Excel "
                "(ce n'est pas une archive ZIP Office Open XML)."
            )
        _check_xlsx_archive(path, name=name, max_uncompressed_bytes=max_uncompressed_bytes)
        return "xlsx"
    if suffix in CSV_EXTENSIONS:
        if is_zip or start.startswith(_OLE2_MAGIC):
            raise ImportFileError(
                f"« {name} » porte l'extension {suffix} mais contient un classeur ou une archive "
                "(fichier binaire) : exportez-le en CSV ou envoyez-le avec l'extension .xlsx."
            )
        if b"\x00" in start:
            raise ImportFileError(
                f"« {name} » porte l'extension {suffix} mais son contenu est binaire "
                "(caractères nuls) : ce n'est pas un fichier texte CSV."
            )
        return "csv"
    raise ImportFileError(
        f"Extension « {suffix or '(aucune)'} » non prise en charge pour « {name} » : "
        "formats acceptés .xlsx et .csv."
    )


def _check_xlsx_archive(path: Path, *, name: str, max_uncompressed_bytes: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ImportFileError(f"« {name} » est une archive ZIP illisible : {exc}.") from exc
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ImportFileError(
            f"« {name} » est une archive ZIP mais pas un classeur Excel (.xlsx) : "
            "le contenu attendu (xl/workbook.xml) est absent."
        )
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed_bytes:
        raise ImportFileError(
            f"« {name} » se décompresse en {total / _MB:.0f} Mo, au-delà de la limite de "
            f"{max_uncompressed_bytes / _MB:.0f} Mo (réglage IMPORT_MAX_UNCOMPRESSED_MB) : "
            "fichier refusé avant lecture."
        )
    for info in infos:
        # A forged directory can understate sizes; a ratio this high is a bomb anyway.
        if (
            info.compress_size
            and info.file_size / info.compress_size > 1000
            and (info.file_size > 10 * _MB)
        ):
            raise ImportFileError(
                f"« {name} » contient une entrée ({info.filename}) au taux de compression "
                "anormal (bombe ZIP) : fichier refusé avant lecture."
            )


# --- Head of a file (for kind detection) -----------------------------------------------------


@dataclass
class FileHead:
    """What detection looks at: the real format, sheet names (XLSX), header columns (CSV)."""

    format: str  # "xlsx" | "csv"
    name: str = ""
    sheet_names: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # CSV header, as written
    text: str = ""  # CSV: the first few KB, decoded

    @property
    def normalized_columns(self) -> set[str]:
        return {normalize_label(c) for c in self.columns}

    def has_columns(self, *labels: str) -> bool:
        have = self.normalized_columns
        return all(normalize_label(label) in have for label in labels)


def file_head(path: Path, *, fmt: str, display_name: str | None = None) -> FileHead:
    """Cheap look at a file for detection (sheet names, or the CSV header)."""
    path = Path(path)
    head = FileHead(format=fmt, name=display_name or path.name)
    if fmt == "xlsx":
        head.sheet_names = xlsx_sheet_names(path)
        return head
    raw = path.read_bytes()[: 64 * 1024]
    encoding = detect_encoding(raw, final=False)
    text = raw.decode(encoding, errors="replace")
    head.text = text
    lines = [line for line in text.splitlines() if line.strip()]
    if lines:
        delimiter = detect_delimiter(lines[:30])
        head.columns = split_line(lines[0], delimiter)
        head.columns = [c.strip() for c in head.columns]
    return head
