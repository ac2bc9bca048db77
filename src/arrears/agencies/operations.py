"""The only code that writes the agencies' tables: the register, entrustments, placements and recalls,
agency users, the contacts, promises and collections an agency reports, and the bank's confirmation
of a collection through the payments door.

`place_many` is the one way accounts are placed, by hand (a lead or an administrator) and by the
treatment strategy alike: set-based, a fixed number of statements per chunk of accounts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case as Choose
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When

from arrears.agencies import rules
from arrears.agencies.models import (
    Agency,
    AgencyUser,
    Collection,
    CollectionStatus,
    CommissionTier,
    Entrustment,
    Placement,
    RecallReason,
)
from arrears.application.contacts import gate_decision
from arrears.audit.operations import record, record_many
from arrears.cases.models import WORKABLE, Case, CaseStatus, CaseStatusChange
from arrears.cases.queries import visible_accounts
from arrears.contacts import operations as contacts
from arrears.contacts.models import Contact, Direction
from arrears.errors import Conflict, Duplicate, NotFound, NotPermitted, ValidationFailed
from arrears.holds.models import Hold
from arrears.kernel import clock
from arrears.kernel.sql import date_param, in_chunks, insert_objects, update_rows
from arrears.ledger.models import ACTIVE, Account, AccountStatus
from arrears.money import to_fen
from arrears.payments.operations import PaymentIn, post_payment
from arrears.people.models import Role
from arrears.people.operations import roles_of
from arrears.plans.models import Plan, PlanStatus
from arrears.promises.models import Promise
from arrears.promises.operations import take_promise

CODE = re.compile(r"^[a-z0-9-]{2,12}$")
REFERENCE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
PLACEABLE = (AccountStatus.OPEN, AccountStatus.BLOCKED, AccountStatus.CHARGED_OFF)
# Who may place and recall by hand, confirm collections and read the agencies' figures.
BANK_ROLES = {Role.TEAM_LEAD, Role.ADMINISTRATOR}


# -- the register -----------------------------------------------------------------------------------


def create_agency(*, actor: str, code: str, name: str, weight: int = 1, published: bool = True) -> Agency:
    if not CODE.match(code):
        raise ValidationFailed("2 to 12 lower-case letters, digits or hyphens", field="code", code="invalid_code")
    if not name.strip():
        raise ValidationFailed("give the agency's name", field="name", code="required")
    if weight < 0:
        raise ValidationFailed("must not be negative", field="weight", code="must_not_be_negative")
    if Agency.objects.filter(code=code).exists():
        raise Duplicate(f"agency {code!r} exists", field="code")
    with transaction.atomic():
        agency = Agency.objects.create(code=code, name=name.strip(), weight=weight, published=published)
        record(actor=actor, action="agency.create", object_type="agency", object_id=code, after={"name": name})
    return agency


def add_entrustment(
    *,
    actor: str,
    agency: Agency,
    purpose: str,
    data_types: Sequence[str],
    starts_on: dt.date,
    ends_on: dt.date,
    deletion_duty: str,
    document_ref: str = "",
) -> Entrustment:
    """The written entrustment of CN-PI-ENTRUST; without one in force, no placement."""
    if not purpose.strip():
        raise ValidationFailed("state the purpose of the processing", field="purpose", code="required")
    if not [t for t in data_types if t.strip()]:
        raise ValidationFailed("list the data types entrusted", field="data_types", code="required")
    if not deletion_duty.strip():
        raise ValidationFailed("state the duty to delete at the end", field="deletion_duty", code="required")
    if ends_on < starts_on:
        raise ValidationFailed("must not be before the start", field="ends_on", code="ends_before_start")
    with transaction.atomic():
        entrustment = Entrustment.objects.create(
            agency=agency,
            purpose=purpose.strip(),
            data_types=[t.strip() for t in data_types if t.strip()],
            starts_on=starts_on,
            ends_on=ends_on,
            deletion_duty=deletion_duty.strip(),
            document_ref=document_ref,
        )
        record(
            actor=actor,
            action="agency.entrust",
            object_type="agency",
            object_id=agency.code,
            after={"from": starts_on, "until": ends_on, "purpose": purpose, "data_types": list(data_types)},
        )
    return entrustment


def set_tier(*, actor: str, agency: Agency, min_bucket: int, rate: Decimal) -> CommissionTier:
    if not 0 <= min_bucket <= 8:
        raise ValidationFailed("a bucket from 0 to 8", field="min_bucket", code="out_of_range")
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValidationFailed("a rate from 0 to 1", field="rate", code="out_of_range")
    with transaction.atomic():
        tier, _ = CommissionTier.objects.update_or_create(agency=agency, min_bucket=min_bucket, defaults={"rate": rate})
        record(
            actor=actor,
            action="agency.tier",
            object_type="agency",
            object_id=agency.code,
            after={"min_bucket": min_bucket, "rate": rate},
        )
    return tier


def add_agency_user(*, actor: str, user: Any, agency: Agency) -> AgencyUser:
    if Role.AGENCY_USER not in roles_of(user):
        raise ValidationFailed("the person must have the agency user role", field="user", code="not_agency_user")
    with transaction.atomic():
        link = AgencyUser.objects.create(user=user, agency=agency)
        record(actor=actor, action="agency.user", object_type="user", object_id=user.get_username(), after=agency.code)
    return link


def in_force(on: dt.date) -> QuerySet[Agency]:
    """The agencies that may receive placements on this date: published, active, with an entrustment
    in force (CN-AGENCY, CN-PI-ENTRUST)."""
    entrusted = Entrustment.objects.filter(agency=OuterRef("pk"), starts_on__lte=on, ends_on__gte=on)
    return Agency.objects.filter(published=True, active=True).filter(Exists(entrusted))


# -- placement --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Placed:
    account_id: int
    agency: str


def _still_owed() -> Any:
    return Choose(
        When(status=AccountStatus.CHARGED_OFF, then=F("charged_off_fen") - F("recovered_fen")),
        default=F("principal_fen") + F("interest_fen") + F("fees_fen") + F("plan_fen"),
    )


def place_many(
    account_ids: Iterable[int],
    *,
    business_date: dt.date,
    by: str,
    days: int = rules.DEFAULT_PLACEMENT_DAYS,
    arm: str = "",
    agency: Agency | None = None,
) -> list[Placed]:
    """Place these accounts with the agencies in force on the date, by a stable weighted hash of the
    account id (champion/challenger between agencies); an account placed before goes to another
    agency than its last one. With `agency`, all go to that one (by hand). Accounts that are not
    placeable are left out: already placed, closed or settled, nothing owed, no open case, or under a
    hold. Three statements per chunk of accounts, plus the audit trail's two."""
    if days < 1 or days > 366:
        raise ValidationFailed("from 1 to 366 days", field="days", code="out_of_range")
    pool = {a.code: a for a in in_force(business_date)}
    if agency is not None:
        if agency.code not in pool:
            raise Conflict(
                f"agency {agency.code!r} is not published and active with an entrustment in force",
                field="agency",
                code="agency_not_in_force",
            )
        pool = {agency.code: agency}
    if not pool:
        return []
    weights = [(code, a.weight) for code, a in pool.items()]
    code_of = dict(Agency.objects.values_list("pk", "code"))
    expires = rules.expiry(business_date, days)
    placed: list[Placed] = []
    live = Placement.objects.filter(account=OuterRef("pk"), recalled_on__isnull=True)
    held = Hold.objects.filter(customer=OuterRef("customer_id"), lifted_at__isnull=True, starts_on__lte=business_date)
    held = held.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=business_date))
    open_case = Case.objects.filter(customer=OuterRef("customer_id")).exclude(status=CaseStatus.CLOSED)
    # The agency's id (not its code through a join): one index probe of the account's few placements.
    last_agency = Placement.objects.filter(account=OuterRef("pk")).order_by("-placed_on", "-id").values("agency_id")[:1]
    in_plan = Plan.objects.filter(account=OuterRef("pk"), status=PlanStatus.ACTIVE)
    with transaction.atomic():
        for chunk in in_chunks(account_ids):
            rows = (
                Account.objects.filter(pk__in=chunk, status__in=PLACEABLE)
                .annotate(owed=_still_owed(), last=Subquery(last_agency))
                .filter(owed__gt=0, bucket__gte=1)
                .filter(Exists(open_case))
                .exclude(Exists(live))
                .exclude(Exists(held))
                .exclude(Exists(in_plan))
                .values_list("id", "bucket", "owed", "last")
            )
            new: list[Placement] = []
            for account_id, bucket, owed, last in rows:
                last_code = code_of.get(last) if last else None
                exclude = frozenset({last_code}) if last_code and agency is None and len(pool) > 1 else frozenset()
                code = rules.choose_agency(account_id, weights, exclude=exclude)
                if code is None:
                    continue
                new.append(
                    Placement(
                        account_id=account_id,
                        agency_id=pool[code].pk,
                        placed_on=business_date,
                        expires_on=expires,
                        bucket=bucket,
                        balance_fen=owed,
                        placed_by=by,
                        arm=arm or code,
                        recall_reason="",
                    )
                )
                placed.append(Placed(account_id, code))
            try:
                insert_objects(new)
            except IntegrityError:
                raise Conflict("an account was placed meanwhile; try again", field="accounts") from None
            if new:
                _cases_to_agency([p.account_id for p in new], business_date)
        record_many(
            actor=by,
            action="agency.place",
            object_type="account",
            items=[(p.account_id, {"agency": p.agency, "until": expires, "arm": arm or p.agency}) for p in placed],
        )
    return placed


