"""The one pagination include of the list pages (audit log, imports, catalogue)."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def _page(number: int):  # type: ignore[no-untyped-def]
    return Paginator(list(range(45)), 20).page(number)


def test_middle_page_links_both_ways_and_keeps_the_filters() -> None:
    html = render_to_string("pagination.html", {"page": _page(2), "query": "action=login&q=x"})
    assert 'href="?page=1&amp;action=login&amp;q=x">Page précédente' in html
    assert 'href="?page=3&amp;action=login&amp;q=x">Page suivante' in html
    assert "2 / 3" in html


def test_first_page_has_no_previous_link_and_no_dangling_ampersand() -> None:
    html = render_to_string("pagination.html", {"page": _page(1), "query": ""})
    assert "Page précédente" not in html
    assert 'href="?page=2">Page suivante' in html


def test_single_page_renders_nothing() -> None:
    page = Paginator(list(range(5)), 20).page(1)
    assert "fr-pagination" not in render_to_string("pagination.html", {"page": page})


def test_import_list_passes_its_type_filter() -> None:
    from django.template import Context, Template

    html = Template(
        '{% if kind %}{% include "pagination.html" with page=page query="type="|add:kind %}'
        "{% endif %}"
    ).render(Context({"page": _page(2), "kind": "bmo"}))
    assert 'href="?page=3&amp;type=bmo"' in html
