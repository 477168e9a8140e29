"""Contract test of the API v1 (issue 14): every operation of the OpenAPI schema, with the token
of each role, against a live test server on 127.0.0.1 (schemathesis, property-based).

For each operation and role: a few generated requests on the real objects of a small world
(its basin, run, import, path, territories) and a few with generated ids. Every answer must
be a documented status code, never a 5xx, with the documented content type, headers and body
(the one error shape included). Bounded: EXAMPLES_REAL + EXAMPLES_RANDOM examples per
operation and role (about a minute). The number of operations exercised is printed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.test import APIRequestFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.contract,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES_REAL = 2
EXAMPLES_RANDOM = 1
ROLES = ("admin_national", "delegue_regional", "admin_catalogue", "mairie", "client_api")


def openapi_document() -> dict[str, Any]:
    """The schema as /api/schema/ serves it (drf-spectacular), as plain JSON."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    request = APIRequestFactory().get("/api/schema/")
    raw = SchemaGenerator().get_schema(request=None, public=True)
    del request
    return json.loads(OpenApiJsonRenderer().render(raw))


def build_world() -> dict[str, Any]:
    import datetime as dt

    from diagnostics.models import BasinShare, ImportBatch, Role
    from diagnostics.services.diagnostics import diagnostic_execute, diagnostic_request
    from diagnostics.services.tokens import api_token_create, scopes_allowed_for
    from implantations.models import ImplantationProject
    from tests.factories.basins import EpciFactory, make_user
    from tests.factories.catalogue import make_path
    from tests.factories.diagnostic_runs import diagnostic_world

    world = diagnostic_world()
    disposable = world.make_basin("Bassin à supprimer", ["52004"])
    project = ImplantationProject.objects.create(
        basin=world.basin, name="Projet du contrat", concept="fab_id", start_year=2025,
        study_started_on=dt.date(2025, 1, 6),
    )  # fmt: skip
    # Catalogue records the DELETE operations may remove (the others stay for every role).
    make_path(code="DEL-01", title="Parcours à supprimer", rome_codes=["M1805"])
    run = diagnostic_execute(run_id=diagnostic_request(basin_id=world.basin.pk).pk)
    epci = EpciFactory(code="200000001", name="CA de Chaumont")
    path = make_path(code="NUM-01", title="Développeur web", bmo_codes=["A1Z40"])
    users = {
        "admin_national": make_user("c-admin", role=Role.NATIONAL_ADMIN),
        "delegue_regional": world.delegate,
        "admin_catalogue": make_user("c-catalogue", role=Role.CATALOGUE_ADMIN),
        "mairie": make_user("c-mairie", role=Role.MAYOR_VIEWER),
        "client_api": make_user("c-api", role=Role.API_CLIENT, regions=[world.region]),
    }
    BasinShare.objects.create(basin=world.basin, user=users["mairie"])
    batch = ImportBatch.objects.create(
        kind="rome",
        file_name="rome.csv",
        sha256="f" * 64,
        status=ImportBatch.Status.REJECTED,
        error_report=[{"line": 3, "column": "code", "value": "X", "rule": "Code ROME invalide."}],
        errors_total=1,
        uploaded_by=users["admin_national"],
    )
    tokens = {
        role: api_token_create(user=user, name="contrat", scopes=scopes_allowed_for(user)).key
        for role, user in users.items()
    }
    ids = {
        "basins": world.basin.pk,
        "projects": project.pk,
        "runs": run.pk,
        "imports": batch.pk,
        "catalogue/paths": path.code,
        "catalogue/sectors": path.sector.code,
        "territories/regions": "44",
        "territories/departements": "52",
        "territories/communes": "52001",
        "territories/epci": epci.code,
        "territories/zones-emploi": "4404",
        "territories/bassins-bmo": "4418",
    }
    return {
        "tokens": tokens,
        "ids": ids,
        "disposable": disposable.pk,
        "disposable_codes": {"code": "DEL-01", "occupation": "M1805"},
    }


def real_path_parameters(path: str, ids: dict[str, Any]) -> dict[str, Any]:
    """{pk} / {code} / {name} of an operation's path, filled with the world's objects."""
    params: dict[str, Any] = {}
    for resource, value in sorted(ids.items(), key=lambda kv: -len(kv[0])):
        if path.startswith(f"/api/v1/{resource}/"):
            key = "code" if "{code}" in path else "pk"
            params[key] = value
            break
    if "{name}" in path:
        params["name"] = "years"
    return params


@pytest.fixture
def contract(live_server) -> Iterator[dict[str, Any]]:
    # Throttling off for the run; the data computed once for all roles.
    with override_settings(API_THROTTLE_RATES={}):
        yield {"base": live_server.url, **build_world()}


def checks() -> list[Any]:
    from schemathesis import checks as c

    return [
        c.not_a_server_error,
        c.status_code_conformance,
        c.content_type_conformance,
        c.response_headers_conformance,
        c.response_schema_conformance,
    ]


def exercise(operation: Any, strategy: Any, *, examples: int, call: Any) -> None:
    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        call(case)

    run()


def test_every_operation_honours_the_schema_for_every_role(contract: dict[str, Any]) -> None:
    assert contract["base"].startswith("http://localhost") or "127.0.0.1" in contract["base"]
    base = contract["base"].replace("localhost", "127.0.0.1")
    document = openapi_document()
    served = requests.get(
        f"{base}/api/schema/?format=json",
        headers={"Authorization": f"Token {contract['tokens']['client_api']}"},
        timeout=30,
    )
    assert served.status_code == 200
    assert requests.get(f"{base}/api/schema/", timeout=30).status_code == 401  # not public
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    v1 = [op for op in operations if op.path.startswith("/api/v1/")]
    failures: list[str] = []
    calls = 0

    for role in ROLES:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {contract['tokens'][role]}"

        # Reads first, deletions last: a deleted basin would leave the other operations 404s.
        order = {"GET": 0, "POST": 1, "PATCH": 2, "PUT": 2, "DELETE": 3}
        for operation in sorted(v1, key=lambda op: (order.get(op.method.upper(), 1), op.path)):

            def call(
                case: Any, operation: Any = operation, role: str = role, session: Any = session
            ) -> None:
                nonlocal calls
                calls += 1
                response = case.call(base_url=base, session=session, timeout=60)
                try:
                    case.validate_response(response, checks=checks())
                except (Exception, BaseExceptionGroup) as exc:  # collect all, fail once
                    text = re.sub(r"\s+", " ", str(exc))[:600]
                    failures.append(
                        f"{role} {operation.method.upper()} {case.formatted_path}: {text}"
                    )

            fixed = real_path_parameters(operation.path, contract["ids"])
            if operation.method.upper() == "DELETE":
                # Deletions on records of their own: the world's stay for the other roles.
                if "{code}" in operation.path:
                    fixed = {
                        k: v
                        for k, v in contract["disposable_codes"].items()
                        if "{" + k + "}" in operation.path
                    }
                else:
                    fixed = {"pk": contract["disposable"]}
            exercise(
                operation,
                operation.as_strategy(path_parameters=fixed or None),
                examples=EXAMPLES_REAL,
                call=call,
            )
            if fixed:
                exercise(operation, operation.as_strategy(), examples=EXAMPLES_RANDOM, call=call)

    print(f"\ncontrat : {len(v1)} opérations × {len(ROLES)} rôles, {calls} requêtes")
    assert len(v1) >= 30
    assert not failures, f"{len(failures)} écarts au contrat :\n" + "\n".join(failures[:40])
