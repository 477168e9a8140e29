"""The « Jetons d'API » page: a user creates, sees and revokes their own tokens.

The secret of a new token is in the answer to the POST that created it, and nowhere else (no
redirect: it is never put in a message, a session or a log)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from diagnostics.errors import ApplicationError
from diagnostics.forms.tokens import ApiTokenForm
from diagnostics.models import User
from diagnostics.selectors.tokens import api_token_list_for
from diagnostics.services.tokens import api_token_create, api_token_revoke, scopes_allowed_for


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    allowed = scopes_allowed_for(user)
    created = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST, allowed_scopes=allowed)
        if form.is_valid():
            try:
                created = api_token_create(
                    user=user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                )
            except ApplicationError as exc:
                field = "scopes" if exc.code.startswith("scope") else "name"
                if exc.code == "expiry_invalid":
                    field = "expires_in_days"
                form.add_error(field, exc.message)
            else:
                form = ApiTokenForm(allowed_scopes=allowed)
    else:
        form = ApiTokenForm(allowed_scopes=allowed)
    response = render(
        request,
        "diagnostics/token_list.html",
        {
            "form": form,
            "tokens": list(api_token_list_for(user)),
            "created": created,
            "allowed_scopes": allowed,
        },
    )
    if created is not None:
        response["Cache-Control"] = "no-store"  # the secret is on this page only
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    token = api_token_list_for(user).filter(pk=pk).first()
    if token is None:  # another user's token: not found, whoever asks
        raise Http404("Jeton introuvable.")
    api_token_revoke(token=token)
    messages.success(request, f"Jeton « {token.name} » révoqué : il n'ouvre plus l'API.")
    return redirect("token-list")
