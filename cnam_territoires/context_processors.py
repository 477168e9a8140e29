from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from diagnostics.selectors.sharing import notification_unread_count

# (label, url name, who sees it). Roles not listed do not get the entry.
_NAV = [
    ("Partagé avec moi", "home", {"mairie"}),
    ("Bassins", "basin-list", {"admin_national", "delegue_regional"}),
    ("Diagnostics", "diagnostic-list", {"admin_national", "delegue_regional"}),
    ("Atlas national", "national-atlas", {"admin_national", "delegue_regional", "client_api"}),
    ("Lots nationaux", "national-batches", {"admin_national"}),
    ("Programme", "programme", {"admin_national", "delegue_regional"}),
    ("Implantations", "implantation-home", {"admin_national", "delegue_regional"}),
    ("Catalogue", "catalogue-home", {"admin_national", "delegue_regional", "admin_catalogue"}),
    ("Données", "data-home", {"admin_national", "delegue_regional", "admin_catalogue"}),
    ("Journal de sécurité", "audit-log", {"admin_national"}),
]


def site(request: HttpRequest) -> dict[str, object]:
    context: dict[str, object] = {
        "SITE_TITLE": settings.SITE_TITLE,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "DEMO_MODE": settings.DEMO,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        role = "admin_national" if user.is_superuser else user.role
        items = []
        for label, url_name, roles in _NAV:
            if role in roles:
                url = reverse(url_name)
                active = request.path == url if url == "/" else request.path.startswith(url)
                # The programme pages sit under /implantations/ but have their own entry.
                if url_name == "implantation-home" and request.path.startswith(
                    reverse("programme")
                ):
                    active = False
                items.append({"label": label, "url": url, "active": active})
        if role in ("admin_national", "delegue_regional"):
            unread = notification_unread_count(user)
            url = reverse("notification-list")
            items.append(
                {
                    "label": f"Notifications ({unread})" if unread else "Notifications",
                    "url": url,
                    "active": request.path.startswith(url),
                }
            )
        context["main_nav"] = items
    return context
