"""Small BMO workbooks in the published layouts, for the importer and service tests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from openpyxl import Workbook

from tests.factories.xlsx import write_xlsx

HEADER_2025 = [
    "annee",
    "Code métier BMO",
    "Nom métier BMO",
    "Famille_met",
    "Lbl_fam_met",
    "REG",
    "NOM_REG",
    "Dept",
    "NomDept",
    "BE{yy}",
    "NOMBE{yy}",
    "met",
    "xmet",
    "smet",
]
# 2023: the bassin columns come before the département and the région.
HEADER_2023 = [
    "annee",
    "Code métier BMO",
    "Nom métier BMO",
    "Famille_met",
    "Lbl_fam_met",
    "BE{yy}",
    "NOMBE{yy}",
    "Dept",
    "NomDept",
    "REG",
    "NOM_REG",
    "met",
    "xmet",
    "smet",
]
BASSINS = {
    "4418": ("CHAUMONT", "52", "Haute-Marne", "44", "Grand Est"),
    "5317": ("VITRE", "35", "Ille-et-Vilaine", "53", "Bretagne"),
    "101": ("BASSIN BASSE-TERRE", "971", "Guadeloupe", "01", "Guadeloupe"),
}


def bmo_row(
    metier: str, bassin: str, met: str, xmet: str, smet: str, *, dept: str | None = None
) -> dict[str, str]:
    return {
        "metier": metier,
        "bassin": bassin,
        "met": met,
        "xmet": xmet,
        "smet": smet,
        "dept": dept or "",
    }


def write_bmo(
    path: Path,
    rows: Iterable[dict[str, str]],
    *,
    year: int = 2025,
    layout: str = "2025",
    sheet: str | None = None,
    drop_column: str | None = None,
    fast: bool = False,
) -> Path:
    """Write a BMO workbook with openpyxl (write-only mode), or with `fast` through
    tests/factories/xlsx.py (50,000 rows in about a second instead of a minute of CPU; the
    importer reads both alike, tests/diagnostics/importers/test_xlsx_writer.py)."""
    yy = f"{year % 100:02d}"
    header = [h.format(yy=yy) for h in (HEADER_2023 if layout == "2023" else HEADER_2025)]
    keep = [i for i, h in enumerate(header) if h != drop_column]

    def lines() -> Iterator[list[object]]:
        yield [header[i] for i in keep]
        for row in rows:
            name, dept, dept_name, reg, reg_name = BASSINS.get(
                row["bassin"], (f"BASSIN {row['bassin']}", "52", "Haute-Marne", "44", "Grand Est")
            )
            dept = row.get("dept") or dept
            values = {
                "annee": year,
                "Code métier BMO": row["metier"],
                "Nom métier BMO": f"Métier {row['metier']}",
                "Famille_met": row["metier"][0],
                "Lbl_fam_met": "Famille",
                "REG": reg,
                "NOM_REG": reg_name,
                "Dept": dept,
                "NomDept": dept_name,
                f"BE{yy}": int(row["bassin"]) if row["bassin"].isdigit() else row["bassin"],
                f"NOMBE{yy}": name,
                "met": row["met"],
                "xmet": row["xmet"],
                "smet": row["smet"],
            }
            yield [values[header[i]] for i in keep]

    description = [["Variables", "Description"]]
    data_sheet = sheet or f"BMO_{year}_open_data"
    if fast:
        return write_xlsx(path, [("Description_des_variables", description), (data_sheet, lines())])
    workbook = Workbook(write_only=True)
    workbook.create_sheet("Description_des_variables").append(description[0])
    data = workbook.create_sheet(data_sheet)
    for line in lines():
        data.append(line)
    workbook.save(path)
    return path


def metier_code(i: int) -> str:
    """Distinct BMO-like métier codes: A0X00 … Z9X99."""
    letter = chr(ord("A") + (i // 1000) % 26)
    return f"{letter}{(i // 100) % 10}X{i % 100:02d}"
