"""What every official-source importer provides, and the shared reading helpers.

An importer is a module of this package with:
- `KIND`: the dataset kind (`bmo`, `chomage_ze`, ...), `LABEL`: its French name;
- `detect(path, head) -> bool`: whether a file looks like this kind (sheet names, header columns);
  `head` is a `FileHead` (format, sheet names, CSV header columns), built once by the registry;
- `read(path, *, vintage: str | None, context: ValidationContext) -> ReadResult`: parse the
  file as published and validate EVERY row (lazily: collect all errors, not the first) into a
  normalised frame; never touches the database (known codes come in `context`);
- `store(batch, frame) -> int`, in the service layer (diagnostics/services/imports.py), writes it (`STORES` in diagnostics/services/import_stores.py).
Optional: `FORMATS = ("xlsx",)` (formats accepted; a file of another format is refused with a
clear message), `OPTIONS = {key: French label}` (tolerances the user may choose; they arrive in
`context.options`, are offered on the upload form and by `import_dataset --option KEY`), and a
`notes[HINT_NOTE]` advice appended to the refusal message.

Shared helpers (use them rather than re-implementing):
- `check_file_safety(path, max_bytes=..., max_uncompressed_bytes=...) -> "xlsx" | "csv"`: size
  limits, zip bombs and extensions that lie, BEFORE any parsing (the service calls it);
- `read_csv_sniffed(path) -> (frame, CsvMeta)`: delimiter `;` `,` tab `|`, encodings UTF-8 /
  UTF-8 BOM / cp1252, every column as text (leading zeros survive), column `LINE` = file line;
- `read_xlsx(path, sheet=..., header_hint=[...]) -> (frame, XlsxMeta)`: calamine, finds the
  header row below title lines, every column as text, column `LINE` = spreadsheet row number;
- `match_columns(frame, spec, file_label=...)`: accent/case-insensitive header aliases → canonical
  names; a missing column is an `ImportFileError` naming it and the columns found;
- `parse_numbers`, `check_count`, `check_rate`, `check_codes`, `check_duplicates`, `row_errors`:
  vectorised validation producing `RowError`s (secret marker `*` → NA + masked flag, never 0);
- `normalize_code` / `normalize_commune_codes` / `map_commune_codes`: `1001` → `01001`,
  merged communes through `ValidationContext.code_changes`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.errors import ApplicationError

# Key of `ReadResult.notes` holding advice shown with a refusal (e.g. which option would help).
HINT_NOTE = "conseil"

# Column added to every frame read by the helpers: the line number a user sees in the file
# (CSV: 1-based physical line, header = 1; XLSX: the spreadsheet row number).
LINE = "_line"

SECRET_MARKERS: tuple[str, ...] = ("*",)
XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
CSV_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "utf-8", "cp1252")
CSV_DELIMITERS: tuple[str, ...] = (";", ",", "\t", "|")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc
_MB = 1024 * 1024


class ImportFileError(ApplicationError):
    """The file as a whole cannot be read: wrong kind, wrong sheet, missing column, too large..."""

    code = "import_file_error"


@dataclass(frozen=True)
class RowError:
    """One problem on one line: `line` is the line number as a user sees it in the file
    (header line included, 1-based; for XLSX the spreadsheet row number)."""

    line: int | None
    column: str
    value: Any
    rule: str

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        if value is not None and not isinstance(value, (int, float, str, bool)):
            value = str(value)
        if isinstance(value, float) and np.isnan(value):
            value = None
        return {"line": self.line, "column": self.column, "value": value, "rule": self.rule}


@dataclass
class ValidationContext:
    """Reference codes known to the database, given to readers so they stay DB-free."""

    communes: frozenset[str] = frozenset()
    code_changes: dict[str, str] = field(default_factory=dict)  # old commune code -> current
    zones_emploi: frozenset[str] = frozenset()
    bassins_bmo: frozenset[str] = frozenset()
    departements: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    epci: frozenset[str] = frozenset()
    fap: frozenset[str] = frozenset()
    rome: frozenset[str] = frozenset()
    # Options chosen by the user for this import (e.g. {"register_bassins": True} for BMO).
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReadResult:
    frame: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    vintage: str = ""
    period: str = ""
    nomenclature: str = ""
    rows_read: int = 0
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


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
    encoding = _detect_encoding(raw, final=False)
    text = raw.decode(encoding, errors="replace")
    head.text = text
    lines = [line for line in text.splitlines() if line.strip()]
    if lines:
        delimiter = _detect_delimiter(lines[:30])
        head.columns = next(csv.reader([lines[0]], delimiter=delimiter))
        head.columns = [c.strip() for c in head.columns]
    return head


# --- Labels and columns ------------------------------------------------------------------------


def normalize_label(label: object) -> str:
    """Header comparison key: no accents, lower case, spaces/underscores/dashes collapsed."""
    text = unicodedata.normalize("NFKD", str(label))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\s_\-'’.]+", " ", text.lower()).strip()
    return text


def match_columns(
    frame: pd.DataFrame,
    spec: Mapping[str, Sequence[str]],
    *,
    file_label: str,
    optional: Iterable[str] = (),
) -> pd.DataFrame:
    """Rename the frame's columns to canonical names: `spec` maps canonical → accepted headers
    (compared with `normalize_label`). A missing required column raises `ImportFileError`
    naming it and listing the columns found. Unlisted columns are kept as they are."""
    optional = set(optional)
    by_key = {normalize_label(c): c for c in frame.columns if c != LINE}
    renames: dict[str, str] = {}
    missing: list[str] = []
    for canonical, aliases in spec.items():
        found = next(
            (
                by_key[normalize_label(a)]
                for a in (canonical, *aliases)
                if normalize_label(a) in by_key
            ),
            None,
        )
        if found is None:
            if canonical not in optional:
                missing.append(f"« {aliases[0] if aliases else canonical} »")
            continue
        renames[found] = canonical
    if missing:
        found_cols = ", ".join(str(c) for c in frame.columns if c != LINE) or "(aucune)"
        noun = "Colonne manquante" if len(missing) == 1 else "Colonnes manquantes"
        raise ImportFileError(
            f"{noun} dans {file_label} : {', '.join(missing)}. Colonnes trouvées : {found_cols}."
        )
    return frame.rename(columns=renames)


# --- CSV -------------------------------------------------------------------------------------


@dataclass
class CsvMeta:
    encoding: str
    delimiter: str
    decimal: str  # "," when values use a decimal comma, else "."
    header_line: int = 1
    rows: int = 0


def _detect_encoding(raw: bytes, *, final: bool = True) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8", errors="strict")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A cut in the middle of a multi-byte character at the end of a sample is not an error.
        if not final and exc.start >= len(raw) - 3:
            return "utf-8"
    try:
        raw.decode("cp1252", errors="strict")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _detect_delimiter(lines: Sequence[str]) -> str:
    best, best_score = ";", -1.0
    for delimiter in CSV_DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) - 1 for line in lines]
        if not counts or counts[0] == 0:
            continue
        consistent = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = counts[0] * consistent + (1000 if consistent == 1.0 else 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


_DECIMAL_COMMA = re.compile(r"^-?\d[\d\s\u00a0\u202f]*,\d+$")


def read_csv_sniffed(
    path: Path, *, display_name: str | None = None
) -> tuple[pd.DataFrame, CsvMeta]:
    """Read a CSV as published: detect encoding (UTF-8, UTF-8 BOM, cp1252), delimiter (`;`, `,`,
    tab, `|`) and decimal comma. Every column is text (NA for empty cells) so leading zeros
    survive; `LINE` holds each row's line number in the file (header = line 1). Blank lines are
    dropped (their numbers are skipped, so later lines keep their real number)."""
    path = Path(path)
    name = display_name or path.name
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportFileError(f"Le fichier « {name} » est vide.")
    encoding = _detect_encoding(raw)
    text = raw.decode(encoding, errors="replace")
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ImportFileError(f"Le fichier « {name} » est vide.")
    sample = [line for line in lines[first : first + 50] if line.strip()]
    delimiter = _detect_delimiter(sample)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            skiprows=first,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise ImportFileError(
            f"« {name} » n'est pas un CSV lisible (séparateur « {delimiter} ») : {exc}"
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise ImportFileError(f"Le fichier « {name} » est vide.") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    frame[LINE] = np.arange(len(frame), dtype="int64") + first + 2
    data_cols = [c for c in frame.columns if c != LINE]
    frame = frame[frame[data_cols].notna().any(axis=1)].reset_index(drop=True)
    for col in data_cols:
        stripped = frame[col].str.strip()
        frame[col] = stripped.mask(stripped == "")
    decimal = "."
    if delimiter != ",":
        probe = pd.concat([frame[c].dropna().head(200) for c in data_cols]) if data_cols else None
        if probe is not None and len(probe) and probe.str.match(_DECIMAL_COMMA).any():
            decimal = ","
    meta = CsvMeta(
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        header_line=first + 1,
        rows=len(frame),
    )
    return frame, meta


# --- XLSX ------------------------------------------------------------------------------------


@dataclass
class XlsxMeta:
    sheet: str
    sheet_names: list[str]
    header_row: int  # spreadsheet row number of the header (1-based)
    header: list[str] = field(default_factory=list)
    rows: int = 0


def xlsx_sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise ImportFileError(f"Classeur Excel illisible ({Path(path).name}) : {exc}") from exc
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()


def _cell_text(value: Any) -> Any:
    """A spreadsheet cell as text: None when empty, integers without `.0`."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value if value else None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _column_text(values: Sequence[Any]) -> np.ndarray:
    """One column of cells as an object array of text (None when empty), fast for the common
    all-text columns."""
    types = set(map(type, values))
    out = [v.strip() or None for v in values] if types == {str} else [_cell_text(v) for v in values]
    array = np.empty(len(out), dtype=object)
    array[:] = out
    return array


