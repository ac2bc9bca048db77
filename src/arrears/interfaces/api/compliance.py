"""POST /api/v1/compliance/check: the compliance gate for dialers, agencies and the workbench.

The body is the same JSON document as `arrears compliance check FILE`, parsed by the same function
(arrears.compliance.parse), so both doors give the same answer. A malformed body is a 422 with the
field named: {"code": "validation_failed", "field": "proposed.at", "message": "..."}.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from arrears.compliance.parse import check_document
from arrears.errors import ValidationFailed
from arrears.interfaces.api.auth import scope
from arrears.interfaces.api.errors import errors
from arrears.people.models import Scope

router = Router(tags=["compliance"])

_EXAMPLE = {
    "pack": "US",
    "collector_type": "agency",
    "customer": {
        "locations": ["America/New_York", "America/Los_Angeles"],
        "flags": {
            "attorney": False,
            "cease": False,
            "bankruptcy": False,
            "deceased": False,
            "dispute": False,
            "plan_in_good_standing": False,
        },
        "opted_out_channels": ["sms"],
        "consents": [{"channel": "phone", "from": "2026-03-19T18:00:00-04:00", "to": "2026-03-19T19:00:00-04:00"}],
    },
    "parties": {"p1": {"role": "debtor"}, "p2": {"role": "emergency_contact", "refused_on": None}},
    "history": [
        {
            "at": "2026-03-02T10:00:00-05:00",
            "channel": "phone",
            "party": "p1",
            "address": "+12125550100",
            "debts": ["D1"],
            "outcome": "unanswered",
        }
    ],
    "proposed": {
        "at": "2026-03-08T11:00:00-04:00",
        "channel": "phone",
        "party": "p1",
        "address": "+12125550100",
        "debts": ["D1"],
        "text": None,
    },
}


class VerdictOut(Schema):
    allowed: bool
    rules: list[str]
    reasons: list[str]
    next_allowed_at: str | None


@router.post(
    "/check",
    response={200: VerdictOut, **errors(401, 422)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}, "example": _EXAMPLE}},
        }
    },
)
@scope(Scope.READ)
def check(request: HttpRequest) -> Any:
    """May this contact be made now? Allowed or blocked, the rule ids, reasons, and when it opens."""
    try:
        data = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"not valid JSON ({exc})", field="body") from None
    return check_document(data)