def place_by_hand(
    *, user: Any, account: Account, agency: Agency, business_date: dt.date, days: int = rules.DEFAULT_PLACEMENT_DAYS
) -> Placement:
    """A lead or an administrator places one account they see with a chosen agency."""
    require_bank_role(user)
    if not visible_accounts(user).filter(pk=account.pk).exists():
        raise NotFound("no such account that you can see", field="account")
    placed = place_many([account.pk], business_date=business_date, by=user.get_username(), days=days, agency=agency)
    if not placed:
        raise Conflict(
            "this account cannot be placed: already placed, nothing owed, not delinquent, in a plan, "
            "under a hold or without an open case",
            field="account",
            code="not_placeable",
        )
    return Placement.objects.get(account=account, recalled_on__isnull=True)


def recall(*, user: Any, placement: Placement, business_date: dt.date, reason: str = RecallReason.BY_HAND) -> None:
    require_bank_role(user)
    if not visible_accounts(user).filter(pk=placement.account_id).exists():
        raise NotFound("no such placement that you can see", field="placement")
    if reason not in RecallReason.values:
        raise ValidationFailed(f"one of {', '.join(RecallReason.values)}", field="reason", code="not_a_choice")
    with transaction.atomic():
        done = Placement.objects.filter(pk=placement.pk, recalled_on__isnull=True).update(
            recalled_on=business_date, recall_reason=reason
        )
        if not done:
            raise Conflict("the placement was already recalled", field="placement", code="already_recalled")
        _cases_back([placement.account_id], business_date)
        record(
            actor=user.get_username(),
            action="agency.recall",
            object_type="account",
            object_id=placement.account_id,
            after={"agency": placement.agency.code, "reason": reason},
        )


