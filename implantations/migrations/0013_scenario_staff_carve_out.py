"""Saved business scenarios keep their figures after issue 18's carve-out: `staff_fte` now counts
the steering staff only (the services' staff time is counted with each service), so a saved
`staff_fte` loses the concept's default services FTE (turnkey 0.5, Fab ID 1.5, progressive 0.8;
`implantations.analytics.site_services`, copied here so that the migration never changes)."""

from django.db import migrations

SERVICES_FTE = {"turnkey": 0.5, "fab_id": 1.5, "progressive": 0.8}


def _shift(apps, sign: int) -> None:  # type: ignore[no-untyped-def]
    BusinessScenario = apps.get_model("implantations", "BusinessScenario")
    for scenario in BusinessScenario.objects.all():
        raw = (scenario.assumptions or {}).get("staff_fte")
        if raw is None or scenario.concept not in SERVICES_FTE:
            continue
        try:
            value = float(str(raw).replace(",", ".").replace(" ", ""))
        except ValueError:
            continue
        shifted = max(0.0, round(value + sign * SERVICES_FTE[scenario.concept], 3))
        scenario.assumptions = {**scenario.assumptions, "staff_fte": shifted}
        scenario.save(update_fields=["assumptions"])


def carve_out(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    _shift(apps, -1)


def put_back(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    _shift(apps, +1)


class Migration(migrations.Migration):
    dependencies = [("implantations", "0012_project_funding")]

    operations = [migrations.RunPython(carve_out, put_back)]
