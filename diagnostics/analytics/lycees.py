"""Lycées of a basin: which track (voie) each one offers, told from the official flags of the
annuaire de l'éducation, and said in words for the map's hover and the basin page's table.

The full official schema publishes `voie_generale`, `voie_technologique`, `voie_professionnelle`
(booleans). The reduced national extract publishes only `voie_generale`; its
`vocational_guess_from_name` is a guess from the name (« professionnel », « polyvalent »…), NOT
an official flag: it never makes a lycée "vocational", it is only shown, marked « déduit du nom ».

Input columns (`LYCEE_COLUMNS`, one row per lycée): uai, name, commune_code, commune_name,
latitude, longitude (WGS84, may be NA), sector (`public`, `prive` or empty), voie_generale,
voie_technologique, voie_professionnelle, lycee_des_metiers, vocational_guess_from_name
(booleans, NA when unpublished).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .columns import LATITUDE, LONGITUDE, NAME

UAI = "uai"
COMMUNE_CODE = "commune_code"
COMMUNE_NAME = "commune_name"
SECTOR = "sector"
VOIE_GENERALE = "voie_generale"
VOIE_TECHNOLOGIQUE = "voie_technologique"
VOIE_PROFESSIONNELLE = "voie_professionnelle"
LYCEE_DES_METIERS = "lycee_des_metiers"
VOCATIONAL_GUESS = "vocational_guess_from_name"
LYCEE_COLUMNS = [
    UAI, NAME, COMMUNE_CODE, COMMUNE_NAME, LATITUDE, LONGITUDE, SECTOR, VOIE_GENERALE,
    VOIE_TECHNOLOGIQUE, VOIE_PROFESSIONNELLE, LYCEE_DES_METIERS, VOCATIONAL_GUESS,
]  # fmt: skip

# Output columns of `lycees_described`.
CATEGORY = "category"
CATEGORY_LABEL = "category_label"
VOIES_TEXT = "voies_text"
SECTOR_LABEL = "sector_label"

# Categories, in display order: the official flags decide; without them, the track is unknown.
PROFESSIONNEL = "professionnel"
TECHNOLOGIQUE = "technologique"
GENERAL = "general"
INCONNU = "inconnu"
CATEGORIES = (PROFESSIONNEL, TECHNOLOGIQUE, GENERAL, INCONNU)
CATEGORY_LABELS = {
    PROFESSIONNEL: "voie professionnelle",
    TECHNOLOGIQUE: "voie technologique",
    GENERAL: "voie générale seule",
    INCONNU: "voie professionnelle non publiée",
}
SECTOR_LABELS = {"public": "public", "prive": "privé"}


def _flag(value: Any) -> bool | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return bool(value)


def lycee_category(
    *, voie_professionnelle: Any, voie_technologique: Any, voie_generale: Any = None
) -> str:
    """PROFESSIONNEL when the official vocational flag is set; TECHNOLOGIQUE when the official
    flags say technological and not vocational; GENERAL when they say neither; INCONNU when the
    vocational or the technological flag is not published (reduced extract), whatever the guess
    from the name."""
    pro, techno = _flag(voie_professionnelle), _flag(voie_technologique)
    if pro is True:
        return PROFESSIONNEL
    if pro is None or techno is None:
        return INCONNU
    return TECHNOLOGIQUE if techno else GENERAL


def voies_text(row: Mapping[Any, Any]) -> str:
    """The tracks of one lycée in French: the official flags (« officiel »), or, for the reduced
    extract, what is published plus the name-based guess marked « déduit du nom »."""
    general = _flag(row.get(VOIE_GENERALE))
    techno = _flag(row.get(VOIE_TECHNOLOGIQUE))
    pro = _flag(row.get(VOIE_PROFESSIONNELLE))
    metiers = _flag(row.get(LYCEE_DES_METIERS))
    if pro is not None and techno is not None:
        voies = [
            label
            for label, on in (
                ("générale", general),
                ("technologique", techno),
                ("professionnelle", pro),
            )
            if on
        ]
        text = f"voie{'s' if len(voies) > 1 else ''} {', '.join(voies)}" if voies else "aucune voie"
        text += " (officiel)"
        if metiers:
            text += " ; lycée des métiers"
        return text[0].upper() + text[1:]
    parts = []
    if general is not None:
        parts.append(f"voie générale : {'oui' if general else 'non'}")
    parts.append("voies technologique et professionnelle non publiées")
    guess = _flag(row.get(VOCATIONAL_GUESS))
    if guess is not None:
        parts.append(
            f"voie professionnelle {'probable' if guess else 'peu probable'} (déduit du nom)"
        )
    text = " ; ".join(parts)
    return text[0].upper() + text[1:]


def lycees_described(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (LYCEE_COLUMNS) with CATEGORY, CATEGORY_LABEL, VOIES_TEXT and SECTOR_LABEL added,
    sorted by category (vocational first), commune name, lycée name and UAI."""
    missing = [col for col in LYCEE_COLUMNS if col not in frame.columns]
    if missing:
        raise ValueError(f"Colonnes manquantes pour les lycées : {', '.join(missing)}")
    records = frame.to_dict("records")
    categories = [
        lycee_category(
            voie_professionnelle=r[VOIE_PROFESSIONNELLE],
            voie_technologique=r[VOIE_TECHNOLOGIQUE],
            voie_generale=r[VOIE_GENERALE],
        )
        for r in records
    ]
    out = frame.assign(
        **{
            CATEGORY: pd.Series(categories, index=frame.index, dtype=object),
            CATEGORY_LABEL: pd.Series(
                [CATEGORY_LABELS[c] for c in categories], index=frame.index, dtype=object
            ),
            VOIES_TEXT: pd.Series(
                [voies_text(r) for r in records], index=frame.index, dtype=object
            ),
            SECTOR_LABEL: pd.Series(
                [SECTOR_LABELS.get(str(s or ""), "") for s in frame[SECTOR]],
                index=frame.index,
                dtype=object,
            ),
        }
    )
    order = {category: i for i, category in enumerate(CATEGORIES)}
    out = out.assign(_order=out[CATEGORY].map(order))
    out = out.sort_values(["_order", COMMUNE_NAME, NAME, UAI], kind="stable", na_position="last")
    return out.drop(columns="_order").reset_index(drop=True)
