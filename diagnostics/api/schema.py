"""The OpenAPI schema (drf-spectacular): the one error shape on every operation.

`ApiAutoSchema` adds to each operation the errors it may answer, all with `ErrorSerializer`
(`cnam_territoires.api_errors`): 400 (bad parameter or body), 401 (no or refused token), 403
(role or token scope), 404 (unknown or outside the caller's scope), 429 (throttled, with
Retry-After), unless the view already documents that code."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code stable de l'erreur (not_found, invalid…).")
    message = serializers.CharField(help_text="Message en français.")
    # Named as the document key (it shadows Serializer.fields, hence the ignore).
    fields = serializers.DictField(  # type: ignore[assignment]
        help_text="Erreurs par champ ou paramètre : {nom: [messages]} ; vide sinon."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


ERROR_EXAMPLES = {
    "400": OpenApiExample(
        "Paramètre invalide",
        value={
            "error": {
                "code": "invalid",
                "message": "Données invalides.",
                "fields": {"limit": ["Au plus 500 éléments par page."]},
            }
        },
        response_only=True,
        status_codes=["400"],
    ),
    "401": OpenApiExample(
        "Jeton refusé",
        value={
            "error": {"code": "authentication_failed", "message": "Jeton inconnu.", "fields": {}}
        },
        response_only=True,
        status_codes=["401"],
    ),
    "403": OpenApiExample(
        "Portée manquante",
        value={
            "error": {
                "code": "insufficient_scope",
                "message": "Ce jeton n'a pas la portée « basins:write » nécessaire à cette "
                "opération (portées du jeton : indicators:read).",
                "fields": {},
            }
        },
        response_only=True,
        status_codes=["403"],
    ),
    "404": OpenApiExample(
        "Hors périmètre",
        value={"error": {"code": "not_found", "message": "Bassin n° 7 introuvable.", "fields": {}}},
        response_only=True,
        status_codes=["404"],
    ),
    "429": OpenApiExample(
        "Trop de requêtes",
        value={
            "error": {
                "code": "throttled",
                "message": "Requête ralentie. Réessayez dans 12 secondes.",
                "fields": {},
            }
        },
        response_only=True,
        status_codes=["429"],
    ),
}
ERROR_DESCRIPTIONS = {
    "400": "Paramètre ou corps invalide (chaque champ en erreur est nommé).",
    "401": "Jeton absent, inconnu, expiré ou révoqué.",
    "403": "Rôle ou portée du jeton insuffisants.",
    "404": "Introuvable, ou hors du périmètre de l'appelant.",
    "429": "Trop de requêtes : réessayer après le délai de l'en-tête Retry-After.",
}


class ApiAutoSchema(AutoSchema):
    def _get_serializer(self) -> Any:
        view = self.view
        if not hasattr(view, "get_serializer") and not hasattr(view, "serializer_class"):
            return None  # an APIView documented by its extend_schema only
        return super()._get_serializer()

    def get_response_serializers(self) -> Any:
        found = super().get_response_serializers()
        return OpenApiTypes.OBJECT if found is None else found

    def _get_serializer_name(
        self, serializer: Any, direction: Any, bypass_extensions: bool = False
    ) -> str:
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        owner, _, nested = type(serializer).__qualname__.rpartition(".")
        if owner and name == nested.removesuffix("Serializer"):
            # A nested Input/Output serializer: named after its view, so that two views'
            # « InputSerializer » never collide.
            name = owner.removesuffix("Api") + name
        return name

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/"):
            return responses
        for code, description in ERROR_DESCRIPTIONS.items():
            if code in responses and responses[code].get("content"):
                continue
            body = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            body["description"] = (responses.get(code) or {}).get("description") or description
            if code == "429":
                body["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Secondes à attendre.",
                    }
                }
            responses[code] = body
        return responses

    def get_examples(self) -> list[Any]:
        examples = list(super().get_examples())
        if self.path.startswith("/api/v1/"):
            examples += list(ERROR_EXAMPLES.values())
        return examples
