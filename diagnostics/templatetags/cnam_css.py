"""Width classes instead of style="width: …%" (the Content-Security-Policy forbids inline
styles): `{{ 42.4|width_class }}` → "cnam-w-42" (app.css defines cnam-w-0 … cnam-w-100)."""

import math
from typing import Any

from django import template

register = template.Library()


@register.filter
def width_class(percent: Any) -> str:
    """A percentage (0–100, rounded and clamped; unknown or non-finite: 0) as a width class."""
    try:
        value = float(percent)
    except (TypeError, ValueError):
        return "cnam-w-0"
    if not math.isfinite(value):
        return "cnam-w-0"
    return f"cnam-w-{min(100, max(0, round(value)))}"


@register.filter
def ratio_width_class(ratio: Any) -> str:
    """A ratio (0–1) as a width class: 0.425 → "cnam-w-43"."""
    try:
        return width_class(float(ratio) * 100)
    except (TypeError, ValueError):
        return "cnam-w-0"
