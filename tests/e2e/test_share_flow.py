"""Browser: the story of issue 13. `demo-mairie` logs in, finds the shared diagnostic from its
home page, comments a section and proposes premises; `demo-delegue` sees the comment and the
proposal, accepts it, and the recommendation before and after is shown side by side (the Fab ID
condition, a place lent by the town, is lifted).

The world is the small sharing world with the demo's own sharing step
(`implantations.services.demo_sharing`: a version, a comment thread, a pending contribution).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from diagnostics.models import ShareComment
from diagnostics.selectors import diagnostic_frames
from implantations.models import BasinPartnership, Contribution
from implantations.services.demo_sharing import demo_sharing_ensure
from tests.e2e.conftest import login
from tests.factories.sharing import done_run, sharing_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-tres-long-42"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_mayor_comments_and_proposes_premises_delegate_accepts(live_server, chromium_browser):  # type: ignore[no-untyped-def]
    diagnostic_frames.frames_cache_clear()
    world = sharing_world()
    world.mayor.username = "demo-mairie"
    world.mayor.save()
    world.delegate.username = "demo-delegue"
    world.delegate.save()
    done_run(world)
    version_id = demo_sharing_ensure(world.basin, world.delegate)
    assert version_id
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []

    def new_page():  # type: ignore[no-untyped-def]
        context = chromium_browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="fr-FR"
        )
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        pg.on(
            "pageerror",
            lambda exc: errors.append(str(exc)) if "dsfr.module" not in (exc.stack or "") else None,
        )
        return context, pg

    # --- The mayor's office -------------------------------------------------------------------
    context, page = new_page()
    login(page, live_server, "demo-mairie", PASSWORD)
    assert page.get_by_role("link", name="Partagé avec moi").is_visible()
    card = page.locator(".fr-card", has_text="Diagnostic partagé le")
    assert "non lu" in card.inner_text().lower()
    page.screenshot(path=str(SCREENSHOTS / "partage-accueil-mairie.png"), full_page=True)
    card.get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/partages/{version_id}/")
    assert "Cette version ne change pas" in page.inner_text("main")
    # The demo's thread: the mayor's question and the delegate's answer.
    comments = page.locator("#commentaires")
    assert "deux plateformes ouvrent" in comments.inner_text()
    page.select_option("#comment-section", "chomage")
    page.fill("#comment-body", "Le chômage des jeunes est plus fort près de la gare. <b>oui</b>")
    page.get_by_role("button", name="Publier le commentaire").click()
    page.wait_for_url(f"{live_server.url}/partages/{version_id}/#commentaire-*")
    thread = page.locator("#commentaires-chomage")
    thread.wait_for()
    assert "près de la gare. <b>oui</b>" in comments.inner_text()  # shown as text, escaped
    comments.screenshot(path=str(SCREENSHOTS / "partage-commentaires.png"))
    page.get_by_role("link", name="Proposer un atout du territoire").first.click()
    page.select_option("#id_kind", "locaux")
    page.fill("#id_title", "Salle de l'ancienne poste")
    page.fill("#id_surface_m2", "140")
    page.fill("#id_source", "Délibération du conseil municipal du 12/11/2026")
    page.fill("#id_contact", "Service urbanisme, 03 25 00 00 00")
    page.get_by_role("button", name="Envoyer la proposition").click()
    page.wait_for_url(f"{live_server.url}/bassins/{world.basin.pk}/contributions/*")
    assert "Salle de l'ancienne poste" in page.inner_text("main")
    context.close()
    assert ShareComment.objects.filter(section="chomage").count() == 1

    # --- The delegate ---------------------------------------------------------------------------
    context, page = new_page()
    login(page, live_server, "demo-delegue", PASSWORD)
    # Four unread: the demo's question and pending proposal, the new comment and proposal.
    # The click returns once the new page is committed, not loaded: its text is read when all of
    # it has arrived (read at once, it missed the notices of a page sent in two parts).
    page.get_by_role("link", name="Notifications (4)").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    notices = page.locator("main")
    expect(notices).to_contain_text("a commenté « Chômage »")
    expect(notices).to_contain_text("propose « Salle de l'ancienne poste »")
    page.get_by_role("link", name="propose « Salle de l'ancienne poste »").first.click()
    page.wait_for_url(f"{live_server.url}/bassins/{world.basin.pk}/contributions/*")
    proposal = page.locator("article", has_text="Salle de l'ancienne poste")
    page.screenshot(path=str(SCREENSHOTS / "partage-contributions-examen.png"), full_page=True)
    proposal.get_by_role("button", name="Accepter").click()
    page.wait_for_load_state()
    accepted = page.locator("article", has_text="Salle de l'ancienne poste")
    text = accepted.inner_text()
    assert "acceptée" in text.lower() and "contrainte levée" in text.lower()
    before, after = accepted.locator(".cnam-side-by-side > div").all()
    assert "Fab ID (tiers-lieu) : condition non remplie" in before.inner_text()
    assert "Fab ID (tiers-lieu) : condition remplie" in after.inner_text()
    accepted.screenshot(path=str(SCREENSHOTS / "partage-avant-apres.png"))
    context.close()

    assert Contribution.objects.get(title="Salle de l'ancienne poste").status == "acceptee"
    assert BasinPartnership.objects.get(basin=world.basin).town_lends_premises is True
    assert errors == []
