"""What every synthetic demo file shares: the vintages and tags, and the helpers that write the
files as their publishers do (XLSX with fixed timestamps so the bytes follow from the seed, the
variables sheet, the masked cells « * »)."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence

import pandas as pd

DEMO_FILES_SEED = 2026
DEMO_LABEL = "données fictives de démonstration"
# Recorded in the import batch's options of every generated file: the pages label its figures.
DEMO_OPTION = "donnees_fictives_demo"
FILE_TAG = "demo-fictif"
BMO_YEARS = (2023, 2024, 2025)
UNEMPLOYMENT_QUARTERS = [f"{y}-T{q}" for y in range(2016, 2026) for q in range(1, 5)][:-2]
JOB_SEEKER_MONTHS = [(y, m) for y in range(2021, 2026) for m in range(1, 13)][:-6]
TENSION_YEARS = (2019, 2021)
# The first of these is the 2023 campaign: FAP 2009 based codes; the others FAP 2021 based.
MONTH_NAMES = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


def strip_accents(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn"
    )


def require_frame(
    frames: dict[str, pd.DataFrame], name: str, columns: Sequence[str]
) -> pd.DataFrame:
    if name not in frames:
        raise ValueError(f"Cadre « {name} » absent du territoire synthétique.")
    frame = frames[name]
    missing = sorted(set(columns) - set(frame.columns))
    if missing:
        raise ValueError(f"{name} : colonnes manquantes {missing}")
    return frame


def bmo_mask(value: int, *, threshold: int = 3) -> str:
    """The survey's statistical secret: small counts are published as « * »."""
    return "*" if 0 < value < threshold else str(value)


def xlsx_bytes(sheets: dict[str, pd.DataFrame], *, header: dict[str, bool]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False, header=header.get(name, True))
    return fixed_timestamps(buffer.getvalue())


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def fixed_timestamps(content: bytes) -> bytes:
    """The workbook with its creation dates and zip entry dates fixed, so that the same inputs
    give the same bytes (the import is recognised as already done on the next demo run)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>2025-06-01T00:00:00Z\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=(2025, 6, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()


def variables_sheet(variables: Sequence[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(None, None, None)] * 4
        + [("Variable", "Description", None)]
        + [(k, v, None) for k, v in variables]
        + [(None, f"Fichier de {DEMO_LABEL} : chiffres inventés.", None)]
    )
