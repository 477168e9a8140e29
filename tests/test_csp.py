"""Content-Security-Policy (django-csp): the header is sent with scripts and styles from our
own origin only, and no template nor rendered page holds what that policy would block (inline
<script> code, <style> blocks, style="…" or on…= attributes). The browser side (no CSP
violation when the pages run) is tests/e2e/test_csp_browser.py and the walk."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from diagnostics.models import Role
from tests.factories.basins import BasinFactory, make_region, make_user

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


class InlineFinder(HTMLParser):
    """Collects what a strict CSP blocks: inline scripts (JSON data blocks are not scripts),
    <style> elements, style and event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, _ in attrs:
            if name == "style" or re.fullmatch(r"on[a-z]+", name):
                self.found.append(f"<{tag} {name}=…>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}…")


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_sees_what_csp_blocks():
    html = (
        '<div style="width: 3%"><a onclick="x()">a</a></div><style>p{}</style>'
        '<script>alert(1)</script><script src="/static/a.js"></script>'
        '<script id="d" type="application/json">{"a": 1}</script>'
    )
    assert inline_code(html) == [
        "<div style=…>",
        "<a onclick=…>",
        "<style>",
        "<script>alert(1)…",
    ]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_hold_no_inline_script_or_style(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    # Template tags inside attributes confuse nothing here: the parser sees their text.
    assert inline_code(text) == [], (
        f"{template.relative_to(ROOT)} : code en ligne interdit par la CSP"
    )


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_plotly_is_loaded_only_through_its_csp_include(template: Path) -> None:
    # plotly.js inserts a <style> element (a CSP violation) unless the stylesheet link of
    # templates/plotly_js.html stands before it: pages load plotly through that include.
    if template.name == "plotly_js.html":
        return
    assert "plotly/plotly.min.js" not in template.read_text(encoding="utf-8"), (
        f'{template.relative_to(ROOT)} : charger plotly par {{% include "plotly_js.html" %}}'
    )


@pytest.mark.django_db
def test_pages_send_a_strict_policy(client):
    response = client.get(reverse("login"))

    policy = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    # plotly.js's own SVG style attributes only (cnam_territoires/settings.py says why); never scripts.
    assert directives["style-src-attr"] == "'unsafe-inline'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_rendered_pages_hold_no_inline_script_or_style(client):
    region = make_region("44", "Grand Est")
    basin = BasinFactory(name="Bassin de Chaumont", region=region)
    client.force_login(make_user("admin-csp", role=Role.NATIONAL_ADMIN))
    pages = [
        reverse("home"),
        reverse("basin-list"),
        reverse("basin-detail", args=[basin.pk]),
        reverse("basin-create"),
        reverse("import-list"),
        reverse("data-home"),
        reverse("audit-log"),
        reverse("planning"),
        reverse("api-docs"),
    ]
    found = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        if inline := inline_code(response.content.decode()):
            found[url] = inline
    assert found == {}


def test_api_docs_init_script_is_a_separate_file(client, db):
    client.force_login(make_user("lecteur-docs"))
    page = client.get(reverse("api-docs")).content.decode()
    script = client.get(reverse("api-docs") + "?script=")

    assert 'src="/api/docs/?script="' in page
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_the_policy_header_is_django_csps_and_follows_the_settings(client, settings) -> None:  # type: ignore[no-untyped-def]
    """The project's CSPMiddleware builds each header once per settings value: the same header
    as django-csp's, and a new one when the setting changes (never a stale policy)."""
    from csp.constants import NONE, SELF
    from csp.middleware import CSPMiddleware as DjangoCSP
    from django.http import HttpResponse
    from django.test import RequestFactory

    def django_csp(header: str = "Content-Security-Policy") -> str:
        return DjangoCSP(lambda request: HttpResponse()).process_response(  # type: ignore[no-any-return]
            RequestFactory().get("/favicon.ico"), HttpResponse()
        )[header]

    first = client.get("/favicon.ico")
    expected = django_csp()
    assert first.headers["Content-Security-Policy"] == expected
    assert "script-src 'self'" in expected and "frame-ancestors 'none'" in expected

    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": [NONE], "img-src": [SELF]},
        "EXCLUDE_URL_PREFIXES": ["/api/"],
    }
    changed = client.get("/favicon.ico")
    assert changed.headers["Content-Security-Policy"] == django_csp() != expected
    assert sorted(django_csp().split("; ")) == ["default-src 'none'", "img-src 'self'"]
    assert "Content-Security-Policy" not in client.get("/api/schema/").headers

    del settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF]}}
    report_only = client.get("/favicon.ico")
    assert "Content-Security-Policy" not in report_only.headers
    assert report_only.headers["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    assert django_csp("Content-Security-Policy-Report-Only") == "default-src 'self'"
