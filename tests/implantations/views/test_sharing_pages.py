"""Pages of the shared diagnostic (issue 13): the mayor's home and navigation, the version page
with its frozen gap and recommendation and its comments, escaping everywhere (page, PDF HTML,
CSV exports), the read-only link, the delegate's share page and contribution review."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from diagnostics.models import DiagnosticRun, ShareRecipient
from diagnostics.services import share_links
from diagnostics.services.comments import share_comment_create
from implantations.services.contributions import ContributionInput, contribution_propose
from implantations.services.sharing import shared_version_create
from tests.factories.sharing import done_run, newer_run, sharing_world

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def shared():  # type: ignore[no-untyped-def]
    world = sharing_world()
    world.version = shared_version_create(
        run=done_run(world), user=world.delegate, recipients=["mairie-chaumont"],
        message="Voici le diagnostic.\n" + XSS,
    )  # fmt: skip
    return world


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_mayor_home_lists_what_was_shared_with_the_unread_marker(shared) -> None:  # type: ignore[no-untyped-def]
    client = _client(shared.mayor)
    page = client.get(reverse("home")).content.decode()
    url = reverse("shared-version-detail", args=[shared.version.pk])
    assert url in page
    assert "Bassin 4418" in page and "non lu" in page
    assert "Partagé avec moi" in page  # the mayor's navigation
    assert f'href="{reverse("diagnostic-list")}"' not in page
    assert f'href="{reverse("basin-list")}"' not in page
    assert client.get(url).status_code == 200
    assert ShareRecipient.objects.get(user=shared.mayor).read_at is not None
    assert "non lu" not in client.get(reverse("home")).content.decode()


def test_version_page_shows_the_frozen_report_gap_recommendation_and_escapes_html(shared) -> None:  # type: ignore[no-untyped-def]
    share_comment_create(
        version_id=shared.version.pk, user=shared.mayor, section="chomage", body=XSS
    )
    page = _client(shared.mayor).get(reverse("shared-version-detail", args=[shared.version.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="chiffres-cles"' in html and 'id="recommandation"' in html
    assert (
        'id="parcours-prioritaires"' in html
        and "tels qu'à la date du partage" in html
        or (shared.version.gap_note in html)
    )
    assert "Voici le diagnostic." in html
    assert XSS not in html and "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Claire Maire (Mairie de Chaumont)" in html
    # Read-only: no run button, no share management.
    assert reverse("diagnostic-run", args=[shared.basin.pk]) not in html
    assert reverse("basin-shares", args=[shared.basin.pk]) not in html


def test_newer_version_page_shows_what_changed(shared) -> None:  # type: ignore[no-untyped-def]
    newer = shared_version_create(
        run=newer_run(shared), user=shared.delegate, recipients=["mairie-chaumont"]
    )
    html = (
        _client(shared.mayor)
        .get(reverse("shared-version-detail", args=[newer.pk]))
        .content.decode()
    )
    assert "Ce qui a changé depuis la version du" in html
    assert "150 (BMO 2025)" in html and "200 (BMO 2026)" in html
    home = _client(shared.mayor).get(reverse("home")).content.decode()
    assert home.index(reverse("shared-version-detail", args=[newer.pk])) < home.index(
        reverse("shared-version-detail", args=[shared.version.pk])
    )


def test_mayor_gets_nothing_else_of_the_region(shared) -> None:  # type: ignore[no-untyped-def]
    unshared = newer_run(shared)
    client = _client(shared.mayor)
    assert client.get(reverse("diagnostic-detail", args=[unshared.pk])).status_code == 404
    assert client.get(reverse("diagnostic-pdf", args=[unshared.pk])).status_code == 404
    assert client.get(reverse("diagnostic-list")).status_code == 302
    shared_url = reverse("shared-version-detail", args=[shared.version.pk])
    for name in ("recommendation-detail", "catalogue-basin-gap", "business-model", "basin-assets"):
        response = client.get(reverse(name, args=[shared.basin.pk]))
        assert (response.status_code, response["Location"]) == (302, shared_url), name
    assert client.get(reverse("diagnostic-detail", args=[shared.version.run_id])).status_code == 200
    api = client.get(reverse("api-basin-recommendation", args=[shared.basin.pk]))
    assert api.status_code == 404
    # Revoked: the version and its run go at once.
    ShareRecipient.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get(shared_url).status_code == 404
    assert client.get(reverse("diagnostic-detail", args=[shared.version.run_id])).status_code == 404


def test_comment_post_on_a_revoked_share_is_a_404_and_bad_comment_a_message(shared) -> None:  # type: ignore[no-untyped-def]
    client = _client(shared.mayor)
    url = reverse("shared-version-comment", args=[shared.version.pk])
    response = client.post(
        url, {"action": "create", "section": "nulle-part", "body": "x"}, follow=True
    )
    assert "Commentaire incomplet" in response.content.decode()
    ShareRecipient.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert (
        client.post(url, {"action": "create", "section": "general", "body": "x"}).status_code == 404
    )


def test_comments_csv_and_pdf_escape_html_and_formulas(shared, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    share_comment_create(
        version_id=shared.version.pk,
        user=shared.mayor,
        section="general",
        body='=HYPERLINK("http://x")',
    )
    share_comment_create(
        version_id=shared.version.pk, user=shared.mayor, section="chomage", body=XSS
    )
    client = _client(shared.delegate)
    csv_text = client.get(
        reverse("shared-version-comments-export", args=[shared.version.pk])
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text.replace(";=", "\n=")
    captured: dict[str, str] = {}

    def fake_pdf(html: str, **kwargs: object) -> bytes:
        captured["html"] = html
        return b"%PDF-1.4 fake"

    from diagnostics.services import pdf_render

    monkeypatch.setattr(pdf_render, "render_pdf", fake_pdf)
    job_page = client.get(reverse("shared-version-pdf", args=[shared.version.pk]), follow=True)
    assert "Prêt : télécharger" in job_page.content.decode()
    job = job_page.context["job"]
    response = client.get(reverse("pdf-job-file", args=[job.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in captured["html"]
    assert "<script>alert" not in captured["html"]
    assert (
        'id="commentaires"' in captured["html"] and "Publier le commentaire" not in captured["html"]
    )


def test_read_only_link_opens_the_version_only(shared) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    created = share_links.share_link_create(version=shared.version, user=shared.delegate, days=3)
    anonymous = Client()
    response = anonymous.get(reverse("share-link-open", args=[created.token]))
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "Bassin 4418" in html and 'id="recommandation"' in html
    assert reverse("diagnostic-export", args=[shared.version.run_id, "tout", "xlsx"]) not in html
    assert 'id="commentaires"' not in html
    assert XSS not in html
    tampered = anonymous.get(reverse("share-link-open", args=[created.token[:-2] + "zz"]))
    assert (
        tampered.status_code == 404
        and "Ce lien n&#x27;est pas valide." in tampered.content.decode()
    )


def test_read_only_link_page_offers_no_export_and_no_anchor_without_its_target(shared) -> None:  # type: ignore[no-untyped-def]
    """Seen by the browser walk once it walked a link's page: each table of the report offered
    CSV and XLSX links that sent the reader without an account to the login page, and the
    summary's « Tous les tableaux » and the « Indicateurs par année » link pointed at a section
    the page left out. The tables are read on the page, without their exports."""
    import re

    cache.clear()
    created = share_links.share_link_create(version=shared.version, user=shared.delegate, days=3)
    html = Client().get(reverse("share-link-open", args=[created.token])).content.decode()
    assert "/export/" not in html and "rapport.pdf" not in html
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    anchors = set(re.findall(r'href="#([^"]+)"', html))
    assert {"tableaux", "tableau-years"} <= anchors
    assert sorted(anchors - ids) == []
    assert 'id="tableaux"' in html and "Tableaux du diagnostic" in html


def _one_long_table(run: DiagnosticRun) -> str:
    """The small world's tables are short: its longest is made long (30 rows, its own
    repeated), as the report sends it closed. Returns its name."""
    tables: dict[str, Any] = run.tables or {}
    longest = max(tables, key=lambda name: len(tables[name]["rows"]))
    tables[longest]["rows"] = (tables[longest]["rows"] * 30)[:30]
    DiagnosticRun.objects.filter(pk=run.pk).update(tables=tables)
    return longest


def test_read_only_link_sends_its_long_tables_closed_and_their_rows_when_opened(shared) -> None:  # type: ignore[no-untyped-def]
    """As on the report page, a long table (over 25 rows) comes without its rows; they are
    fetched under the same link (checked and rate-limited as the page, not logged as an
    opening), scoped as the page is; a revoked link or an unknown table gives nothing."""
    import re

    from diagnostics.models import ShareLinkView

    cache.clear()
    first = _one_long_table(shared.version.run)
    created = share_links.share_link_create(version=shared.version, user=shared.delegate, days=3)
    anonymous = Client()
    html = anonymous.get(reverse("share-link-open", args=[created.token])).content.decode()
    sources = re.findall(r'data-table-src="([^"]+)"', html)
    assert len(sources) == 1
    url = reverse("share-link-table", args=[created.token, first])
    assert (
        url in sources
        and reverse("diagnostic-table", args=[shared.version.run_id, first]) not in html
    )
    rows = anonymous.get(url)
    assert rows.status_code == 200 and rows["Cache-Control"] == "no-store"
    assert rows.content.decode().count("<tr") == 30 + 1  # its header and its 30 rows
    assert ShareLinkView.objects.filter(link=created.link).count() == 1  # the page only
    missing = anonymous.get(reverse("share-link-table", args=[created.token, "inconnu"]))
    assert missing.status_code == 404
    share_links.share_link_revoke(link=created.link, user=shared.delegate)
    assert anonymous.get(url).status_code == 410


def test_read_only_link_report_is_rendered_once_and_kept_without_the_token(
    shared, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The link's report is a cached fragment, as the shared version's page keeps its own (it
    was rendered at every opening); the fragment names a placeholder, never the token, which
    only the answer carries (the database and the cache hold no usable link)."""
    from diagnostics.views import diagnostic_report

    built: list[str] = []
    render = diagnostic_report.render_to_string

    def recorded(template, context=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        html = render(template, context, *args, **kwargs)
        if template == "diagnostics/diagnostic_report.html":
            built.append(html)
        return html

    monkeypatch.setattr(diagnostic_report, "render_to_string", recorded)
    cache.clear()
    longest = _one_long_table(shared.version.run)
    created = share_links.share_link_create(version=shared.version, user=shared.delegate, days=3)
    pages = [
        Client().get(reverse("share-link-open", args=[created.token])).content.decode()
        for _ in range(2)
    ]
    assert len(built) == 1
    assert created.token not in built[0] and "/lien/jeton-du-lien/tableaux/" in built[0]
    table_url = reverse("share-link-table", args=[created.token, longest])
    assert all(f'data-table-src="{table_url}"' in page for page in pages)
    assert all("jeton-du-lien" not in page for page in pages)


def test_delegate_share_page_shares_revokes_and_shows_a_link_once(shared) -> None:  # type: ignore[no-untyped-def]
    client = _client(shared.delegate)
    url = reverse("basin-shares", args=[shared.basin.pk])
    bad = client.post(
        url, {"action": "share", "run": shared.version.run_id, "recipients": "delegue-53"}
    )
    assert bad.status_code == 400
    assert (
        "aucun compte actif de mairie, d&#x27;EPCI ou de partenaire ne correspond à « delegue-53 »"
        in bad.content.decode()
    )
    ok = client.post(
        url, {"action": "share", "run": shared.version.run_id, "recipients": "ml-chaumont"}
    )
    assert ok.status_code == 302
    link = client.post(
        url, {"action": "link", "version": shared.version.pk, "days": 10, "label": "Conseil"}
    )
    assert link.status_code == 200 and "/lien/" in link.content.decode()
    assert "/lien/" not in client.get(url).content.decode()
    client.post(
        url, {"action": "revoke", "version": shared.version.pk, "recipient": shared.mayor.pk}
    )
    assert (
        _client(shared.mayor)
        .get(reverse("shared-version-detail", args=[shared.version.pk]))
        .status_code
        == 404
    )
    assert _client(shared.other_delegate).get(url).status_code == 404


def test_contribution_pages_propose_review_and_export_escaped(shared) -> None:  # type: ignore[no-untyped-def]
    mayor = _client(shared.mayor)
    create = reverse("contribution-create", args=[shared.basin.pk])
    bad = mayor.post(
        create,
        {"kind": "locaux", "title": "Salle", "surface_m2": "-5", "source": "s", "contact": "c"},
    )
    assert bad.status_code == 400 and "Surface impossible : -5 m²" in bad.content.decode()
    good = mayor.post(
        create,
        {
            "kind": "locaux",
            "title": XSS,
            "surface_m2": "120",
            "source": "=cmd|' /C calc'!A0",
            "contact": "c",
        },
    )
    assert good.status_code == 302
    contribution = contribution_propose(
        basin=shared.basin, user=shared.mayor,
        data=ContributionInput(kind="locaux", title="Salle des fêtes", surface_m2=200, source="Délibération", contact="Mairie"),
    )  # fmt: skip
    delegate = _client(shared.delegate)
    page = delegate.get(reverse("contribution-list", args=[shared.basin.pk])).content.decode()
    assert XSS not in page and "&lt;script&gt;" in page
    response = delegate.post(
        reverse("contribution-decide", args=[contribution.pk]),
        {"decision": "accepter", "version": 1},
    )
    assert response.status_code == 302
    page = delegate.get(reverse("contribution-list", args=[shared.basin.pk])).content.decode()
    assert "contrainte levée" in page and "Avant" in page and "Après" in page
    stale = delegate.post(
        reverse("contribution-decide", args=[contribution.pk]),
        {"decision": "refuser", "version": 1},
        follow=True,
    )
    assert "a été modifiée entre-temps" in stale.content.decode()
    csv_text = delegate.get(reverse("contribution-export", args=[shared.basin.pk])).content.decode(
        "utf-8-sig"
    )
    assert "'=cmd" in csv_text
    # The mayor reads its own proposals, not the decision panel.
    mine = mayor.get(reverse("contribution-list", args=[shared.basin.pk])).content.decode()
    assert "Salle des fêtes" in mine and "Corriger avant de décider" not in mine
