"""The statements' steps of the daily cycle: close the billing cycles that end today (interest,
minimum payment, due date) and, the day after a due date, judge the grace period and charge the late fee.

The cycle of business date d runs before the day's business: it sees what was posted before d.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from arrears.business_days import statement_days_on
from arrears.kernel.sql import insert_objects, keyset_chunks, update_objects
from arrears.ledger import posting
from arrears.ledger.models import ACTIVE, Account, Component, Entry, EntryKind
from arrears.products.rules import ProductParams, due_date_for
from arrears.statements.models import Statement
from arrears.statements.rules import (
    Posting,
    PreviousStatement,
    compute_interest,
    compute_late_fee,
    compute_minimum,
)


def late_fees(d: dt.date, lo: int, hi: int, params: dict[int, ProductParams]) -> int:
    """The day after a due date: decide whether the statement was paid in full, charge the late fee."""
    due = d - dt.timedelta(days=1)
    paid = (
        Entry.objects.filter(
            account_id=OuterRef("account_id"),
            kind=EntryKind.PAYMENT,
            posting_date__gte=OuterRef("statement_date"),
            posting_date__lte=due,
        )
        .values("account_id")
        .annotate(s=Sum("amount_fen"))
        .values("s")
    )
    unpaid_min = (
        Statement.objects.filter(account_id=OuterRef("account_id"), due_date__lte=due, minimum_unpaid_fen__gt=0)
        .values("account_id")
        .annotate(s=Sum("minimum_unpaid_fen"))
        .values("s")
    )
    due_today = (
        Statement.objects.filter(due_date=due, account_id__gte=lo, account_id__lt=hi, account__status__in=ACTIVE)
        .annotate(
            paid_fen=Coalesce(-Subquery(paid), Value(0)),
            unpaid_min_fen=Coalesce(Subquery(unpaid_min), Value(0)),
            product_id=F("account__product_id"),
            charged=Exists(Entry.objects.filter(account_id=OuterRef("account_id"), reference=f"late_fee:{due}")),
        )
        .only("id", "account_id", "new_balance_fen", "grace_kept", "paid_by_due_fen")
    )
    count = 0
    for chunk in keyset_chunks(due_today):
        fees = []
        for s in chunk:
            s.paid_by_due_fen = s.paid_fen
            s.grace_kept = s.new_balance_fen <= 0 or s.paid_fen >= s.new_balance_fen
            fee = compute_late_fee(params=params[s.product_id], unpaid_minimum_fen=s.unpaid_min_fen, due_date=due)
            if fee.amount_fen and not s.charged:
                fees.append(
                    posting.Line(
                        account_id=s.account_id,
                        kind=EntryKind.LATE_FEE,
                        component=Component.FEES,
                        amount_fen=fee.amount_fen,
                        posting_date=d,
                        reference=f"late_fee:{due}",
                        explanation=fee.explanation,
                        description="late fee",
                    )
                )
        update_objects(chunk, ["grace_kept", "paid_by_due_fen"])
        posting.post(fees)
        count += len(fees)
    return count


def statements(d: dt.date, lo: int, hi: int, params: dict[int, ProductParams]) -> int:
    """Close the cycle [last statement, d) of every account whose statement falls on d."""
    closing = (
        Account.objects.filter(
            id__gte=lo,
            id__lt=hi,
            status__in=ACTIVE,
            statement_day__in=statement_days_on(d),
            opened_on__lt=d,
        )
        .filter(Q(last_statement_date__isnull=True) | Q(last_statement_date__lt=d))
        .only("id", "product_id", "opened_on", "credit_limit_fen", "last_statement_date")
    )
    interest_day = d - dt.timedelta(days=1)
    count = 0
    for chunk in keyset_chunks(closing):
        ids = [a.id for a in chunk]
        # The balances at close, under the rows' locks: a payment posted meanwhile is counted or waits.
        owed = posting.lock(ids)
        previous = {
            s.account_id: s
            for s in Statement.objects.filter(account_id__in=ids)
            .filter(
                statement_date=Subquery(Account.objects.filter(pk=OuterRef("account_id")).values("last_statement_date"))
            )
            .defer("explanation")
        }
        starts = {a.id: (previous[a.id].period_start if a.id in previous else a.opened_on) for a in chunk}
        postings: dict[int, list[Posting]] = defaultdict(list)
        # Entries posted on or after d (a late-running cycle) are not part of this statement: the
        # balances at close are the cache less those.
        later: dict[tuple[int, str], int] = defaultdict(int)
        for row in Entry.objects.filter(account_id__in=ids, posting_date__gte=min(starts.values())).values_list(
            "account_id", "kind", "component", "amount_fen", "posting_date", "value_date"
        ):
            if row[4] >= d:
                later[row[0], row[2]] += row[3]
            elif row[4] >= starts[row[0]]:
                postings[row[0]].append(
                    Posting(kind=row[1], component=row[2], amount_fen=row[3], posting_date=row[4], value_date=row[5])
                )
        past_due = dict(
            Statement.objects.filter(account_id__in=ids, due_date__lt=d, minimum_unpaid_fen__gt=0)
            .values("account_id")
            .annotate(s=Sum("minimum_unpaid_fen"))
            .values_list("account_id", "s")
        )
        new_entries, new_statements = [], []
        for a in chunk:
            p = params[a.product_id]
            prev = previous.get(a.id)
            period_start = prev.statement_date if prev else a.opened_on
            interest = compute_interest(
                params=p,
                statement_date=d,
                period_start=period_start,
                previous=_previous(prev) if prev else None,
                postings=postings[a.id],
            )
            if interest.amount_fen:
                new_entries.append(
                    posting.Line(
                        account_id=a.id,
                        kind=EntryKind.INTEREST,
                        component=Component.INTEREST,
                        amount_fen=interest.amount_fen,
                        posting_date=interest_day,
                        reference=f"interest:{d}",
                        explanation=interest.explanation,
                        description="interest",
                    )
                )
            in_cycle = [x for x in postings[a.id] if x.posting_date >= period_start]
            charges = interest.amount_fen + sum(
                x.amount_fen
                for x in in_cycle
                if x.component in (Component.INTEREST, Component.FEES) and x.amount_fen > 0
            )
            payments = -sum(x.amount_fen for x in in_cycle if x.kind == EntryKind.PAYMENT)
            balances = owed[a.id]
            principal, interest_owed, fees = (
                balances.principal_fen - later[a.id, Component.PRINCIPAL],
                balances.interest_fen + interest.amount_fen - later[a.id, Component.INTEREST],
                balances.fees_fen - later[a.id, Component.FEES],
            )
            minimum = compute_minimum(
                params=p,
                principal_fen=principal,
                interest_fen=interest_owed,
                fees_fen=fees,
                cycle_interest_and_fees_fen=charges,
                past_due_fen=past_due.get(a.id, 0),
                credit_limit_fen=a.credit_limit_fen,
            )
            new_statements.append(
                Statement(
                    account_id=a.id,
                    statement_date=d,
                    period_start=period_start,
                    due_date=due_date_for(p, d),
                    principal_fen=principal,
                    interest_fen=interest_owed,
                    fees_fen=fees,
                    new_balance_fen=principal + interest_owed + fees,
                    interest_charged_fen=interest.amount_fen,
                    fees_charged_fen=charges - interest.amount_fen,
                    payments_fen=payments,
                    past_due_fen=past_due.get(a.id, 0),
                    minimum_payment_fen=minimum.total_fen,
                    minimum_due_fen=minimum.own_fen,
                    minimum_unpaid_fen=minimum.own_fen,
                    revolving=prev is not None and prev.grace_kept is False and prev.new_balance_fen > 0,
                    explanation={"interest": interest.explanation, "minimum": minimum.explanation},
                )
            )
            a.last_statement_date = d
        posting.post(new_entries)
        insert_objects(new_statements)
        update_objects(chunk, ["last_statement_date"])
        count += len(chunk)
    return count


def _previous(s: Statement) -> PreviousStatement:
    return PreviousStatement(
        statement_date=s.statement_date,
        period_start=s.period_start,
        new_balance_fen=s.new_balance_fen,
        principal_fen=s.principal_fen,
        interest_fen=s.interest_fen,
        revolving=s.revolving,
        grace_kept=s.grace_kept,
        paid_by_due_fen=s.paid_by_due_fen,
    )
