"""schemathesis against the app's own OpenAPI: no 5xx, every response matches the schema.

Every operation of a fresh app's schema gets a few Hypothesis-generated requests, sent with a
program admin's read/write token (schemathesis' lazy pytest fixture does not work on pytest 9,
so the operations are driven here directly).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from appworld import World, app_settings, issue
from shopstar.web import create_app

EXAMPLES = 20


@pytest.mark.slow
def test_api_conforms_to_its_openapi(world: World, tmp_path: Path) -> None:
    app = create_app(app_settings(world.db_url, tmp_path))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {issue(world, 'program_admin')}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers)

        check()
    app.state.engine.dispose()


def test_openapi_documents_bearer_auth_and_error_bodies(world: World, tmp_path: Path) -> None:
    app = create_app(app_settings(world.db_url, tmp_path))
    spec = app.openapi()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    creators = spec["paths"]["/api/v1/creators"]["get"]
    assert {"200", "401", "404", "422"} <= set(creators["responses"])
    error = creators["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/ErrorBody")
    app.state.engine.dispose()
