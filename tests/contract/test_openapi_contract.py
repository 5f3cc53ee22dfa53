"""Schemathesis over every operation of /openapi.json, and its stateful phase over the links between operations,
with every check on, each area called with the credentials its real callers hold.

Driven through schemathesis' Hypothesis strategies and state machine rather than its pytest loader, whose
`from_fixture` does not run on pytest 9.2. One check is tuned to the API's documented semantics: "positive data
acceptance" expects 2xx for every schema-valid request, while a business rule rightly refuses some with a
registered code (`400 purpose_required`, `422 identity_mismatch`, an OAuth `invalid_grant`). It accepts 400 and 422
here, and `schema_valid_data_passes_the_schema` below makes the stricter point that check exists for: data the
schema admits is never refused *as malformed*, so every rule the edge enforces is in the schema (cross-field rules
as `anyOf`/`oneOf`/`if`-`then`, value formats as patterns; tests/contract/test_published_rules.py walks each).
"Negative data rejection" is on: data outside the schema is refused, an unknown query parameter included (the API's
operations answer `400 unknown_parameter`). The OAuth/OIDC endpoints ignore unknown parameters, as RFC 6749 §3.1
requires; schemathesis does not count a request whose only fault is an unknown query parameter as invalid data.
"""

from collections.abc import Callable

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.generation.stateful import run_state_machine_as_test

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.conftest import ADMIN_TOKEN, basic, client_token
from tests.worlds.conftest import root_client  # noqa: F401  (the worlds' own app, for the world operations)

OPERATIONS = [
    (method.upper(), path)
    for path, methods in create_app(Settings(database_url="sqlite://", log_level="WARNING")).openapi()["paths"].items()
    for method in methods
]
EXAMPLES_PER_OPERATION = 25
# Operations whose every call regenerates keys or re-seeds the population: a few examples cover their schema.
EXPENSIVE_OPERATIONS = {("POST", "/sandbox/reset"): 3, ("POST", "/sandbox/keys/rotate"): 3}
STATEFUL_SCENARIOS = 25
STATEFUL_STEPS = 6
BUSINESS_REFUSALS = ["400", "422"]


def _minted(client: TestClient, persona: str, client_id: str) -> str:
    minted = client.post(
        "/sandbox/tokens",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        json={"persona": persona, "client_id": client_id, "scope": "openid profile"},
    )
    assert minted.status_code == 200, minted.text
    return str(minted.json()["access_token"])


def credentials(client: TestClient) -> Callable[[str], dict[str, str]]:
    """The Authorization header each area's real callers send: the operator's admin token, the VNeID app's citizen
    and officer tokens, a bank's sign-in token for userinfo, an integrator's client credentials for webhooks and
    the OAuth endpoints, an agency's token for the population database, nothing for the public endpoints."""
    citizen, officer = _minted(client, "an", "vneid-app"), _minted(client, "police", "vneid-app")
    areas = (
        ("/sandbox/", f"Bearer {ADMIN_TOKEN}"),
        ("/v1/me", f"Bearer {citizen}"),
        ("/v1/applications", f"Bearer {citizen}"),
        ("/v1/payments", f"Bearer {citizen}"),
        ("/v1/officer", f"Bearer {officer}"),
        ("/oauth2/userinfo", f"Bearer {_minted(client, 'an', 'demo-bank')}"),
        ("/v1/webhooks", f"Bearer {client_token(client, 'demo-bank', 'demo-bank-secret')}"),
        ("/oauth2/", basic("demo-bank", "demo-bank-secret")["Authorization"]),
        ("/v1/citizens", f"Bearer {client_token(client, 'demo-agency', 'demo-agency-secret')}"),
    )

    def for_path(path: str) -> dict[str, str]:
        return next(({"Authorization": value} for prefix, value in areas if path.startswith(prefix)), {})

    return for_path


def schema_valid_data_passes_the_schema(ctx: object, response: object, case: schemathesis.Case) -> bool | None:
    """A request generated from the schema (positive data) is never refused as failing the schema."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code not in (400, 422):  # type: ignore[attr-defined]
        return None
    if "json" not in str(response.headers.get("content-type")):  # type: ignore[attr-defined]  # an HTML page
        return None
    body = response.json()  # type: ignore[attr-defined]
    malformed = body.get("code") == "validation_error" or str(body.get("error_description", "")).startswith(
        "missing or invalid:"
    )
    if malformed:
        raise AssertionError(f"schema-valid data refused as malformed: {body}")
    return None


def _schema(app: FastAPI) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    defaults = PositiveDataAcceptanceConfig().expected_statuses
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=[*defaults, *BUSINESS_REFUSALS]
    )
    return schema


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_honours_its_schema(
    app: FastAPI, database: Database, client: TestClient, method: str, path: str, request: pytest.FixtureRequest
) -> None:
    app.state.database = database
    if path.startswith("/sandbox/worlds"):  # a world is made beside a database of its own, not in a rolled-back one
        app = request.getfixturevalue("root_client").app
    operation = _schema(app)[path][method]
    headers = credentials(client)(path)
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE) | operation.as_strategy(
        generation_mode=GenerationMode.NEGATIVE
    )

    @given(case=strategy)
    @settings(
        max_examples=EXPENSIVE_OPERATIONS.get((method, path), EXAMPLES_PER_OPERATION),
        deadline=None,
        derandomize=True,  # the same examples on every run: a failure is a change, never a dice roll
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers=headers,
            additional_checks=[schema_valid_data_passes_the_schema],
        )

    run()


def test_stateful_sequences_honour_the_schema(app: FastAPI, database: Database, client: TestClient) -> None:
    """The stateful phase: sequences that follow the links between operations (a created webhook deleted, an
    application read back), each call with its area's credentials."""
    app.state.database = database
    schema = _schema(app).exclude(path_regex="^/sandbox/worlds")  # worlds: tested on their own app above
    for_path = credentials(client)

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"headers": for_path(case.path)}

        def validate_response(self, response: object, case: schemathesis.Case, **kwargs: object) -> None:
            case.validate_response(
                response,
                additional_checks=[schema_valid_data_passes_the_schema],
            )

    run_state_machine_as_test(
        Sequences,
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
