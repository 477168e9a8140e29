"""Template filters of the honesty rules (implantations.analytics.honesty): one rounding rule
for every figure shown."""

from typing import Any

from django import template

from implantations.analytics.honesty import format_figure

register = template.Library()


@register.filter
def figure(value: Any, decimals: Any = 1) -> str:
    """`{{ score|figure }}` → « 56,1 » (half-up, French); `{{ x|figure:0 }}` → « 1 235 »;
    « — » when the value is missing."""
    try:
        places = int(decimals)
    except (TypeError, ValueError):
        places = 1
    return format_figure(value, places)


@register.filter
def figure_pct(share: Any, decimals: Any = 0) -> str:
    """A share (0.1) as a percentage figure with the same rule: `{{ 0.1|figure_pct }}` → « 10 »."""
    try:
        places = int(decimals)
    except (TypeError, ValueError):
        places = 0
    try:
        value = None if share is None else float(share) * 100
    except (TypeError, ValueError):
        value = None
    return format_figure(value, places)
