"""Generic indicator CSV: French headers, dialects, codes checked against the right referential."""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnostics.importers import indicator
from diagnostics.importers.contract import ImportFileError, ValidationContext
from diagnostics.importers.file_checks import file_head

CONTEXT = ValidationContext(
    communes=frozenset({"01001", "52121", "49126"}),
    code_changes={"49069": "49126"},
    zones_emploi=frozenset({"0051", "4404"}),
    bassins_bmo=frozenset({"4418"}),
    departements=frozenset({"01", "52", "2A"}),
    regions=frozenset({"44", "84"}),
    epci=frozenset({"200068120", "200068658"}),
)


def _write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "ind.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_cp1252_semicolon_decimal_comma_parsed_right(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Niveau;Code;Période;Indicateur;Valeur;Unité;Source\n"
        "commune;1001;2023;part_neet;17,5;%;Insee — recensement\n"
        "Zone d'emploi;51;2023-T3;taux_chomage;6,5;%;Insee\n"
        "département;2A;2024-06;demandeurs;1 234;personnes;France Travail\n"
        "region;44;2024;secret_demo;*;personnes;Démo\n",
        encoding="cp1252",
    )

    result = indicator.read(path, vintage=None, context=CONTEXT)

    assert result.ok, result.errors
    frame = result.frame
    assert frame["level"].tolist() == ["commune", "zone_emploi", "departement", "region"]
    assert frame["code"].tolist() == ["01001", "0051", "2A", "44"]
    assert frame["value"].tolist()[:3] == [17.5, 6.5, 1234.0]
    assert frame["masked"].tolist() == [False, False, False, True]
    assert frame["source"].tolist()[0] == "Insee — recensement"
    assert result.notes["encodage"] == "cp1252"
    assert result.notes["décimales"] == "virgule"
    assert result.vintage == "demandeurs+part_neet+secret_demo+taux_chomage"


def test_merged_commune_is_mapped_and_counted(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "niveau,code,periode,indicateur,valeur,unite,source\ncommune,49069,2022,x,1.5,,s\n",
    )
    result = indicator.read(path, vintage="v1", context=CONTEXT)
    assert result.ok
    assert result.frame["code"].tolist() == ["49126"]
    assert result.notes["codes communes remplacés (communes fusionnées)"] == 1
    assert result.vintage == "v1"


def test_row_errors_name_line_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "niveau;code;periode;indicateur;valeur;unite;source\n"
        "commune;99999;2023;x;1;;s\n"  # 2: unknown commune
        "canton;0101;2023;x;1;;s\n"  # 3: unknown level
        "epci;200068120;23;x;1;;s\n"  # 4: bad period
        "epci;200068120;2023;x;abc;;s\n"  # 5: not a number
        "region;44;2023;part;120;%;s\n"  # 6: share above 100
        "commune;01001;2023;x;1;;s\n"  # 7
        "commune;1001;2023;x;2;;s\n",  # 8: duplicate of 7 once normalised
    )

    result = indicator.read(path, vintage=None, context=CONTEXT)

    assert [(e.line, e.column, e.value) for e in result.errors] == [
        (2, "code", "99999"),
        (3, "niveau", "canton"),
        (4, "periode", "23"),
        (5, "valeur", "abc"),
        (6, "valeur", "120"),
        (8, "niveau + code + periode + indicateur", "commune / 01001 / 2023 / x"),
    ]
    assert result.errors[0].rule == "code inconnu du référentiel des communes"
    assert result.errors[-1].rule == "clé en double (déjà présente ligne 7)"


def test_missing_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "niveau;code;periode;indicateur;unite;source\ncommune;01001;2023;x;;s\n"
    )
    with pytest.raises(ImportFileError) as exc:
        indicator.read(path, vintage=None, context=CONTEXT)
    assert exc.value.message.startswith("Colonne manquante dans « ind.csv » : « valeur ».")


def test_empty_referential_for_a_used_level(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "niveau;code;periode;indicateur;valeur;unite;source\nepci;200068120;2023;x;1;;s\n"
    )
    with pytest.raises(ImportFileError, match="référentiel des EPCI est vide"):
        indicator.read(path, vintage=None, context=ValidationContext(communes=frozenset({"01001"})))


def test_template_is_detected_and_valid(tmp_path: Path) -> None:
    path = _write(tmp_path, indicator.template_csv(), name="modele.csv")
    assert indicator.detect(path, file_head(path, fmt="csv"))
    result = indicator.read(path, vintage=None, context=CONTEXT)
    assert result.ok, result.errors
    assert result.rows_read == len(indicator.TEMPLATE_ROWS)
