"""Normalisation of a raw value to a score in [0, 1] under a profile rule, and the rule in French."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from diagnostics.analytics.common import format_number


def normalise(value: float | None, rule: Mapping[str, Any]) -> float | None:
    """Score in [0, 1] of a raw value under a rule (None stays None: missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if rule["method"] == "minmax":
        low, high = float(rule["low"]), float(rule["high"])
        share = min(max((float(value) - low) / (high - low), 0.0), 1.0)
        return 1.0 - share if rule.get("reverse") else share
    score = 0.0
    for threshold, step_score in rule["steps"]:
        if float(value) >= float(threshold):
            score = float(step_score)
    return score


def describe_rule(rule: Mapping[str, Any], *, unit: str = "") -> str:
    """The normalisation rule in French, e.g. « 0 si ≤ 15 ; 1 si ≥ 60 ; linéaire entre
    (pour 1 000 hab.) »."""

    def fmt(v: float) -> str:
        text = format_number(abs(float(v)), decimals=0 if float(v).is_integer() else 2)
        return ("−" if float(v) < 0 else "") + text

    suffix = f" ({unit})" if unit and not unit.startswith("score") else ""
    if rule["method"] == "minmax":
        low, high = fmt(rule["low"]), fmt(rule["high"])
        if rule.get("reverse"):
            return f"1 si ≤ {low} ; 0 si ≥ {high} ; linéaire entre{suffix}"
        return f"0 si ≤ {low} ; 1 si ≥ {high} ; linéaire entre{suffix}"
    steps = " ; ".join(
        f"≥ {fmt(t)} → {format_number(float(s), decimals=2)}" for t, s in rule["steps"]
    )
    return f"paliers : {steps}{suffix}"


def rule_for(entry: Mapping[str, Any], variant: str | None) -> Mapping[str, Any]:
    if variant:
        special = (entry.get("indicator_normalisation") or {}).get(variant)
        if special:
            return special
    return entry["normalisation"]
