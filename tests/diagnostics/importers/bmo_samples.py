"""Small BMO workbooks in the published layouts, for the importer and service tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook

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
) -> Path:
    """Write a BMO workbook (write-only mode: 50,000 rows in a few seconds)."""
    yy = f"{year % 100:02d}"
    header = [h.format(yy=yy) for h in (HEADER_2023 if layout == "2023" else HEADER_2025)]
    workbook = Workbook(write_only=True)
    workbook.create_sheet("Description_des_variables").append(["Variables", "Description"])
    data = workbook.create_sheet(sheet or f"BMO_{year}_open_data")
    keep = [i for i, h in enumerate(header) if h != drop_column]
    data.append([header[i] for i in keep])
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
        data.append([values[header[i]] for i in keep])
    workbook.save(path)
    return path


def metier_code(i: int) -> str:
    """Distinct BMO-like métier codes: A0X00 … Z9X99."""
    letter = chr(ord("A") + (i // 1000) % 26)
    return f"{letter}{(i // 100) % 10}X{i % 100:02d}"
