"""The portal's API against its own OpenAPI document, driven by schemathesis as a signed-in cardholder (the
bearer form of the portal session): no server error, every status declared, every body as declared. Bounded
and derandomized, on both databases, like tests/functional/test_api_schema.py for the staff's API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from arrears.interfaces.portal.api import portal_api
from arrears.portal import operations
from arrears.statements.models import Statement
from tests.functional.portal_world import build, last_code

EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(portal_api.get_openapi_schema(path_prefix="/portal/api/"))


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def data(db: None, settings: Any, tmp_path: Path) -> dict[str, Any]:
    holders = build(settings, tmp_path)
    a = holders[0]
    # Through the operations, not the test client (which would connect the signals `app` disconnects).
    asked = operations.request_code(last_four=a.last_four, national_id=a.national_id, address="127.0.0.1")
    signed = operations.verify_code(
        token=asked.token, code=last_code(settings, a.mobile), address="127.0.0.1", user_agent="schemathesis"
    )
    statement = Statement.objects.filter(account=holders[0].account).order_by("-id").first()
    assert statement is not None
    return {"token": signed.token, "statement": statement.pk}


def test_the_schema_is_served_at_its_own_address(db: None) -> None:
    response = Client().get("/portal/api/openapi.json")
    assert response.status_code == 200
    assert "/portal/api/v1/accounts" in response.json()["paths"]
    assert not any(p.startswith("/api/") for p in response.json()["paths"])


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_portal_operation_answers_a_server_error_or_an_undeclared_status(
    case: Any, app: WSGIHandler, data: dict[str, Any]
) -> None:
    generated = case.path_parameters.get("statement_id") if case.path_parameters else None
    if isinstance(generated, int) and not isinstance(generated, bool) and generated % 2 == 0:
        case.path_parameters["statement_id"] = data["statement"]
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {data['token']}"}, checks=CHECKS)