def recall_placements(d: dt.date, lo: int, hi: int) -> int:
    """The cycle's step over the accounts lo <= id < hi: recall every live placement whose account is
    closed or settled, whose customer is under a hold (a dispute, a complaint, any kind), whose account
    is in an active plan, whose agency's entrustment lapsed or which expired. One read, one update,
    and the audit trail's entries; run again, it finds nothing left to recall."""
    entrusted = Entrustment.objects.filter(agency=OuterRef("agency_id"), starts_on__lte=d, ends_on__gte=d)
    held = Hold.objects.filter(customer=OuterRef("account__customer_id"), lifted_at__isnull=True, starts_on__lte=d)
    held = held.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=d))
    planned = Plan.objects.filter(account=OuterRef("account_id"), status=PlanStatus.ACTIVE)
    reason = Choose(
        When(account__status__in=[AccountStatus.CLOSED, AccountStatus.SETTLED], then=Value(RecallReason.CLOSED.value)),
        When(Q(account__status__in=ACTIVE, account__dpd__lte=0), then=Value(RecallReason.CURED.value)),
        When(Exists(held), then=Value(RecallReason.HOLD.value)),
        When(Exists(planned), then=Value(RecallReason.PLAN.value)),
        When(
            Q(agency__active=False) | Q(agency__published=False) | ~Exists(entrusted),
            then=Value(RecallReason.ENTRUSTMENT.value),
        ),
        When(expires_on__lte=d, then=Value(RecallReason.EXPIRED.value)),
        default=Value(""),
        output_field=CharField(),
    )
    due = list(
        Placement.objects.filter(recalled_on__isnull=True, account_id__gte=lo, account_id__lt=hi, placed_on__lte=d)
        .annotate(why=reason)
        .exclude(why="")
        .values_list("id", "account_id", "agency__code", "why")
    )
    if not due:
        return 0
    rows = [{"id": pk, "recall_reason": why, "recalled_on": d.isoformat()} for pk, _, _, why in due]
    update_rows(
        Placement._meta.db_table,
        [("id", "bigint"), ("recall_reason", "text"), ("recalled_on", "date")],
        json.dumps(rows),
    )
    _cases_back([account_id for _, account_id, _, _ in due], d)
    record_many(
        actor="cycle",
        action="agency.recall",
        object_type="account",
        items=[(account_id, {"agency": code, "reason": why, "on": d}) for _, account_id, code, why in due],
    )
    return len(due)


