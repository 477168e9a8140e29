"""`{% parcours_prioritaires run %}`: the « Parcours prioritaires » section of a diagnostic
report, computed from that run's tables and the current catalogue."""

from typing import Any

from django import template

from catalogue.models import TrainingPath
from catalogue.selectors.gap import GapError, gap_for_run
from catalogue.views.catalogue import can_open_paths, gap_context

register = template.Library()

TOP = 10


@register.inclusion_tag("catalogue/gap_report_block.html", takes_context=True)
def parcours_prioritaires(context: Any, run: Any, top: int = TOP) -> dict[str, Any]:
    request = context.get("request")
    out = _parcours(run, top)
    # No dead end: a path links to its page only for the roles that may open it.
    out["can_open_paths"] = can_open_paths(getattr(request, "user", None))
    return out


def _parcours(run: Any, top: int) -> dict[str, Any]:
    if run is None or not getattr(run, "is_done", False):
        return {"error": "Les parcours prioritaires s'affichent quand le diagnostic est terminé."}
    try:
        report = gap_for_run(run)
    except GapError as exc:
        return {"error": exc.message}
    context = gap_context(report)
    context["top"] = context["ranked"][:top]
    context["illustrative"] = TrainingPath.objects.filter(illustrative=True).exists()
    return context
