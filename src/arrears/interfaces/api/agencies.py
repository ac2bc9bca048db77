"""Agencies: the agency's side (/api/v1/agency/...: its placements, and the contacts, promises and
payments it reports) and the bank's (/api/v1/agencies/...: placing by hand, recalling, confirming a
reported payment). An agency user reaches only the placements of their agency that are live now;
a recalled one, another agency's and an unknown one are 404 alike."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from arrears.agencies import operations as agencies
from arrears.agencies.models import Agency, Placement
from arrears.application import figures
from arrears.application.reads import record_request_reads
from arrears.contacts.operations import ContactIn
from arrears.cycle import business_date
from arrears.errors import NotFound, NotPermitted, ValidationFailed
from arrears.interfaces.api import ids  # noqa: F401  (the {id:...} path converter)
from arrears.interfaces.api.auth import scope
from arrears.interfaces.api.errors import errors
from arrears.interfaces.api.params import Day, Name, Text, Word
from arrears.kernel import clock
from arrears.kernel.pan import mask_pan
from arrears.money import format_fen, parse_amount
from arrears.people.models import Scope
from arrears.people.rules import mask_phone

router = Router(tags=["agencies"])


class PlacementOut(Schema):
    id: int
    account_id: int
    customer: str
    number: str  # masked
    mobile: str  # masked
    owed: str
    past_due: str
    dpd: int
    bucket: str
    placed_on: dt.date
    expires_on: dt.date


def _agency_user(request: HttpRequest) -> None:
    if agencies.agency_of(request.user) is None:
        raise NotPermitted("only the users of a collection agency may do this")


def _placement(request: HttpRequest, placement_id: int) -> Placement:
    """The live placement of the agency user's agency with this id; otherwise 404."""
    _agency_user(request)
    found = agencies.live_placements(request.user, on=business_date.current()).filter(pk=placement_id).first()
    if found is None:
        raise NotFound(f"no placement {placement_id} with your agency", field="placement")
    return found


def _out(placements: list[Placement]) -> list[dict[str, Any]]:
    money = figures.account_figures([p.account_id for p in placements], business_date=business_date.current())
    return [
        {
            "id": p.pk,
            "account_id": p.account_id,
            "customer": p.account.customer.name,
            "number": mask_pan(p.account.number),
            "mobile": mask_phone(p.account.customer.mobile),
            "owed": format_fen(money[p.account_id].total_owed_fen),
            "past_due": format_fen(money[p.account_id].past_due_fen),
            "dpd": money[p.account_id].dpd,
            "bucket": money[p.account_id].bucket_label,
            "placed_on": p.placed_on,
            "expires_on": p.expires_on,
        }
        for p in placements
    ]


@router.get("/agency/placements", response={200: list[PlacementOut], **errors(401, 403)})
def list_placements(request: HttpRequest) -> Any:
    """Agency users: the accounts placed with your agency now (at most 500, soonest to expire first),
    with the minimum fields: the card number and the mobile masked."""
    _agency_user(request)
    shown = list(agencies.live_placements(request.user, on=business_date.current()).order_by("expires_on", "id")[:500])
    record_request_reads(request, object_type="account", ids=[p.account_id for p in shown])
    return _out(shown)


class AgencyContactIn(Schema):
    channel: Word
    party: Word
    result: Word
    duration_seconds: Annotated[int, Field(ge=0, le=86400)] = 0
    notes: Text = ""


class AgencyContactOut(Schema):
    id: int
    at: dt.datetime
    channel: str
    party: str
    result: str


@router.post(
    "/agency/placements/{id:placement_id}/contacts", response={201: AgencyContactOut, **errors(401, 403, 404, 409, 422)}
)
def create_agency_contact(request: HttpRequest, placement_id: int, body: AgencyContactIn) -> Any:
    """Record a contact the agency made now, through the bank's compliance gate (409
    `contact_not_allowed` with the rules when it blocks: the limits count the bank's and every
    agency's contacts with the customer). The number used is the customer's own, never sent."""
    placement = _placement(request, placement_id)
    contact = agencies.record_agency_contact(
        user=request.user,
        placement=placement,
        data=ContactIn(
            channel=body.channel,
            party=body.party,
            result=body.result,
            duration_seconds=body.duration_seconds,
            notes=body.notes,
        ),
        at=clock.now(),
    )
    return Status(
        201,
        {
            "id": contact.pk,
            "at": contact.at,
            "channel": contact.channel,
            "party": contact.party,
            "result": contact.result,
        },
    )


class AgencyPromiseIn(Schema):
    amount: str
    promised_date: Day


class AgencyPromiseOut(Schema):
    id: int
    amount: str
    promised_date: dt.date
    status: str


