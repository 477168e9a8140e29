"""Django's `{# … #}` comment covers one line only: a `{#` whose `#}` is on a later line is not a
comment, and the text is printed on the page (the diagnostic report showed its 3-line comment at
the top of every report and its PDF; the API docs page printed one before <!DOCTYPE html>, which
put it in quirks mode). Multi-line comments use {% comment %}."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_no_template_opens_a_one_line_comment_it_closes_on_a_later_line() -> None:
    unclosed = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert unclosed == []


def test_the_api_docs_page_starts_with_its_doctype(settings) -> None:  # type: ignore[no-untyped-def]
    page = render_to_string(
        "drf_spectacular/swagger_ui.html",
        {"title": "API", "schema_url": "/api/schema/", "settings": "{}"},
    )
    assert page.lstrip().startswith("<!DOCTYPE html>")
