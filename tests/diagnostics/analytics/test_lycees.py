"""Tracks (voies) of the lycées: official flags decide, the name-based guess is only shown."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics.analytics.lycees import (
    CATEGORY,
    CATEGORY_LABEL,
    GENERAL,
    INCONNU,
    LYCEE_COLUMNS,
    PROFESSIONNEL,
    SECTOR_LABEL,
    TECHNOLOGIQUE,
    VOIES_TEXT,
    lycee_category,
    lycees_described,
    voies_text,
)

NA = pd.NA


def lycees_frame(*rows: tuple) -> pd.DataFrame:  # type: ignore[type-arg]
    frame = pd.DataFrame.from_records(rows, columns=LYCEE_COLUMNS)
    for flag in LYCEE_COLUMNS[-5:]:
        frame[flag] = frame[flag].astype("boolean")
    return frame


# uai, name, commune_code, commune_name, lat, lon, sector, gen, techno, pro, métiers, guess
OFFICIAL_PRO = ("0350048R", "Lycée pro Jean Jaurès", "35238", "Rennes", 48.1, -1.7, "public",
                False, False, True, True, NA)  # fmt: skip
OFFICIAL_TECHNO = ("0350028U", "Lycée Bertrand d'Argentré", "35360", "Vitré", 48.12, -1.2,
                   "public", True, True, False, False, NA)  # fmt: skip
OFFICIAL_GENERAL = ("0350029V", "Lycée Jeanne d'Arc", "35360", "Vitré", 48.13, -1.21, "prive",
                    True, False, False, False, NA)  # fmt: skip
REDUCED_GUESS = ("0520019Y", "Lycée polyvalent Charles de Gaulle", "52121", "Chaumont", 48.1, 5.1,
                 "public", True, NA, NA, NA, True)  # fmt: skip
REDUCED_NO_GUESS = ("0520008L", "Lycée Bouchardon", "52121", "Chaumont", NA, NA, "", True, NA, NA,
                    NA, NA)  # fmt: skip


@pytest.mark.parametrize(
    ("pro", "techno", "expected"),
    [
        (True, True, PROFESSIONNEL),
        (True, None, PROFESSIONNEL),
        (False, True, TECHNOLOGIQUE),
        (False, False, GENERAL),
        (None, None, INCONNU),
        (NA, NA, INCONNU),
        (False, None, INCONNU),
    ],
)
def test_lycee_category_from_the_official_flags(pro: object, techno: object, expected: str) -> None:
    assert lycee_category(voie_professionnelle=pro, voie_technologique=techno) == expected


def test_voies_text_official_and_guess() -> None:
    def row(values: tuple) -> dict:  # type: ignore[type-arg]
        return dict(zip(LYCEE_COLUMNS, values, strict=True))

    assert voies_text(row(OFFICIAL_PRO)) == "Voie professionnelle (officiel) ; lycée des métiers"
    assert voies_text(row(OFFICIAL_TECHNO)) == "Voies générale, technologique (officiel)"
    assert voies_text(row(OFFICIAL_GENERAL)) == "Voie générale (officiel)"
    assert voies_text(row(REDUCED_GUESS)) == (
        "Voie générale : oui ; voies technologique et professionnelle non publiées ; "
        "voie professionnelle probable (déduit du nom)"
    )
    assert voies_text(row(REDUCED_NO_GUESS)) == (
        "Voie générale : oui ; voies technologique et professionnelle non publiées"
    )


def test_lycees_described_sorted_vocational_first_guess_never_official() -> None:
    frame = lycees_frame(
        REDUCED_NO_GUESS, OFFICIAL_GENERAL, REDUCED_GUESS, OFFICIAL_TECHNO, OFFICIAL_PRO
    )

    out = lycees_described(frame)

    assert out["uai"].tolist() == ["0350048R", "0350028U", "0350029V", "0520008L", "0520019Y"]
    assert out[CATEGORY].tolist() == [PROFESSIONNEL, TECHNOLOGIQUE, GENERAL, INCONNU, INCONNU]
    assert out[CATEGORY_LABEL].tolist()[-1] == "voie professionnelle non publiée"
    assert out[SECTOR_LABEL].tolist() == ["public", "public", "privé", "", "public"]
    assert out[VOIES_TEXT].str.contains("déduit du nom").tolist() == [
        False, False, False, False, True,
    ]  # fmt: skip
    assert len(frame) == 5 and CATEGORY not in frame.columns  # input left untouched


def test_lycees_described_missing_column() -> None:
    with pytest.raises(ValueError, match="Colonnes manquantes pour les lycées : commune_name"):
        lycees_described(lycees_frame(OFFICIAL_PRO).drop(columns="commune_name"))