def _move_cases(cases: QuerySet[Case], to: Any, d: dt.date, reason: str) -> None:
    """Record the status changes of these cases (each from its status to `to`, an expression over the
    case) and make them: two statements, whatever the number of cases (INSERT ... SELECT, then UPDATE)."""
    moving = cases.annotate(to=to).values_list("id", "status", "to")
    sql, params = moving.query.sql_with_params()
    table = CaseStatusChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (case_id, from_status, to_status, change_date, reason, actor, at) "
            f"SELECT q.*, {date_param()}, %s, %s, %s FROM ({sql}) q",
            [
                connection.ops.adapt_datefield_value(d),
                reason,
                "cycle",
                connection.ops.adapt_datetimefield_value(clock.now()),
                *params,
            ],
        )
    cases.update(status=to)


def _cases_to_agency(account_ids: list[int], d: dt.date) -> None:
    """The cases of these accounts' customers leave the collectors' queues while with an agency."""
    customers = Account.objects.filter(pk__in=account_ids).values("customer_id")
    _move_cases(
        Case.objects.filter(customer_id__in=customers, status__in=WORKABLE),
        Value(CaseStatus.WITH_AGENCY.value, output_field=CharField()),
        d,
        "placed with an agency",
    )


def _cases_back(account_ids: list[int], d: dt.date) -> None:
    """The cases of these accounts' customers come back to the bank once none of the customer's
    accounts is with an agency: charged off when one of them is, otherwise open. Per chunk of accounts."""
    still = Placement.objects.filter(account__customer_id=OuterRef("customer_id"), recalled_on__isnull=True)
    written_off = Account.objects.filter(customer_id=OuterRef("customer_id"), status=AccountStatus.CHARGED_OFF)
    to = Choose(
        When(Exists(written_off), then=Value(CaseStatus.CHARGED_OFF.value)),
        default=Value(CaseStatus.OPEN.value),
        output_field=CharField(),
    )
    for chunk in in_chunks(account_ids):
        customers = Account.objects.filter(pk__in=chunk).values("customer_id")
        cases = Case.objects.filter(customer_id__in=customers, status=CaseStatus.WITH_AGENCY).exclude(Exists(still))
        _move_cases(cases, to, d, "recalled from the agency")


