"""Parameters of a diagnostic run: the engine's defaults overridden by the request, each checked
and named in French when wrong (`DiagnosticError`, a 400)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from diagnostics.analytics.diagnostic_params import DiagnosticParams
from diagnostics.errors import ApplicationError
from diagnostics.services.prospective_params import PROSPECTIVE_BOUNDS, PROSPECTIVE_LABELS


class DiagnosticError(ApplicationError):
    """A diagnostic cannot be requested as asked (basin, parameters, rights)."""

    code = "diagnostic_error"


# --- Parameters -------------------------------------------------------------------------------

PARAMETER_LABELS = {
    "tension_threshold": "seuil du taux de difficulté d'un métier en tension",
    "tension_min_projects": "nombre minimal de projets d'un métier en tension",
    "tension_min_years": "nombre minimal d'années d'une tension durable",
    "top_n": "nombre de métiers des classements",
    "lq_threshold": "seuil de surreprésentation du quotient de localisation",
    "bmo_threshold": "seuil de diffusion BMO",
    "job_seekers_threshold": "seuil de diffusion des demandeurs d'emploi",
    "job_seekers_category": "catégorie de demandeurs d'emploi",
    "size_band_edges": "tranches de population",
    **PROSPECTIVE_LABELS,
}


def diagnostic_params_clean(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The run's parameters: the engine's defaults overridden by `params`, checked. Unknown
    names and wrong values raise DiagnosticError naming them."""
    defaults = DiagnosticParams().as_dict()
    params = dict(params or {})
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise DiagnosticError(
            "Paramètre(s) inconnu(s) : "
            + ", ".join(unknown)
            + ". Paramètres possibles : "
            + ", ".join(sorted(defaults))
            + ".",
            extra={"unknown": unknown},
        )
    out = dict(defaults)
    problems: list[str] = []
    for name, value in params.items():
        label = PARAMETER_LABELS[name]
        default = defaults[name]
        try:
            if isinstance(default, bool):
                raise TypeError
            if isinstance(default, int):
                number = float(value)
                if not number.is_integer():
                    raise ValueError
                value = int(number)
                if value < (1 if name in {"top_n", "tension_min_years"} else 0):
                    raise ValueError
            elif isinstance(default, float):
                value = float(value)
                if (
                    not math.isfinite(value)
                    or value < 0
                    or (name == "tension_threshold" and value > 1)
                ):
                    raise ValueError
            elif name == "job_seekers_category":
                if value not in ("ABC", "A"):
                    raise ValueError
            elif name == "size_band_edges":
                value = [int(v) for v in value]
                if not value or value != sorted(set(value)) or value[0] < 0:
                    raise ValueError
            if name in PROSPECTIVE_BOUNDS:
                low, high = PROSPECTIVE_BOUNDS[name]
                if value < low or (high is not None and value > high):
                    bounds = f"entre {low:g} et {high:g}" if high is not None else f"≥ {low:g}"
                    problems.append(f"{name} ({label}) : valeur « {value} » hors bornes ({bounds})")
                    continue
        except (TypeError, ValueError):
            problems.append(f"{name} ({label}) : valeur « {value} » invalide")
            continue
        out[name] = value
    if problems:
        raise DiagnosticError(
            "Paramètres invalides : " + " ; ".join(problems) + ".", extra={"params": problems}
        )
    return out
