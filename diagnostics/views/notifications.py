"""The in-app notifications of a delegate (new comments and contributions on shared
diagnostics, issue 13). POST marks them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from diagnostics.models import User
from diagnostics.selectors.sharing import notification_list_for
from diagnostics.services.sharing import notifications_mark_read


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        notifications_mark_read(user=user)
        return redirect("notification-list")
    return render(
        request,
        "diagnostics/notifications.html",
        {"notifications": notification_list_for(user)},
    )