# -- who sees what ----------------------------------------------------------------------------------


def require_bank_role(user: Any) -> None:
    if not (user.is_superuser or roles_of(user) & BANK_ROLES):
        raise NotPermitted("only a team lead or an administrator may do this", code="not_permitted")


def visible_collections(user: Any) -> QuerySet[Collection]:
    """The reported collections a lead or an administrator may decide: on the accounts they see."""
    require_bank_role(user)
    return Collection.objects.filter(placement__account__in=visible_accounts(user))


def collection_for(user: Any, collection_id: int) -> Collection:
    found = visible_collections(user).select_related("placement__agency", "placement__account").filter(pk=collection_id)
    collection = found.first()
    if collection is None:
        raise NotFound(f"no collection {collection_id} that you can see", field="collection")
    return collection


def placement_for(user: Any, placement_id: int) -> Placement:
    """A placement of an account this lead or administrator sees; otherwise NotFound."""
    require_bank_role(user)
    found = (
        Placement.objects.filter(pk=placement_id, account__in=visible_accounts(user))
        .select_related("agency", "account")
        .first()
    )
    if found is None:
        raise NotFound(f"no placement {placement_id} that you can see", field="placement")
    return found


def account_to_place(user: Any, number: str) -> Account:
    """The account with this card number, if this lead or administrator sees it; otherwise NotFound."""
    require_bank_role(user)
    found = visible_accounts(user).filter(number=number).first()
    if found is None:
        raise NotFound("no such account that you can see", field="account")
    return found


def agency_of(user: Any) -> Agency | None:
    """The agency this person works for (None for the bank's staff)."""
    if not user.is_authenticated or Role.AGENCY_USER not in roles_of(user):
        return None
    link = AgencyUser.objects.filter(user=user).select_related("agency").first()
    return link.agency if link is not None and link.agency.active else None


def live_placements(user: Any, *, on: dt.date) -> QuerySet[Placement]:
    """The placements this agency user may see: their agency's, live on the date. Nobody else's."""
    agency = agency_of(user)
    if agency is None:
        return Placement.objects.none()
    return Placement.objects.filter(
        agency=agency, recalled_on__isnull=True, placed_on__lte=on, expires_on__gt=on
    ).select_related("account", "account__customer", "agency")


def placement_of(user: Any, account_id: int, *, on: dt.date) -> Placement:
    """The live placement of this account with this person's agency; otherwise NotFound (recalled,
    another agency's, never placed and unknown look alike)."""
    found = live_placements(user, on=on).filter(account_id=account_id).first()
    if found is None:
        raise NotFound(f"no account {account_id} placed with your agency", field="account")
    return found


def _case_of(placement: Placement) -> Case:
    case = (
        Case.objects.filter(customer_id=placement.account.customer_id)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("customer")
        .order_by("-opened_on", "-id")
        .first()
    )
    if case is None:
        raise NotFound("the account has no open case", field="account")
    return case


# -- what an agency reports ----------------------------------------------------------------------------


def address_for(placement: Placement, channel: str) -> str:
    """The number or address an agency contact uses: the customer's own, never typed by the agency."""
    customer = placement.account.customer
    return {
        "phone": customer.mobile,
        "sms": customer.mobile,
        "email": customer.email,
        "letter": customer.address,
        "visit": customer.address,
    }.get(channel, "")


def record_agency_contact(*, user: Any, placement: Placement, data: contacts.ContactIn, at: dt.datetime) -> Contact:
    """An agency's contact, judged by the same compliance gate as the bank's (as a third-party
    collector, `agency`), over the customer's whole history: the bank's, the dialer's and every
    agency's contacts count against the same limits. Recorded on the customer's case."""
    contacts.validate_contact(data)
    case = _case_of(placement)
    data = dataclasses.replace(data, address=address_for(placement, data.channel), corrects_id=None)
    decision = (
        gate_decision(case=case, data=data, at=at, collector_type="agency")
        if data.direction == Direction.OUTBOUND
        else None
    )
    return contacts.record_contact(
        user=user, case=case, data=data, at=at, decision=decision, source=f"agency:{placement.agency.code}"
    )


