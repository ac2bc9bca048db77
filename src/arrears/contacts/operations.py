"""Recording what happened on a case: contacts, callbacks, notes, hand-offs, financial situation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from arrears.audit.operations import record
from arrears.cases.models import Case
from arrears.contacts.models import (
    Ability,
    Callback,
    Channel,
    Contact,
    Direction,
    Disposition,
    FinancialSituation,
    Handoff,
    HandoffTo,
    Note,
    Party,
    Result,
    Willingness,
)
from arrears.contacts.rules import recommended_path
from arrears.errors import ValidationFailed
from arrears.kernel import clock
from arrears.money import to_fen


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContactIn:
    channel: str
    party: str
    result: str
    direction: str = Direction.OUTBOUND
    address: str = ""
    disposition: str = ""
    duration_seconds: int = 0
    notes: str = ""
    recording_ref: str = ""
    corrects_id: int | None = None


def _choice(value: str, choices: Any, field: str, *, required: bool = True) -> str:
    if not value and not required:
        return ""
    if value not in choices.values:
        allowed = ", ".join(v for v in choices.values if v)
        raise ValidationFailed(
            f"must be one of {allowed}", field=field, code="not_a_choice", params={"values": allowed}
        )
    return value


def validate_contact(data: ContactIn) -> None:
    _choice(data.channel, Channel, "channel")
    _choice(data.party, Party, "party")
    _choice(data.result, Result, "result")
    _choice(data.direction, Direction, "direction")
    _choice(data.disposition, Disposition, "disposition", required=False)
    if data.duration_seconds < 0 or data.duration_seconds > 24 * 3600:
        raise ValidationFailed(
            "must be between 0 and 86400 seconds",
            field="duration_seconds",
            code="out_of_range",
            params={"low": 0, "high": 24 * 3600},
        )
    if data.result == Result.RIGHT_PARTY and data.party != Party.CARDHOLDER:
        raise ValidationFailed(
            "a right-party contact reaches the cardholder", field="party", code="right_party_is_cardholder"
        )


def record_contact(
    *,
    user: Any,
    case: Case,
    data: ContactIn,
    at: dt.datetime,
    decision: dict[str, Any] | None,
    source: str = "workbench",
) -> Contact:
    """Record a contact with the compliance gate's decision on it (an outbound contact needs one:
    arrears.application.contacts asks the gate); it ends the collector's lease on the case."""
    validate_contact(data)
    if decision is None and data.direction == Direction.OUTBOUND:
        raise ValueError("an outbound contact is recorded with the compliance gate's decision")
    if data.corrects_id is not None and not Contact.objects.filter(pk=data.corrects_id, case=case).exists():
        raise ValidationFailed(
            "the contact to correct is not on this case", field="corrects", code="correction_not_on_case"
        )
    with transaction.atomic():
        contact = Contact.objects.create(
            case=case,
            collector=user,
            at=at,
            channel=data.channel,
            direction=data.direction,
            address=data.address,
            party=data.party,
            result=data.result,
            disposition=data.disposition,
            duration_seconds=data.duration_seconds,
            notes=data.notes,
            recording_ref=data.recording_ref,
            corrects_id=data.corrects_id,
            decision=decision,
            source=source,
        )
        # A contact answers the callbacks that were due by now.
        Callback.objects.filter(case=case, done_at__isnull=True, due_at__lte=contact.at).update(done_at=contact.at)
        pending = Callback.objects.filter(case=case, done_at__isnull=True).order_by("due_at").first()
        Case.objects.filter(pk=case.pk).update(
            last_contact_at=contact.at, next_callback_at=pending.due_at if pending else None
        )
        Case.objects.filter(pk=case.pk, lease_holder=user).update(lease_holder=None, lease_until=None)
        record(
            actor=user.get_username(),
            action="contact.record",
            object_type="case",
            object_id=case.pk,
            after={
                "contact": contact.pk,
                "channel": data.channel,
                "party": data.party,
                "result": data.result,
                "disposition": data.disposition,
            },
        )
    return contact


