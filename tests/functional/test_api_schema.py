"""The API against its own OpenAPI document, driven by schemathesis as a collector with a read-and-write
token: for every operation, valid and invalid input, no answer is a server error, every status is one
the operation declares, every body has the declared content type and shape.

Bounded and deterministic (derandomized, a fixed number of examples per operation), so that it runs in
the suite on both databases. The integration endpoints (outreach, gateway, card host) authenticate as
systems, not staff, and are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from arrears.cycle.business_date import open_date
from arrears.interfaces.api.v1 import api
from arrears.people.models import ApiToken, Scope
from tests.collections_factories import delinquent_customers, staff, team_with_queue

TODAY = dt.date(2026, 5, 3)
EXAMPLES = 25
INTEGRATIONS = r"^/api/v1/(outreach|gateway|card-host)/"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/")).exclude(path_regex=INTEGRATIONS)


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    """The whole Django stack as a WSGI app, inside the test's transaction (as the test client keeps it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def data(db: None) -> dict[str, Any]:
    """A collector of a team with cases, holding a token that may read and write (not post payments or approve)."""
    open_date(TODAY)
    team = team_with_queue()
    collector = staff(team=team)
    cases = delinquent_customers(2, through=TODAY)
    _, secret = ApiToken.issue(user=collector, name="schemathesis", scopes=[Scope.READ, Scope.WRITE])
    return {"token": secret, "case": cases[0].pk}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error_or_an_undeclared_status(
    case: Any, app: WSGIHandler, data: dict[str, Any]
) -> None:
    # Half the generated case ids name the team's real case, so that the operations run past the look-up.
    generated = case.path_parameters.get("case_id") if case.path_parameters else None
    if isinstance(generated, int) and not isinstance(generated, bool) and generated % 2 == 0:
        case.path_parameters["case_id"] = data["case"]
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {data['token']}"}, checks=CHECKS)
