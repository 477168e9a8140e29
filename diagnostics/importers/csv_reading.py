"""Reading a CSV as published: encoding and delimiter sniffed, every column as text (leading
zeros survive), column `LINE` = the file line (`read_csv_sniffed`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from diagnostics.analytics.common import format_number
from diagnostics.importers.contract import LINE, MAX_COLUMNS, ImportFileError, too_wide_hint

CSV_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "utf-8", "cp1252")
CSV_DELIMITERS: tuple[str, ...] = (";", ",", "\t", "|")


# --- CSV -------------------------------------------------------------------------------------


@dataclass
class CsvMeta:
    encoding: str
    delimiter: str
    decimal: str  # "," when values use a decimal comma, else "."
    header_line: int = 1
    rows: int = 0


def detect_encoding(raw: bytes, *, final: bool = True) -> str:
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


def split_line(line: str, delimiter: str) -> list[str]:
    """One CSV line's fields. A field longer than the `csv` module's limit (131,072 characters)
    is not an error here: the line is then split on the delimiter alone (quotes ignored), and
    the value itself is judged later, with its line and column."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def detect_delimiter(lines: Sequence[str]) -> str:
    best, best_score = ";", -1.0
    for delimiter in CSV_DELIMITERS:
        counts = [len(split_line(line, delimiter)) - 1 for line in lines]
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
    encoding = detect_encoding(raw)
    text = raw.decode(encoding, errors="replace")
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ImportFileError(f"Le fichier « {name} » est vide.")
    sample = [line for line in lines[first : first + 50] if line.strip()]
    delimiter = detect_delimiter(sample)
    width = len(split_line(lines[first], delimiter))
    if width > MAX_COLUMNS:
        raise ImportFileError(
            f"« {name} » a {format_number(width)} colonnes (séparateur « {delimiter} ») : "
            + too_wide_hint()
        )
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
