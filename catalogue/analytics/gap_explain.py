"""The words of the skills gap: one French sentence per line (`explain`) and the method
paragraph (`gap_method`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from diagnostics.analytics.columns import MASKED_CELLS, PROJECTS
from diagnostics.analytics.common import format_number, format_percent

from .columns import (
    COMPONENT_LABELS_FR,
    COMPONENTS,
    DIFFICULTY_RATE,
    EXCLUDED_REASON,
    FIRST_YEAR,
    FLAG_REASONS,
    FLAGGED,
    JOB_SEEKERS,
    JOB_SEEKERS_SUPPRESSED,
    LAST_YEAR,
    METIERS_DURABLE,
    METIERS_IN_TENSION,
    METIERS_MATCHED,
    OFFERS_COUNT,
    PLACES,
    TENSION,
    TENSION_YEAR,
    TREND,
    TREND_BREAK,
)
from .gap_demand import is_known
from .gap_params import BMO_CODES_PRESENT, NOT_THE_LEVER, STABLE_TREND, GapParams

# --------------------------------------------------------------------------------------------
# Explanation


def _count(value: float, *, estimated: bool) -> str:
    return ("environ " if estimated else "") + format_number(value)


def _plural(n: float, singular: str, plural: str) -> str:
    return singular if n < 2 else plural


def _float(value: Any) -> float | None:
    return float(value) if is_known(value) else None


def explain(line: Mapping[str, Any], *, estimated: bool = False, secrecy_threshold: int = 5) -> str:
    """The French sentence of a gap line, built from its components."""
    if is_known(line.get(EXCLUDED_REASON)) and line.get(EXCLUDED_REASON):
        return str(line[EXCLUDED_REASON])
    parts: list[str] = []
    projects = _float(line.get(PROJECTS))
    if projects is not None:
        matched = int(line.get(METIERS_MATCHED) or 0)
        where = f"dans ses {matched} métiers BMO" if matched > 1 else "dans son métier BMO"
        text = (
            f"{_count(projects, estimated=estimated)} "
            f"{_plural(projects, 'projet', 'projets')} de recrutement en "
            f"{int(line[LAST_YEAR])} {where}"
        )
        trend = _float(line.get(TREND))
        if trend is not None:
            first_year = int(line[FIRST_YEAR])
            if abs(trend) < STABLE_TREND:
                text += f", stables depuis {first_year}"
            else:
                direction = "en hausse" if trend > 0 else "en baisse"
                text += (
                    f", {direction} de {format_percent(abs(trend), decimals=0)} depuis {first_year}"
                )
            if line.get(TREND_BREAK):
                text += " (nomenclature des métiers BMO changée entre les deux enquêtes)"
        rate = _float(line.get(DIFFICULTY_RATE))
        if rate is not None:
            text += f", dont {format_percent(rate, decimals=0)} jugés difficiles"
        parts.append(text)
    elif line.get(BMO_CODES_PRESENT):
        parts.append("aucun projet de recrutement BMO publié pour ses métiers")
    in_tension = int(line.get(METIERS_IN_TENSION) or 0)
    if in_tension:
        durable = int(line.get(METIERS_DURABLE) or 0)
        text = f"{in_tension} {_plural(in_tension, 'métier en tension', 'métiers en tension')}"
        if durable:
            text += f" ({durable} durablement)"
        parts.append(text)
    seekers = _float(line.get(JOB_SEEKERS))
    if seekers is not None:
        count = round(seekers)
        parts.append(
            f"{_count(count, estimated=estimated)} "
            f"{_plural(count, 'demandeur', 'demandeurs')} d'emploi inscrits sur ses codes ROME "
            f"en {int(line[TENSION_YEAR])}"
        )
    elif line.get(JOB_SEEKERS_SUPPRESSED):
        parts.append(
            f"moins de {secrecy_threshold} demandeurs d'emploi inscrits sur ses codes ROME "
            f"en {int(line[TENSION_YEAR])}"
        )
    tension = _float(line.get(TENSION))
    if tension is not None:
        parts.append(f"tension Dares {format_number(tension, decimals=1)}/5")
    places = float(line.get(PLACES) or 0)
    if places > 0:
        offers = int(line.get(OFFERS_COUNT) or 0)
        text = (
            f"{format_number(places)} {_plural(places, 'place', 'places')} de formation déjà "
            f"{_plural(places, 'offerte', 'offertes')} localement ({offers} "
            f"{_plural(offers, 'offre', 'offres')})"
        )
        if projects:
            text += f", soit {format_percent(min(places / projects, 1.0), decimals=0)} des projets"
        parts.append(text)
    else:
        parts.append("aucune offre locale recensée")
    sentence = " ; ".join(parts)
    sentence = sentence[:1].upper() + sentence[1:] + "."
    if line.get(FLAGGED):
        sentence += f" {NOT_THE_LEVER} : {', '.join(line.get(FLAG_REASONS) or [])}."
    masked = _float(line.get(MASKED_CELLS))
    if masked:
        n = int(masked)
        sentence += (
            f" {n} {_plural(n, 'cellule BMO secrète', 'cellules BMO secrètes')} "
            f"{_plural(n, 'non comptée', 'non comptées')}."
        )
    return sentence


def gap_method(params: GapParams, *, estimated: bool = False) -> str:
    """The method in French, with the weights and thresholds actually used."""
    weights = params.weights
    parts = [
        f"{COMPONENT_LABELS_FR[c][:1].lower()}{COMPONENT_LABELS_FR[c][1:]} "
        f"{format_percent(float(weights.get(c, 0.0)), decimals=0)}"
        for c in COMPONENTS
        if float(weights.get(c, 0.0)) > 0
    ]
    text = (
        "Score d'écart = 100 × score de demande × (1 − couverture locale). Score de demande : "
        "moyenne pondérée des composantes normalisées entre 0 et 1 ("
        + " ; ".join(parts)
        + ") — projets BMO de la dernière année rapportés au maximum du catalogue, taux de "
        "difficulté Σ projets difficiles / Σ projets, évolution des projets depuis la première "
        f"année disponible bornée à ± {format_percent(params.trend_cap, decimals=0)}, demandeurs "
        "d'emploi inscrits sur les codes ROME rapportés au maximum du catalogue, tension Dares "
        "(1 à 5) ramenée à 0-1 ; une composante inconnue est retirée et les poids restants "
        "remis à l'échelle. Couverture locale = places de formation déjà offertes / projets de "
        "recrutement, plafonnée à 1 ; une offre compte pour chaque parcours dont elle forme à "
        "au moins un métier. « La formation n'est pas le levier » : facteur Dares « conditions "
        "de travail » ou « non-durabilité de l'emploi » d'au moins "
        f"{format_number(params.factor_threshold, decimals=0)}/5 en moyenne sur les codes ROME du "
        "parcours et supérieur au facteur « manque de main-d'œuvre disponible » (la tension vient "
        "alors des conditions d'emploi plutôt que d'un manque de personnes formées), ou au "
        f"moins {format_percent(params.seasonal_threshold, decimals=0)} de "
        f"projets saisonniers (sur {params.seasonal_min_projects} projets au moins) ; ces "
        "parcours sont classés après les autres. Demandeurs d'emploi estimés : aucun effectif "
        f"inférieur à {params.secrecy_threshold} n'est affiché ni utilisé. Seuls les parcours dont les projets de "
        "recrutement BMO sont connus dans le bassin sont classés ; les autres (sans métier "
        "associé, métiers sans projet recensé ou non publiés) sont listés sans rang, avec la "
        "raison."
    )
    if estimated:
        text += (
            " Les effectifs du bassin sont estimés à partir des bassins BMO qui le recouvrent "
            "(répartition au prorata de la population)."
        )
    if params.reconversion_boost > 0:
        text += (
            " Bonus reconversion : le score des parcours dont une finalité est la reconversion "
            f"est multiplié par {format_number(1 + params.reconversion_boost, decimals=2)} "
            "(paramètre choisi, pas un signal mesuré sur le bassin)."
        )
    return text
