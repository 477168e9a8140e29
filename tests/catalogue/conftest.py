import pytest

from diagnostics.models import BmoFact, FapCode, ImportBatch, RomeCode


@pytest.fixture(autouse=True)
def _catalogue_choices(request):  # type: ignore[no-untyped-def]
    """The fixed lists are seeded by a data migration, which a transactional test elsewhere in
    the session flushes: bring them back for the tests that use the database."""
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        request.getfixturevalue("db")
        from catalogue.services.catalogue import catalogue_choices_ensure

        catalogue_choices_ensure()


def _batch(kind: str) -> ImportBatch:
    return ImportBatch.objects.create(
        kind=kind,
        file_name=f"{kind}.csv",
        sha256=kind.ljust(64, "0"),
        status=ImportBatch.Status.DONE,
        vintage="test",
    )


@pytest.fixture
def referentials(db):  # type: ignore[no-untyped-def]
    """Small imported referentials: FAP 2021 L1X60, M1X80; a 2023 BMO fact on L1Z60; ROME
    M1203, M1805, M1608."""
    fap = _batch("fap")
    for code, label in (("L1X60", "Employés de la comptabilité"), ("M1X80", "Techniciens dév.")):
        FapCode.objects.create(batch=fap, level=228, code=code, label=label, parent_code=code[:3])
    bmo = _batch("bmo")
    BmoFact.objects.create(
        batch=bmo,
        year=2023,
        bassin_code="4418",
        metier_code="L1Z60",
        metier_label="Employés de la comptabilité",
        met=10,
        xmet=5,
        smet=0,
    )
    rome = _batch("rome")
    for code, label in (("M1203", "Comptable"), ("M1805", "Développeur"), ("M1608", "Secr.")):
        RomeCode.objects.create(
            batch=rome,
            code=code,
            label=label,
            parent_code=code,
            grand_domaine_code=code[0],
            domaine_code=code[:3],
        )
    return {"fap": fap, "bmo": bmo, "rome": rome}
