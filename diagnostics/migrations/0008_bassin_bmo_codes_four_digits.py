"""Bassin BMO codes in one spelling, four digits (`101` -> `0101`): the referential, the
communes' link, the facts and the basins built from bassins (docs/adr/0005, update 2)."""

from django.db import migrations


def _four(code: str) -> str:
    return code.zfill(4) if code.isdigit() else code


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    BassinBmo = apps.get_model("diagnostics", "BassinBmo")
    Commune = apps.get_model("diagnostics", "Commune")
    short = [b for b in BassinBmo.objects.all() if b.code.isdigit() and len(b.code) < 4]
    for old in short:
        new_code = _four(old.code)
        BassinBmo.objects.get_or_create(
            code=new_code, defaults={"name": old.name, "region_id": old.region_id}
        )
        Commune.objects.filter(bassin_bmo_id=old.code).update(bassin_bmo_id=new_code)
        old.delete()
    for name in ("BmoFact", "TensionFact", "DefmSecteurFact"):
        model = apps.get_model("diagnostics", name)
        codes = model.objects.values_list("bassin_code", flat=True).distinct()
        for code in [c for c in codes if c and c.isdigit() and len(c) < 4]:
            model.objects.filter(bassin_code=code).update(bassin_code=_four(code))
    Basin = apps.get_model("diagnostics", "Basin")
    for basin in Basin.objects.filter(source_kind="bassin_bmo"):
        codes = [_four(str(c)) for c in basin.source_codes or []]
        if codes != basin.source_codes:
            basin.source_codes = codes
            basin.save(update_fields=["source_codes"])


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0007_programme_reference")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
