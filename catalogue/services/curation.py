"""Curation of the catalogue one record at a time (the admin's forms, the API's `catalogue:write`):
save a sector or a path from its validated form, delete one, link or unlink an occupation.

Each write is atomic and recorded by django-simple-history with the user who made it (an API
request is authenticated by its token after the history middleware ran, so the user is given
here). A deletion the database refuses (a sector that still has paths) is a French
CatalogueError, nothing deleted."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from catalogue.models import Sector, TrainingPath, normalise_codes
from catalogue.selectors.catalogue import code_referential, occupation_code_errors
from catalogue.services.catalogue import CatalogueError
from diagnostics.models import User

NOMENCLATURES = {"bmo": "bmo_codes", "rome": "rome_codes"}


def catalogue_form_save(*, form: Any, user: User | None) -> Any:
    """Save a valid ModelForm (SectorForm, TrainingPathForm) with its many-to-many links."""
    creating = form.instance.pk is None
    many = {field.name for field in form.instance._meta.many_to_many}
    with transaction.atomic():
        instance = form.save(commit=False)
        instance._history_user = user
        instance.save()
        # Links rewritten only when they changed: an unchanged set would add a history entry.
        if creating or many & set(form.changed_data):
            form.save_m2m()
    return instance


def catalogue_delete(*, instance: Sector | TrainingPath, user: User | None) -> None:
    instance._history_user = user  # type: ignore[union-attr]
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as exc:
        if isinstance(instance, Sector):
            count = instance.paths.count()
            message = (
                f"La filière « {instance.name} » a encore {count} parcours : rattachez-les à "
                "une autre filière ou supprimez-les d'abord."
            )
        else:
            message = f"« {instance} » est encore utilisé : rien n'a été supprimé."
        raise CatalogueError(message, code="protected") from exc


def path_occupation_add(
    *, path: TrainingPath, nomenclature: str, code: str, user: User | None
) -> bool:
    """Link an occupation (BMO métier or ROME code, checked against the imported referentials)
    to a path; False when it was already linked."""
    field = NOMENCLATURES[nomenclature]
    codes = normalise_codes([code])
    if len(codes) != 1:
        raise CatalogueError("Code attendu.", code="invalid", extra={"field": "code"})
    errors = occupation_code_errors(
        bmo_codes=codes if nomenclature == "bmo" else [],
        rome_codes=codes if nomenclature == "rome" else [],
        referential=code_referential(),
    )
    if errors:
        raise CatalogueError(
            " ".join(errors[field]), code="invalid_occupation", extra={"field": "code"}
        )
    current = list(getattr(path, field) or [])
    if codes[0] in current:
        return False
    with transaction.atomic():
        setattr(path, field, [*current, codes[0]])
        path._history_user = user  # type: ignore[attr-defined]
        path.save()
    return True


def path_occupation_remove(*, path: TrainingPath, code: str, user: User | None) -> bool:
    """Unlink an occupation (whatever its nomenclature); False when it was not linked."""
    code = code.strip().upper()
    changed = False
    with transaction.atomic():
        for field in NOMENCLATURES.values():
            current = list(getattr(path, field) or [])
            if code in current:
                setattr(path, field, [c for c in current if c != code])
                changed = True
        if changed:
            path._history_user = user  # type: ignore[attr-defined]
            path.save()
    return changed
