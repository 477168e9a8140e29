"""The « données fictives de démonstration » notice shown on every page of a demo database."""

from __future__ import annotations

from typing import Any

from django import template

from diagnostics.analytics.synthetic_file_common import DEMO_LABEL
from diagnostics.selectors.demo import demo_data_present

register = template.Library()


@register.inclusion_tag("diagnostics/demo_notice.html", takes_context=True)
def demo_data_notice(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    cached = getattr(request, "_demo_data_present", None) if request is not None else None
    if cached is None:
        cached = demo_data_present()
        if request is not None:
            request._demo_data_present = cached
    return {"show": cached, "label": DEMO_LABEL}
