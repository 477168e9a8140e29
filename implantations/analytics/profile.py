"""The scoring profile: its validation (French messages), its weights and the default profile
(derived from the criteria declarations, `criteria.default_profile`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypeGuard

import pandas as pd

from .criteria import CONCEPTS, CRITERIA_BY_CODE, CRITERION_CODES, PILLARS, SOURCES, default_profile
from .score_columns import CRITERION

# The profile seeded as version 1 (migration 0004) and used when none is stored.
DEFAULT_PROFILE: dict[str, Any] = default_profile()


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _normalisation_errors(rule: Any, where: str) -> list[str]:
    if not isinstance(rule, Mapping):
        return [f"{where} : la normalisation doit être un objet"]
    method = rule.get("method")
    if method == "minmax":
        low, high = rule.get("low"), rule.get("high")
        if not (_number(low) and _number(high)):
            return [f"{where} : bornes « low » et « high » numériques attendues"]
        if not high > low:
            return [f"{where} : « high » ({high}) doit être supérieur à « low » ({low})"]
        if not isinstance(rule.get("reverse", False), bool):
            return [f"{where} : « reverse » doit valoir true ou false"]
        return []
    if method == "steps":
        steps = rule.get("steps")
        if not isinstance(steps, list) or not steps:
            return [f"{where} : liste « steps » de paires [seuil, score] attendue"]
        problems = []
        thresholds = []
        for i, step in enumerate(steps):
            if (
                not isinstance(step, (list, tuple))
                or len(step) != 2
                or not all(_number(v) for v in step)
            ):
                problems.append(f"{where} : palier n° {i + 1} invalide (attendu [seuil, score])")
                continue
            if not 0 <= step[1] <= 1:
                problems.append(f"{where} : palier n° {i + 1}, score {step[1]} hors de [0, 1]")
            thresholds.append(step[0])
        if thresholds != sorted(thresholds) or len(set(thresholds)) != len(thresholds):
            problems.append(f"{where} : les seuils doivent être strictement croissants")
        return problems
    return [f"{where} : méthode « {method} » inconnue (minmax ou steps)"]


def profile_errors(profile: Any) -> list[str]:
    """Every problem of a scoring profile, in French (empty when valid)."""
    if not isinstance(profile, Mapping):
        return ["Le profil doit être un objet JSON."]
    problems: list[str] = []
    criteria = profile.get("criteria")
    if not isinstance(criteria, Mapping):
        return ["Le profil doit contenir « criteria »."]
    unknown = sorted(set(criteria) - set(CRITERION_CODES))
    if unknown:
        problems.append(
            f"Critère(s) inconnu(s) : {', '.join(unknown)} (possibles : "
            f"{', '.join(CRITERION_CODES)})"
        )
    missing = [code for code in CRITERION_CODES if code not in criteria]
    if missing:
        problems.append(f"Critère(s) absent(s) du profil : {', '.join(missing)}")
    totals = dict.fromkeys(CONCEPTS, 0.0)
    for code in CRITERION_CODES:
        entry = criteria.get(code)
        if entry is None:
            continue
        where = f"critère « {code} »"
        if not isinstance(entry, Mapping):
            problems.append(f"{where} : objet attendu")
            continue
        weights = entry.get("weights")
        if not isinstance(weights, Mapping):
            problems.append(f"{where} : « weights » attendu")
        else:
            for concept in CONCEPTS:
                value = weights.get(concept)
                if not _number(value) or value < 0:
                    problems.append(
                        f"{where} : poids « {concept} » positif ou nul attendu (lu : {value!r})"
                    )
                else:
                    totals[concept] += float(value)
            extra = sorted(set(weights) - set(CONCEPTS))
            if extra:
                problems.append(f"{where} : concept(s) inconnu(s) {', '.join(extra)}")
        problems.extend(_normalisation_errors(entry.get("normalisation"), where))
        indicators = entry.get("indicators")
        if CRITERIA_BY_CODE[code].source == "indicator" and (
            not isinstance(indicators, list)
            or not all(isinstance(i, str) and i for i in indicators)
        ):
            problems.append(f"{where} : liste « indicators » de codes d'indicateur attendue")
        for name, rule in (entry.get("indicator_normalisation") or {}).items():
            problems.extend(_normalisation_errors(rule, f"{where}, indicateur « {name} »"))
    for concept, total in totals.items():
        if total <= 0:
            problems.append(f"Le concept « {concept} » n'a aucun poids strictement positif.")
    top_paths = profile.get("top_paths", 5)
    if not isinstance(top_paths, int) or isinstance(top_paths, bool) or top_paths < 1:
        problems.append("« top_paths » : entier ≥ 1 attendu")
    sens = profile.get("sensitivity")
    if not isinstance(sens, Mapping):
        problems.append("Le profil doit contenir « sensitivity ».")
        return problems
    draws = sens.get("draws")
    if not isinstance(draws, int) or isinstance(draws, bool) or not 1 <= draws <= 100_000:
        problems.append("sensibilité : « draws » entier entre 1 et 100 000 attendu")
    spread = sens.get("spread")
    if not _number(spread) or not 0 <= spread < 1:
        problems.append("sensibilité : « spread » dans [0, 1[ attendu (0,2 = ±20 %)")
    if not isinstance(sens.get("seed"), int) or isinstance(sens.get("seed"), bool):
        problems.append("sensibilité : « seed » entier attendu")
    for name in ("robust_share", "min_coverage"):
        value = sens.get(name)
        if not _number(value) or not 0 <= value <= 1:
            problems.append(f"sensibilité : « {name} » dans [0, 1] attendu")
    required = sens.get("required_pillars", [])
    if not isinstance(required, list) or not set(required) <= set(PILLARS):
        problems.append(
            f"sensibilité : « required_pillars » : liste de piliers parmi {', '.join(PILLARS)}"
        )
    weak = sens.get("weak_sources")
    if not isinstance(weak, list) or not all(isinstance(s, str) for s in weak):
        problems.append("sensibilité : liste « weak_sources » attendue")
    else:
        unknown_sources = sorted(set(weak) - set(SOURCES))
        if unknown_sources:
            problems.append(
                f"sensibilité : source(s) inconnue(s) {', '.join(unknown_sources)} "
                f"(possibles : {', '.join(SOURCES)})"
            )
    return problems


def profile_check(profile: Mapping[str, Any]) -> None:
    """Raise ValueError listing the problems of `profile`."""
    problems = profile_errors(profile)
    if problems:
        raise ValueError("Profil de notation invalide : " + " ; ".join(problems) + ".")


def profile_weights(profile: Mapping[str, Any]) -> pd.DataFrame:
    """Weights (points) per criterion (index, CRITERIA order) and concept (columns)."""
    criteria = profile["criteria"]
    return pd.DataFrame(
        [[float(criteria[c]["weights"][k]) for k in CONCEPTS] for c in CRITERION_CODES],
        index=pd.Index(CRITERION_CODES, name=CRITERION),
        columns=list(CONCEPTS),
    )


def profile_with_weights(
    profile: Mapping[str, Any], changes: Mapping[tuple[str, str], float]
) -> dict[str, Any]:
    """A copy of `profile` with some weights changed: {(criterion, concept): weight}."""
    out = _deep_copy(profile)
    for (criterion, concept), weight in changes.items():
        out["criteria"][criterion]["weights"][concept] = weight
    return out


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
