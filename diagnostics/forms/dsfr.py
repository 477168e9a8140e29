"""The DSFR look of Django forms, shared by the apps' forms."""

from __future__ import annotations

from django import forms


def dsfr_widgets(form: forms.BaseForm) -> None:
    """Gives each widget of `form` its DSFR class (fr-select for a select, fr-input otherwise;
    a checkbox keeps none), unless the field set one."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        css = "fr-select" if isinstance(widget, forms.Select) else "fr-input"
        widget.attrs.setdefault("class", css)