def record_agency_promise(
    *, user: Any, placement: Placement, amount: Decimal, promised_date: dt.date, business_date: dt.date
) -> Promise:
    """A promise to pay the agency took: the bank's promise on the case, judged by the cycle like any."""
    return take_promise(
        user=user, case=_case_of(placement), amount=amount, promised_date=promised_date, business_date=business_date
    )


def report_collection(
    *, user: Any, placement: Placement, amount: Decimal, paid_on: dt.date, reference: str, business_date: dt.date
) -> Collection:
    """A payment the agency says it collected: reported, to be confirmed by the bank."""
    fen = to_fen(amount, field="amount")
    if fen <= 0:
        raise ValidationFailed("must be more than zero", field="amount", code="must_be_positive")
    if not REFERENCE.match(reference):
        raise ValidationFailed(
            "1 to 40 letters, digits, dots, hyphens or underscores", field="reference", code="invalid_reference"
        )
    if paid_on > business_date:
        raise ValidationFailed(
            "must not be after the business date", field="paid_on", code="value_date_after_business_date"
        )
    if paid_on < placement.placed_on:
        raise ValidationFailed("must not be before the placement", field="paid_on", code="before_placement")
    full = f"{placement.agency.code}:{reference}"
    if Collection.objects.filter(reference=full).exists():
        raise Duplicate(f"reference {reference!r} already reported", field="reference")
    with transaction.atomic():
        try:
            with transaction.atomic():
                collection = Collection.objects.create(
                    placement=placement,
                    amount_fen=fen,
                    paid_on=paid_on,
                    reference=full,
                    reported_by=user,
                    reported_on=business_date,
                )
        except IntegrityError:
            raise Duplicate(f"reference {reference!r} already reported", field="reference") from None
        record(
            actor=user.get_username(),
            action="agency.collection.report",
            object_type="account",
            object_id=placement.account_id,
            after={"reference": full, "amount": fen, "paid_on": paid_on},
        )
    return collection


def confirm_collection(*, user: Any, collection: Collection, business_date: dt.date) -> Collection:
    """The bank confirms a reported collection: the payment is posted through the payments door with
    source `agency:<code>`, allocated like any other (a recovery after charge-off)."""
    require_bank_role(user)
    if collection.status != CollectionStatus.REPORTED:
        raise Conflict("the collection was already decided", field="collection", code="already_decided")
    placement = collection.placement
    with transaction.atomic():
        payment = post_payment(
            actor=user.get_username(),
            payment=PaymentIn(
                account_number=placement.account.number,
                amount=Decimal(collection.amount_fen) / 100,
                value_date=collection.paid_on,
                reference=collection.reference,
            ),
            business_date=business_date,
            source=f"agency:{placement.agency.code}",
        )
        done = Collection.objects.filter(pk=collection.pk, status=CollectionStatus.REPORTED).update(
            status=CollectionStatus.CONFIRMED, decided_on=business_date, decided_by=user.get_username(), payment=payment
        )
        if not done:
            raise Conflict("the collection was already decided", field="collection", code="already_decided")
        record(
            actor=user.get_username(),
            action="agency.collection.confirm",
            object_type="account",
            object_id=placement.account_id,
            after={"reference": collection.reference, "amount": collection.amount_fen},
        )
    collection.refresh_from_db()
    return collection


def reject_collection(*, user: Any, collection: Collection, business_date: dt.date) -> Collection:
    require_bank_role(user)
    with transaction.atomic():
        done = Collection.objects.filter(pk=collection.pk, status=CollectionStatus.REPORTED).update(
            status=CollectionStatus.REJECTED, decided_on=business_date, decided_by=user.get_username()
        )
        if not done:
            raise Conflict("the collection was already decided", field="collection", code="already_decided")
        record(
            actor=user.get_username(),
            action="agency.collection.reject",
            object_type="account",
            object_id=collection.placement.account_id,
            after={"reference": collection.reference},
        )
    collection.refresh_from_db()
    return collection