def read_xlsx(
    path: Path,
    *,
    sheet: str | re.Pattern[str] | Callable[[list[str]], str | None],
    header_hint: Sequence[str] = (),
    max_header_search: int = 40,
    display_name: str | None = None,
    sheet_label: str | None = None,
) -> tuple[pd.DataFrame, XlsxMeta]:
    """Read one sheet of an XLSX with python-calamine. `sheet` is a name, a regex (full match) or a
    function choosing among the sheet names; a missing sheet raises `ImportFileError` naming the
    sheets found (`sheet_label` names the expected sheet in that message when `sheet` is a
    function). The header row is the first row (within `max_header_search`) containing every
    label of `header_hint` (accent/case-insensitive), so title lines above it are skipped.
    Every column is text (integers without `.0`, NA for empty); `LINE` = spreadsheet row."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    name = display_name or path.name
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise ImportFileError(f"Classeur Excel illisible « {name} » : {exc}") from exc
    try:
        names = list(workbook.sheet_names)
        chosen = _choose_sheet(names, sheet)
        if chosen is None:
            wanted = sheet_label or (
                sheet.pattern
                if isinstance(sheet, re.Pattern)
                else (sheet if isinstance(sheet, str) else "attendue")
            )
            raise ImportFileError(
                f"Feuille « {wanted} » introuvable dans « {name} ». Feuilles présentes : "
                + ", ".join(f"« {n} »" for n in names)
                + "."
            )
        rows = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    finally:
        workbook.close()
    hint_keys = [normalize_label(h) for h in header_hint]
    header_index = None
    for index, row in enumerate(rows[:max_header_search]):
        keys = {normalize_label(c) for c in row if c not in (None, "")}
        if not keys:
            continue
        if not hint_keys or all(k in keys for k in hint_keys):
            header_index = index
            break
    if header_index is None:
        expected = ", ".join(f"« {h} »" for h in header_hint)
        raise ImportFileError(
            f"Ligne d'en-tête introuvable dans la feuille « {chosen} » de « {name} » : "
            f"aucune des {min(len(rows), max_header_search)} premières lignes ne contient "
            f"les colonnes {expected}."
        )
    header_row = rows[header_index]
    header = [_header_name(c, i) for i, c in enumerate(header_row)]
    body = rows[header_index + 1 :]
    width = len(header)
    if body and any(len(r) != width for r in body):
        padding: list[Any] = [None] * width
        body = [list(r[:width]) + padding[: width - len(r)] for r in body]
    transposed = list(zip(*body, strict=True)) if body else [() for _ in header]
    columns: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for i, col in enumerate(header):
        key = col
        if key in seen:  # duplicated header: keep both, suffixed
            seen[key] += 1
            key = f"{col}.{seen[col]}"
        else:
            seen[key] = 0
        columns[key] = pd.Series(_column_text(transposed[i]), dtype=object)
    frame = pd.DataFrame(columns)
    frame[LINE] = np.arange(len(body), dtype="int64") + header_index + 2
    data_cols = list(columns)
    if data_cols:
        keep = frame[data_cols].notna().any(axis=1)
        if not keep.all():
            frame = frame[keep].reset_index(drop=True)
    meta = XlsxMeta(
        sheet=chosen,
        sheet_names=names,
        header_row=header_index + 1,
        header=header,
        rows=len(frame),
    )
    return frame, meta


def _header_name(value: Any, index: int) -> str:
    text = _cell_text(value)
    return f"colonne {index + 1}" if text is pd.NA else str(text)


def _choose_sheet(
    names: list[str], sheet: str | re.Pattern[str] | Callable[[list[str]], str | None]
) -> str | None:
    if isinstance(sheet, str):
        if sheet in names:
            return sheet
        key = normalize_label(sheet)
        return next((n for n in names if normalize_label(n) == key), None)
    if isinstance(sheet, re.Pattern):
        return next((n for n in names if sheet.fullmatch(n)), None)
    return sheet(names)


def _objects(series: pd.Series) -> np.ndarray:
    """The values as an object array with None for every missing value."""
    return np.asarray(series.astype(object).where(series.notna(), None), dtype=object)


# --- Values ----------------------------------------------------------------------------------


@dataclass
class ParsedNumbers:
    """Vectorised parse of a text column: `values` (float64, NaN where not a number),
    `secret` (secret marker such as `*`), `missing` (empty), `invalid` (text that is no number)."""

    values: pd.Series
    secret: pd.Series
    missing: pd.Series
    invalid: pd.Series

    @property
    def numbers(self) -> pd.Series:
        """Alias of `values` (reads better, and ruff's PD011 does not mistake it for pandas')."""
        return self.values


def parse_numbers(
    series: pd.Series, *, secret_markers: Sequence[str] = SECRET_MARKERS
) -> ParsedNumbers:
    """Parse numbers written the French or the English way: `1 234,5`, `1234.5`, `1.234,5`,
    `12,5 %`. Secret markers become NA with `secret` set (never 0)."""
    index = series.index
    raw = _objects(series)
    # Fast path: plain numbers (the vast majority) parse in C; only the rest is cleaned.
    values = pd.to_numeric(pd.Series(raw, index=index, dtype=object), errors="coerce")
    values = values.astype("float64")
    values[~np.isfinite(values.to_numpy())] = np.nan
    missing = np.zeros(len(raw), dtype=bool)
    secret = np.zeros(len(raw), dtype=bool)
    invalid = np.zeros(len(raw), dtype=bool)
    markers = set(secret_markers)
    todo = np.flatnonzero(values.isna().to_numpy())
    if len(todo):
        fixed: dict[int, float] = {}
        for pos in todo:
            value = raw[pos]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                invalid[pos] = True  # NaN or infinite number
                continue
            text = "" if value is None else str(value).strip()
            if not text:
                missing[pos] = True
            elif text in markers:
                secret[pos] = True
            else:
                number = _parse_french_number(text)
                if number is None:
                    invalid[pos] = True
                else:
                    fixed[int(pos)] = number
        if fixed:
            positions = np.fromiter(fixed.keys(), dtype=np.int64, count=len(fixed))
            numbers = np.fromiter(fixed.values(), dtype=np.float64, count=len(fixed))
            array = values.to_numpy(copy=True)
            array[positions] = numbers
            values = pd.Series(array, index=index, dtype="float64")
    return ParsedNumbers(
        values=values,
        secret=pd.Series(secret, index=index),
        missing=pd.Series(missing, index=index),
        invalid=pd.Series(invalid, index=index),
    )


_SPACES = re.compile(r"[\s\u00a0\u202f%]")


def _parse_french_number(text: str) -> float | None:
    cleaned = _SPACES.sub("", text)
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "")
        else:
            cleaned = cleaned.replace(",", "")
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", cleaned):
        return None
    number = float(cleaned)
    return number if np.isfinite(number) else None


def row_errors(
    frame: pd.DataFrame,
    mask: pd.Series,
    column: str,
    rule: str | Callable[[Any], str],
    *,
    value_column: str | None = None,
    display_column: str | None = None,
) -> list[RowError]:
    """RowErrors for the rows where `mask` is true: line from `LINE`, value from the column."""
    mask = mask.fillna(False).astype(bool) if mask.dtype != bool else mask
    if not mask.any():
        return []
    sub = frame.loc[mask]
    lines = sub[LINE].tolist() if LINE in sub.columns else [None] * len(sub)
    source = value_column or column
    values = sub[source].tolist() if source in sub.columns else [None] * len(sub)
    label = display_column or column
    out = []
    for line, value in zip(lines, values, strict=True):
        if value is pd.NA:
            value = None
        text = rule(value) if callable(rule) else rule
        out.append(
            RowError(
                line=int(line) if line is not None else None, column=label, value=value, rule=text
            )
        )
    return out


def check_count(
    frame: pd.DataFrame,
    column: str,
    errors: list[RowError],
    *,
    allow_secret: bool = True,
    allow_missing: bool = False,
    display_column: str | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Validate a count column (integer ≥ 0, or secret marker). Returns (Int64 values with NA for
    secret/missing/invalid, bool `masked` flag for secret cells); appends RowErrors."""
    parsed = parse_numbers(frame[column])
    values = parsed.numbers
    label = display_column or column
    errors += row_errors(frame, parsed.invalid, column, "n'est pas un nombre", display_column=label)
    if not allow_secret:
        errors += row_errors(
            frame, parsed.secret, column, "valeur secrète non admise ici", display_column=label
        )
    if not allow_missing:
        errors += row_errors(
            frame, parsed.missing, column, "valeur manquante", display_column=label
        )
    not_int = values.notna() & (values != np.floor(values))
    errors += row_errors(frame, not_int, column, "doit être un nombre entier", display_column=label)
    negative = values.notna() & (values < 0)
    errors += row_errors(
        frame, negative, column, "doit être positif ou nul (≥ 0)", display_column=label
    )
    good = values.where(~(not_int | negative))
    out = good.round().astype("Int64")
    return out, parsed.secret