def schedule_callback(*, user: Any, case: Case, due_at: dt.datetime, note: str = "") -> Callback:
    if due_at <= clock.now():
        raise ValidationFailed("must be in the future", field="due_at", code="must_be_in_future")
    with transaction.atomic():
        callback = Callback.objects.create(case=case, user=user, due_at=due_at, note=note[:200])
        first = Callback.objects.filter(case=case, done_at__isnull=True).order_by("due_at").first()
        Case.objects.filter(pk=case.pk).update(next_callback_at=first.due_at if first else None)
        record(
            actor=user.get_username(),
            action="callback.schedule",
            object_type="case",
            object_id=case.pk,
            after={"due_at": due_at},
        )
    return callback


def add_note(*, user: Any, case: Case, text: str) -> Note:
    """A note for the team; one with prohibited wording (CN-CONDUCT) is kept but flagged for review."""
    from arrears.compliance.configured import pack_code
    from arrears.compliance.wording import check_wording

    if not text.strip():
        raise ValidationFailed("must not be empty", field="text", code="required")
    flagged = any(
        check_wording(text, language=language, to_third_party=False, pack=pack_code()) for language in ("zh-hans", "en")
    )
    with transaction.atomic():
        note = Note.objects.create(case=case, author=user, at=clock.now(), text=text.strip(), flagged=flagged)
        record(
            actor=user.get_username(),
            action="note.add",
            object_type="case",
            object_id=case.pk,
            after={"note": note.pk, "flagged": flagged},
        )
    return note


def hand_off(*, user: Any, case: Case, to_role: str, comment: str) -> Handoff:
    _choice(to_role, HandoffTo, "to_role")
    if not comment.strip():
        raise ValidationFailed("say what you need from them", field="comment", code="handoff_needs_comment")
    with transaction.atomic():
        handoff = Handoff.objects.create(
            case=case, from_user=user, to_role=to_role, comment=comment.strip(), created_at=clock.now()
        )
        record(
            actor=user.get_username(),
            action="handoff.create",
            object_type="case",
            object_id=case.pk,
            after={"to_role": to_role},
        )
    return handoff


def return_handoff(*, user: Any, handoff: Handoff, comment: str) -> Handoff:
    if handoff.returned_at is not None:
        raise ValidationFailed(
            "this hand-off has already been returned", field="handoff", code="handoff_already_returned"
        )
    if not comment.strip():
        raise ValidationFailed("say what you found or did", field="comment", code="handoff_needs_answer")
    with transaction.atomic():
        handoff.taken_by = user
        handoff.returned_at = clock.now()
        handoff.return_comment = comment.strip()
        handoff.save(update_fields=["taken_by", "returned_at", "return_comment"])
        record(
            actor=user.get_username(),
            action="handoff.return",
            object_type="case",
            object_id=handoff.case_id,
            after={"handoff": handoff.pk},
        )
    return handoff


def _fen(value: Decimal, field: str) -> int:
    fen = to_fen(value, field=field)
    if fen < 0:
        raise ValidationFailed("must not be negative", field=field, code="must_not_be_negative")
    return fen


def capture_situation(
    *,
    user: Any,
    case: Case,
    monthly_income: Decimal,
    monthly_expenses: Decimal,
    dependants: int = 0,
    other_debts: Decimal = Decimal(0),
    hardship_reason: str = "",
    hardship_expected_end: dt.date | None = None,
    ability: str,
    willingness: str,
) -> FinancialSituation:
    _choice(ability, Ability, "ability")
    _choice(willingness, Willingness, "willingness")
    if dependants < 0 or dependants > 30:
        raise ValidationFailed(
            "must be between 0 and 30", field="dependants", code="out_of_range", params={"low": 0, "high": 30}
        )
    with transaction.atomic():
        situation = FinancialSituation.objects.create(
            case=case,
            taken_by=user,
            at=clock.now(),
            monthly_income_fen=_fen(monthly_income, "monthly_income"),
            monthly_expenses_fen=_fen(monthly_expenses, "monthly_expenses"),
            dependants=dependants,
            other_debts_fen=_fen(other_debts, "other_debts"),
            hardship_reason=hardship_reason[:200],
            hardship_expected_end=hardship_expected_end,
            ability=ability,
            willingness=willingness,
            recommended_path=recommended_path(ability=ability, willingness=willingness),
        )
        record(
            actor=user.get_username(),
            action="situation.capture",
            object_type="case",
            object_id=case.pk,
            after={"ability": ability, "willingness": willingness, "path": situation.recommended_path},
        )
    return situation
