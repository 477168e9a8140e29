"""Demo steps contributed by the apps that build on diagnostics.

`diagnostics.services.demo.demo_build` seeds territories, sites, accounts and basins, then runs
each registered step, then computes the diagnostics. An app above diagnostics (catalogue,
implantations) registers its step from its `AppConfig.ready()` by dotted path, so diagnostics
never imports it (import-linter contract "Apps build on diagnostics").

A step is `def step(*, say: Callable[[str], None]) -> None`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.module_loading import import_string

DemoStep = Callable[..., None]

# (label shown in the timings, dotted path of the step), in registration order.
_STEPS: dict[str, str] = {}


def demo_step_register(label: str, path: str) -> None:
    """Register (or re-register: `ready()` may run twice in tests) the step `path`."""
    _STEPS[label] = path


def demo_steps() -> list[tuple[str, DemoStep]]:
    return [(label, import_string(path)) for label, path in _STEPS.items()]