def check_rate(
    frame: pd.DataFrame,
    column: str,
    errors: list[RowError],
    *,
    low: float = 0.0,
    high: float = 100.0,
    allow_secret: bool = True,
    allow_missing: bool = False,
    display_column: str | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Validate a rate/percentage column within [low, high]. Returns (float64 values, NaN when
    secret/missing/invalid; bool `masked` flag); appends RowErrors."""
    parsed = parse_numbers(frame[column])
    values = parsed.numbers
    label = display_column or column
    errors += row_errors(frame, parsed.invalid, column, "n'est pas un nombre", display_column=label)
    if not allow_secret:
        errors += row_errors(
            frame, parsed.secret, column, "valeur secrète non admise ici", display_column=label
        )
    if not allow_missing:
        errors += row_errors(
            frame, parsed.missing, column, "valeur manquante", display_column=label
        )
    out_of_range = values.notna() & ((values < low) | (values > high))
    errors += row_errors(
        frame,
        out_of_range,
        column,
        f"doit être compris entre {low:g} et {high:g}",
        display_column=label,
    )
    return values.where(~out_of_range), parsed.secret


# --- Codes -----------------------------------------------------------------------------------


def normalize_code(series: pd.Series, *, width: int) -> pd.Series:
    """Text codes with their leading zeros restored: `51` → `0051` (width 4), `1001.0` → `01001`.
    Codes with letters (`2A004`) are only stripped."""
    cache: dict[Any, Any] = {}

    def one(value: Any) -> Any:
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            return None
        text = str(value).strip()
        if _TRAILING_ZERO_DECIMALS.search(text):
            text = _TRAILING_ZERO_DECIMALS.sub("", text)
        if not text:
            return None
        if text.isdigit() and len(text) < width:
            return text.zfill(width)
        return text

    values = _objects(series)
    out = np.empty(len(values), dtype=object)
    out[:] = [cache[v] if v in cache else cache.setdefault(v, one(v)) for v in values]
    return pd.Series(out, index=series.index, dtype=object)


_TRAILING_ZERO_DECIMALS = re.compile(r"\.0+$")


def normalize_commune_codes(series: pd.Series) -> pd.Series:
    """INSEE commune codes as 5 characters: `1001` → `01001`; `2A004` unchanged."""
    return normalize_code(series, width=5)


def normalize_departement_codes(series: pd.Series) -> pd.Series:
    """`1` → `01`; `2A`, `971` unchanged."""
    return normalize_code(series, width=2)


def map_commune_codes(codes: pd.Series, context: ValidationContext) -> tuple[pd.Series, pd.Series]:
    """Map old (merged) commune codes to their current code through `context.code_changes`
    (following chains). Returns (mapped codes, bool `remapped`). Codes already current stay."""
    if not context.code_changes:
        return codes, pd.Series(False, index=codes.index)
    current = context.communes
    mapping: dict[str, str] = {}
    for old in set(codes.dropna().unique()) - set(current):
        new, steps = context.code_changes.get(old), 0
        while new is not None and new not in current and steps < 10:
            nxt = context.code_changes.get(new)
            if nxt is None or nxt == new:
                break
            new, steps = nxt, steps + 1
        if new is not None and new != old:
            mapping[old] = new
    if not mapping:
        return codes, pd.Series(False, index=codes.index)
    mapped = codes.map(lambda c: mapping.get(c, c) if isinstance(c, str) else c).astype(object)
    return mapped, codes.isin(list(mapping)).fillna(False).astype(bool)


def check_codes(
    frame: pd.DataFrame,
    column: str,
    known: frozenset[str] | set[str],
    errors: list[RowError],
    *,
    referential: str,
    allow_missing: bool = False,
    display_column: str | None = None,
    value_column: str | None = None,
) -> pd.Series:
    """Check codes against a referential; returns the bool mask of unknown codes (row errors are
    appended: "code inconnu du référentiel <referential>"). An empty referential is the caller's
    problem (refuse the file with a clear message: load the territories first)."""
    codes = frame[column]
    missing = codes.isna()
    label = display_column or column
    if not allow_missing:
        errors += row_errors(
            frame, missing, column, "code manquant", display_column=label, value_column=value_column
        )
    unknown = ~missing & ~codes.isin(list(known)).fillna(False).astype(bool)
    errors += row_errors(
        frame,
        unknown,
        column,
        f"code inconnu du référentiel {referential}",
        display_column=label,
        value_column=value_column,
    )
    return unknown


def check_pattern(
    frame: pd.DataFrame,
    column: str,
    pattern: str,
    errors: list[RowError],
    *,
    rule: str,
    allow_missing: bool = False,
    display_column: str | None = None,
) -> pd.Series:
    """Check a text column against a regex (full match); returns the bool mask of bad values."""
    codes = frame[column]
    missing = codes.isna()
    label = display_column or column
    if not allow_missing:
        errors += row_errors(frame, missing, column, "valeur manquante", display_column=label)
    regex = re.compile(pattern)
    cache: dict[Any, bool] = {}
    matches = [
        cache[v] if v in cache else cache.setdefault(v, bool(regex.fullmatch(str(v))))
        for v in _objects(codes)
    ]
    bad = ~missing & ~pd.Series(matches, index=codes.index, dtype=bool)
    errors += row_errors(frame, bad, column, rule, display_column=label)
    return bad


def check_duplicates(
    frame: pd.DataFrame,
    keys: Sequence[str],
    errors: list[RowError],
    *,
    display_column: str | None = None,
) -> pd.Series:
    """Every repeated natural key after its first occurrence is an error naming the first line.
    Returns the bool mask of duplicated rows."""
    dup = frame.duplicated(list(keys), keep="first")
    if not dup.any():
        return dup
    firsts = (
        frame.loc[~dup & frame.duplicated(list(keys), keep=False), [*keys, LINE]]
        .set_index(list(keys))[LINE]
        .to_dict()
    )
    label = display_column or " + ".join(keys)
    sub = frame.loc[dup]
    for _, row in sub.iterrows():
        key = tuple(row[k] for k in keys)
        first = firsts.get(key if len(keys) > 1 else key[0])
        value = " / ".join("" if v is pd.NA else str(v) for v in key)
        errors.append(
            RowError(
                line=int(row[LINE]),
                column=label,
                value=value,
                rule=f"clé en double (déjà présente ligne {first})",
            )
        )
    return dup


def error_lines(errors: Iterable[RowError]) -> int:
    """Number of distinct lines with at least one error (a file-level error counts as one)."""
    return len({e.line for e in errors})