@router.post(
    "/agency/placements/{id:placement_id}/promises", response={201: AgencyPromiseOut, **errors(401, 403, 404, 422)}
)
def create_agency_promise(request: HttpRequest, placement_id: int, body: AgencyPromiseIn) -> Any:
    """A promise to pay the agency took, on the bank's case: judged by the cycle like any promise."""
    placement = _placement(request, placement_id)
    promise = agencies.record_agency_promise(
        user=request.user,
        placement=placement,
        amount=parse_amount(body.amount, field="amount"),
        promised_date=body.promised_date,
        business_date=business_date.current(),
    )
    return Status(
        201,
        {
            "id": promise.pk,
            "amount": format_fen(promise.amount_fen),
            "promised_date": promise.promised_date,
            "status": promise.status,
        },
    )


class CollectionIn(Schema):
    amount: str
    paid_on: Day
    reference: Annotated[str, Field(max_length=40)]


class CollectionOut(Schema):
    id: int
    reference: str
    amount: str
    paid_on: dt.date
    status: str


def _collection(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "reference": c.reference,
        "amount": format_fen(c.amount_fen),
        "paid_on": c.paid_on,
        "status": c.status,
    }


@router.post(
    "/agency/placements/{id:placement_id}/payments", response={201: CollectionOut, **errors(401, 403, 404, 409, 422)}
)
def report_payment(request: HttpRequest, placement_id: int, body: CollectionIn) -> Any:
    """A payment the agency collected: `reported`, until the bank confirms it (posted through the
    payments door) or rejects it. A reference the agency already reported is a 409."""
    placement = _placement(request, placement_id)
    collection = agencies.report_collection(
        user=request.user,
        placement=placement,
        amount=parse_amount(body.amount, field="amount"),
        paid_on=body.paid_on,
        reference=body.reference,
        business_date=business_date.current(),
    )
    return Status(201, _collection(collection))


# -- the bank's side --------------------------------------------------------------------------------


class PlaceIn(Schema):
    account: Name  # the card number
    agency: Word
    days: Annotated[int, Field(ge=1, le=366)] = 90


class BankPlacementOut(Schema):
    id: int
    account: str  # masked
    agency: str
    placed_on: dt.date
    expires_on: dt.date
    bucket: int
    balance: str
    recalled_on: dt.date | None
    recall_reason: str


def _bank_out(p: Placement) -> dict[str, Any]:
    return {
        "id": p.pk,
        "account": mask_pan(p.account.number),
        "agency": p.agency.code,
        "placed_on": p.placed_on,
        "expires_on": p.expires_on,
        "bucket": p.bucket,
        "balance": format_fen(p.balance_fen),
        "recalled_on": p.recalled_on,
        "recall_reason": p.recall_reason,
    }


@router.post("/agencies/placements", response={201: BankPlacementOut, **errors(401, 403, 404, 409, 422)})
def place(request: HttpRequest, body: PlaceIn) -> Any:
    """Team leads (accounts of their teams) and administrators: place one account with an agency by
    hand for `days` (1-366, 90 by default). 409 `agency_not_in_force` for an agency not published,
    inactive or without an entrustment in force (CN-AGENCY, CN-PI-ENTRUST); 409 `not_placeable` for an
    account already placed, in a plan, under a hold, not delinquent or without an open case."""
    account = agencies.account_to_place(request.user, body.account)
    agency = Agency.objects.filter(code=body.agency).first()
    if agency is None:
        raise NotFound(f"no agency {body.agency!r}", field="agency")
    placement = agencies.place_by_hand(
        user=request.user, account=account, agency=agency, business_date=business_date.current(), days=body.days
    )
    return Status(201, _bank_out(placement))


class RecallIn(Schema):
    reason: Word = "by_hand"


@router.post(
    "/agencies/placements/{id:placement_id}/recall", response={200: BankPlacementOut, **errors(401, 403, 404, 409, 422)}
)
def recall(request: HttpRequest, placement_id: int, body: RecallIn) -> Any:
    """Team leads and administrators: recall a live placement now; the agency sees nothing of it after."""
    placement = agencies.placement_for(request.user, placement_id)
    agencies.recall(user=request.user, placement=placement, business_date=business_date.current(), reason=body.reason)
    placement.refresh_from_db()
    return _bank_out(placement)


class DecisionIn(Schema):
    decision: Word  # confirm or reject


@router.post(
    "/agencies/collections/{id:collection_id}/decision",
    response={200: CollectionOut, **errors(401, 403, 404, 409, 422)},
)
@scope(Scope.PAYMENTS)
def decide_collection(request: HttpRequest, collection_id: int, body: DecisionIn) -> Any:
    """Team leads and administrators: confirm a payment an agency reported (posted through the
    payments door with source `agency:<code>`) or reject it."""
    collection = agencies.collection_for(request.user, collection_id)
    today = business_date.current()
    if body.decision not in ("confirm", "reject"):
        raise ValidationFailed("confirm or reject", field="decision", code="not_a_choice")
    if body.decision == "confirm":
        collection = agencies.confirm_collection(user=request.user, collection=collection, business_date=today)
    else:
        collection = agencies.reject_collection(user=request.user, collection=collection, business_date=today)
    return _collection(collection)
