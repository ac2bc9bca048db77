"""Disputes: POST /api/v1/disputes, GET /api/v1/disputes/{id}, POST .../proposal, POST .../decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from arrears.application.reads import record_request_reads
from arrears.cases.queries import account_for
from arrears.cycle import business_date
from arrears.disputes import operations
from arrears.disputes.models import Dispute
from arrears.disputes.queries import dispute_for
from arrears.errors import ValidationFailed
from arrears.interfaces.api import ids  # noqa: F401  (the {id:...} path converter)
from arrears.interfaces.api.auth import scope
from arrears.interfaces.api.errors import errors
from arrears.interfaces.api.params import Day, Id, Name, Text, Word
from arrears.ledger.models import Entry
from arrears.money import format_fen, parse_amount
from arrears.people.models import Scope

router = Router(tags=["disputes"])


class DisputeIn(Schema):
    account: Name  # the account reference (AC...)
    kind: Word
    reason: Text
    channel: Word
    entry: Id | None = None
    amount: str | None = None
    payment_date: Day | None = None
    payment_reference: Word = ""


class DisputeProposalIn(Schema):
    outcome: Word
    reasons: Text


class DisputeDecisionIn(Schema):
    approve: bool


class DisputeOut(Schema):
    id: int
    account: str
    kind: str
    status: str
    amount: str
    entry: int | None
    hold: str  # amount or account
    hold_lifted: bool
    opened_on: dt.date
    due_on: dt.date
    sla_breached: bool
    proposed_outcome: str
    proposed_reasons: str
    decided_on: dt.date | None
    resolution: dict[str, Any]


def _out(d: Dispute) -> dict[str, Any]:
    return {
        "id": d.pk,
        "account": d.account.ref,
        "kind": d.kind,
        "status": d.status,
        "amount": format_fen(d.amount_fen),
        "entry": d.entry_id,
        "hold": d.hold_scope,
        "hold_lifted": not d.is_open,
        "opened_on": d.opened_on,
        "due_on": d.due_on,
        "sla_breached": d.sla_breached,
        "proposed_outcome": d.proposed_outcome,
        "proposed_reasons": d.proposed_reasons,
        "decided_on": d.decided_on,
        "resolution": d.resolution,
    }


@router.post("/disputes", response={201: DisputeOut, **errors(401, 403, 404, 409, 422)})
def create_dispute(request: HttpRequest, body: DisputeIn) -> Any:
    """Open a dispute of an account you can see: the hold (the amount, or the account for the kinds the
    pack lists) and the answer date are set at once."""
    account = account_for(request.user, body.account)
    entry = None
    if body.entry is not None:
        entry = Entry.objects.filter(pk=body.entry, account=account).first()
        if entry is None:
            raise ValidationFailed("is not an entry of this account", field="entry")
    dispute = operations.open_dispute(
        actor=request.user.get_username(),
        account=account,
        kind=body.kind,
        reason=body.reason,
        channel=body.channel,
        business_date=business_date.current(),
        entry=entry,
        amount=None if body.amount is None else parse_amount(body.amount, field="amount"),
        payment_date=body.payment_date,
        payment_reference=body.payment_reference,
    )
    return Status(201, _out(dispute))


@router.get("/disputes/{id:dispute_id}", response={200: DisputeOut, **errors(401, 404, 422)})
def read_dispute(request: HttpRequest, dispute_id: int) -> Any:
    dispute = dispute_for(request.user, dispute_id)
    record_request_reads(request, object_type="account", ids=[dispute.account.ref])
    return _out(dispute)


@router.post("/disputes/{id:dispute_id}/proposal", response={200: DisputeOut, **errors(401, 403, 404, 409, 422)})
def propose(request: HttpRequest, dispute_id: int, body: DisputeProposalIn) -> Any:
    """The maker's proposal: upheld or rejected, with the reasons."""
    dispute = dispute_for(request.user, dispute_id)
    done = operations.propose_resolution(
        user=request.user,
        dispute=dispute,
        outcome=body.outcome,
        reasons=body.reasons,
        business_date=business_date.current(),
    )
    return _out(dispute_for(request.user, done.pk))


@router.post("/disputes/{id:dispute_id}/decision", response={200: DisputeOut, **errors(401, 403, 404, 409, 422)})
@scope(Scope.APPROVE)
def decision(request: HttpRequest, dispute_id: int, body: DisputeDecisionIn) -> Any:
    """The checker's decision (never the maker's): approved, it is carried out and the hold lifted."""
    dispute = dispute_for(request.user, dispute_id)
    done = operations.decide(
        user=request.user, dispute=dispute, approve=body.approve, business_date=business_date.current()
    )
    return _out(dispute_for(request.user, done.pk))
