"""National batches and atlas API (issue 16): plain APIViews.

- `POST /api/v1/batches/` {"zoning": "zone_emploi" | "ze" | "bassin_bmo" | "epci", "region":
  "44" (optional)} — national admins: 202 with the batch and its progress, or 200 « rien à
  faire » when every basin is up to date; `GET /api/v1/batches/<id>/`: its progress.
- `GET /api/v1/atlas/?zoning=…&indicator=…`: one row per reference basin with the indicator,
  its period and whether it is estimated (national admins, delegates, API clients: reference
  basins are public statistics, see `selectors.national`).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.analytics.atlas import ATLAS_INDICATORS, DEFAULT_INDICATOR
from diagnostics.errors import ApplicationError
from diagnostics.models import DiagnosticBatch, Region, User
from diagnostics.permissions import IsNationalAdmin
from diagnostics.selectors import national as selectors
from diagnostics.services.national import national_batch_request
from diagnostics.services.national_progress import batch_progress


def _batch_payload(batch: DiagnosticBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "zoning": batch.zoning,
        "region": batch.region_id,
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "created_at": batch.created_at.isoformat(),
        "started_at": batch.started_at.isoformat() if batch.started_at else None,
        "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
        "progress": batch_progress(batch).as_dict(),
    }


class BatchCreateApi(APIView):
    permission_classes = [IsNationalAdmin]

    class BatchRequestSerializer(serializers.Serializer):
        zoning = serializers.ChoiceField(
            choices=["zone_emploi", "ze", "bassin_bmo", "epci"],
            error_messages={
                "invalid_choice": "Zonage « {input} » inconnu : zone_emploi (ou ze), bassin_bmo ou epci."
            },
        )
        region = serializers.CharField(required=False, allow_blank=True, max_length=3)

    @extend_schema(request=BatchRequestSerializer, responses={200: dict, 202: dict})
    def post(self, request: Request) -> Response:
        data = self.BatchRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        zoning = selectors.ZONING_ALIASES.get(
            data.validated_data["zoning"], data.validated_data["zoning"]
        )
        region = None
        code = (data.validated_data.get("region") or "").strip()
        if code:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise ValidationError({"region": [f"Région « {code} » inconnue (code INSEE)."]})
        user: User = request.user  # type: ignore[assignment]
        try:
            outcome = national_batch_request(zoning=zoning, region=region, user=user)
        except ApplicationError as exc:
            raise ValidationError({"detail": exc.message}) from exc
        body: dict[str, Any] = {
            "message": outcome.message,
            "basins": outcome.basins,
            "registered": outcome.registered,
            "up_to_date": outcome.up_to_date,
            "created_runs": outcome.created_runs,
            "batch": _batch_payload(outcome.batch) if outcome.batch else None,
        }
        return Response(
            body, status=status.HTTP_202_ACCEPTED if outcome.batch else status.HTTP_200_OK
        )


class BatchDetailApi(APIView):
    permission_classes = [IsNationalAdmin]

    @extend_schema(responses={200: dict})
    def get(self, request: Request, pk: int) -> Response:
        batch = selectors.batch_list().filter(pk=pk).first()
        if batch is None:
            raise NotFound("Lot introuvable.")
        return Response(_batch_payload(batch))


class CanSeeAtlas(BasePermission):
    message = "L'atlas national est réservé aux administrateurs nationaux, aux délégués et aux clients de l'API."

    def has_permission(self, request: Any, view: Any) -> bool:
        return selectors.atlas_allowed(request.user)


class AtlasApi(APIView):
    permission_classes = [CanSeeAtlas]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        zoning = request.query_params.get("zoning", "zone_emploi")
        zoning = selectors.ZONING_ALIASES.get(zoning, zoning)
        if zoning not in selectors.ZONING_LABELS:
            raise ValidationError(
                {"zoning": [f"Zonage « {zoning} » inconnu : zone_emploi, bassin_bmo ou epci."]}
            )
        code = request.query_params.get("indicator", DEFAULT_INDICATOR)
        indicator = ATLAS_INDICATORS.get(code)
        if indicator is None:
            raise ValidationError(
                {"indicator": [f"Indicateur « {code} » inconnu : {', '.join(ATLAS_INDICATORS)}."]}
            )
        user: User = request.user  # type: ignore[assignment]
        rows = selectors.atlas_rows(zoning=zoning, user=user)
        # Each basin's population with its source and vintage (the indicator's own when it is
        # the population).
        population_source = selectors.population_source()
        return Response(
            {
                "zoning": zoning,
                "indicator": {
                    "code": indicator.code,
                    "label": indicator.label,
                    "unit": indicator.unit,
                    "source": population_source if code == "population" else indicator.source,
                },
                "population_source": population_source,
                "basins": [
                    {
                        "basin_id": int(r["basin_id"]),
                        "code": r["code"],
                        "name": r["name"],
                        "region": r["region_code"],
                        "value": r[code],
                        "period": r[f"{code}_period"],
                        "estimated": bool(r[f"{code}_estimated"]),
                        "population": r["population"],
                    }
                    for r in rows.to_dict("records")
                ],
            }
        )
