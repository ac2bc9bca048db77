"""The daily cycle's plan step: judge every active plan's instalments, post the charges of the periods
that start, and complete, pay off or break plans (rules in arrears.plans.life).

Set-based: for each chunk of active plans a fixed number of statements (the plans, their
instalments, their accounts, the entries to reverse; then bulk writes), never one per plan.
It runs after the accounts' ageing and charge-off and before the cases' steps, so the cases it
puts back into collection are updated, routed and (once cured) closed by them on the same date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import F

from arrears.audit.operations import record_many
from arrears.cases.models import Case, CaseStatus, CaseStatusChange
from arrears.delinquency.models import BucketChange
from arrears.holds.models import Hold, HoldKind
from arrears.kernel import clock
from arrears.kernel.sql import keyset_chunks, update_rows
from arrears.ledger import posting
from arrears.ledger.models import Account, Component, Entry, EntryKind
from arrears.plans import life
from arrears.plans.models import Instalment, InstalmentStatus, Plan, PlanStatus
from arrears.plans.operations import charge_lines, policy
from arrears.products.models import versions_in_force
from arrears.statements.models import Statement

CHUNK = 2000


def monitor_plans(d: dt.date, lo: int, hi: int) -> int:
    """The active plans of the accounts lo <= id < hi, in chunks of CHUNK plans."""
    p = policy()
    active = (
        Plan.objects.filter(status=PlanStatus.ACTIVE, account_id__gte=lo, account_id__lt=hi)
        .annotate(customer_id=F("account__customer_id"))
        .only("id", "account_id", "case_id", "moved_fen", "charged_fen", "components")
    )
    count = 0
    for plans in keyset_chunks(active, CHUNK):
        _chunk(d, plans, p.grace_days, p.missed_to_break)
        count += len(plans)
    return count


def _chunk(d: dt.date, plans: Sequence[Plan], grace_days: int, missed_to_break: int) -> None:
    accounts = posting.lock(pl.account_id for pl in plans)
    rows: dict[int, list[Instalment]] = defaultdict(list)
    for i in Instalment.objects.filter(plan_id__in=[pl.id for pl in plans]).order_by("plan_id", "n"):
        rows[i.plan_id].append(i)
    entries: list[posting.Line] = []
    changed_rows: list[Instalment] = []
    outcomes: dict[str, list[Plan]] = defaultdict(list)
    waive: dict[int, tuple[int, int]] = {}  # plan -> (fen, instalment n)
    broken: dict[int, life.Assessment] = {}
    assessed: dict[int, tuple[list[life.Due], life.Assessment]] = {}
    for plan in plans:
        account = accounts[plan.account_id]
        schedule = [
            life.Due(i.n, i.due_date, i.amount_fen, i.interest_fen, i.fee_fen, i.charged, i.status)
            for i in rows[plan.id]
        ]
        a = life.assess(
            schedule=schedule,
            moved_fen=plan.moved_fen,
            charged_fen=plan.charged_fen,
            plan_fen=account.plan_fen,
            d=d,
            grace_days=grace_days,
            missed_to_break=missed_to_break,
        )
        assessed[plan.id] = (schedule, a)
        by_n = {i.n: i for i in rows[plan.id]}
        for j in a.instalments:
            row = by_n[j.n]
            status = j.status
            if a.outcome == "paid_off" and status in ("scheduled", "late"):
                status = InstalmentStatus.SETTLED
            if a.outcome == "broken" and status in ("scheduled", "late", "missed"):
                status = status if status != "scheduled" else InstalmentStatus.CANCELLED
            if (row.status, row.paid_fen) != (status, j.paid_fen) or j.n in a.charge:
                row.status, row.paid_fen = status, j.paid_fen
                if j.newly_paid:
                    row.paid_on = d
                if j.newly_missed:
                    row.missed_on = d
                if j.n in a.charge:
                    row.charged = True
                    entries.extend(charge_lines(plan.id, plan.account_id, row, d))
                    plan.charged_fen += row.interest_fen + row.fee_fen
                changed_rows.append(row)
        outcomes[a.outcome].append(plan)
        if a.outcome in ("paid_off", "broken") and a.waive_fen:
            current = next(r for r in rows[plan.id] if r.charged and r.due_date >= d)
            waive[plan.id] = (a.waive_fen, current.n)
        if a.outcome == "broken":
            broken[plan.id] = a
    # Early payoff or breaking: the current period's charge is waived (reversing the charge entries).
    if waive:
        refs = {f"plan:{pid}:{what}:{n}" for pid, (_, n) in waive.items() for what in ("interest", "fee")}
        charged = {e.reference: e for e in Entry.objects.filter(reference__in=refs, component=Component.PLAN)}
        plan_by_id = {pl.id: pl for pl in plans}
        for pid, (fen, n) in waive.items():
            left = fen
            for what in ("fee", "interest"):
                charge = charged.get(f"plan:{pid}:{what}:{n}")
                if charge is None or left <= 0:
                    continue
                take = min(left, charge.amount_fen)
                entries.append(
                    posting.Line(
                        account_id=charge.account_id,
                        kind=EntryKind.REVERSAL,
                        component=Component.PLAN,
                        amount_fen=-take,
                        posting_date=d,
                        reverses_id=charge.id,
                        reference=f"plan:{pid}:waive:{what}",
                        description=f"repayment plan {pid} paid off early: {what} waived",
                    )
                )
                plan_by_id[pid].charged_fen -= take
                left -= take
    # Breaking: what is left on the plan returns to the card, reversing the transfer in part.
    if broken:
        transfers = {
            (account_id, component): pk
            for pk, account_id, component in Entry.objects.filter(
                reference__in=[f"plan:{pid}:in" for pid in broken], kind=EntryKind.PLAN_TRANSFER
            ).values_list("id", "account_id", "component")
        }
        for plan in plans:
            if plan.id not in broken:
                continue
            schedule, a = assessed[plan.id]
            account = accounts[plan.account_id]
            charges = life.unpaid_charges(schedule=schedule, judged=a.instalments)
            left = account.plan_fen - waive.get(plan.id, (0, 0))[0]
            back = life.return_split(plan_fen=left, moved=plan.components, charges_unpaid=charges)
            for component, fen in back.items():
                source = transfers.get((plan.account_id, component))
                entries.append(
                    posting.Line(
                        account_id=plan.account_id,
                        kind=EntryKind.PLAN_RETURN,
                        component=component,
                        amount_fen=fen,
                        posting_date=d,
                        reverses_id=source,
                        reference=f"plan:{plan.id}:back",
                        description=f"repayment plan {plan.id} broken",
                    )
                )
            if left:
                entries.append(
                    posting.Line(
                        account_id=plan.account_id,
                        kind=EntryKind.PLAN_RETURN,
                        component=Component.PLAN,
                        amount_fen=-left,
                        posting_date=d,
                        reverses_id=transfers.get((plan.account_id, Component.PLAN)),
                        reference=f"plan:{plan.id}:back",
                        explanation={"returned": back},
                        description=f"repayment plan {plan.id} broken",
                    )
                )
    posting.post(entries)
    if broken:
        _break(d, [pl for pl in plans if pl.id in broken], broken)
    Instalment.objects.bulk_update(
        changed_rows, ["status", "paid_fen", "paid_on", "missed_on", "charged"], batch_size=2000
    )
    for outcome, status in (
        ("completed", PlanStatus.COMPLETED),
        ("paid_off", PlanStatus.PAID_OFF),
        ("broken", PlanStatus.BROKEN),
    ):
        for plan in outcomes[outcome]:
            plan.status, plan.closed_on = status, d
            plan.close_reason = {
                "completed": "every instalment paid",
                "paid_off": "remaining principal paid",
                "broken": f"{missed_to_break} instalment(s) missed",
            }[outcome]
    Plan.objects.bulk_update(plans, ["status", "closed_on", "close_reason", "charged_fen"], batch_size=2000)
    ended = [pl for o in ("completed", "paid_off", "broken") for pl in outcomes[o]]
    if ended:
        _end(d, ended, outcomes)


def _break(d: dt.date, plans: list[Plan], assessments: dict[int, life.Assessment]) -> None:
    """The missed instalments become the account's past-due amount, due on the oldest one's due date."""
    params = versions_in_force(d)
    ids = [pl.account_id for pl in plans]
    accounts = posting.lock(ids)  # held since the chunk began: re-read after the plan returned its balance
    taken = set(
        Statement.objects.filter(
            account_id__in=ids, statement_date__gte=d - dt.timedelta(days=40), statement_date__lte=d
        ).values_list("account_id", "statement_date")
    )
    statements, changes, aged = [], [], []
    for plan in plans:
        a = assessments[plan.id]
        account = accounts[plan.account_id]
        on = d
        while (account.id, on) in taken:
            on -= dt.timedelta(days=1)
        assert a.oldest_unpaid_due is not None
        principal, interest, fees = account.principal_fen, account.interest_fen, account.fees_fen
        statements.append(
            Statement(
                account_id=account.id,
                statement_date=on,
                period_start=on,
                due_date=a.oldest_unpaid_due,
                principal_fen=principal,
                interest_fen=interest,
                fees_fen=fees,
                new_balance_fen=principal + interest + fees,
                minimum_payment_fen=a.arrears_fen,
                minimum_due_fen=a.arrears_fen,
                minimum_unpaid_fen=a.arrears_fen,
                grace_kept=False,
                paid_by_due_fen=0,
                explanation={
                    "plan_broken": plan.id,
                    "instalments_unpaid": [j.n for j in a.instalments if j.status in ("late", "missed")],
                },
            )
        )
        dpd = (d - a.oldest_unpaid_due).days
        bucket = params[account.product_id].bucket_for(dpd) if account.product_id in params else account.bucket
        if bucket != account.bucket:
            changes.append(
                BucketChange(
                    account_id=account.id, change_date=d, from_bucket=account.bucket, to_bucket=bucket, dpd=dpd
                )
            )
        aged.append({"id": account.id, "dpd": dpd, "bucket": bucket})
    Statement.objects.bulk_create(statements, batch_size=2000)
    update_rows(
        Account._meta.db_table, [("id", "bigint"), ("dpd", "integer"), ("bucket", "smallint")], json.dumps(aged)
    )
    BucketChange.objects.bulk_create(changes, batch_size=2000, ignore_conflicts=True)


def _end(d: dt.date, ended: list[Plan], outcomes: dict[str, list[Plan]]) -> None:
    """Lift the plan hold of customers left with no active plan; the case goes back to collection
    (broken) or to the cycle's next steps, which close it once nothing is past due."""
    customers = {pl.customer_id for pl in ended}  # type: ignore[attr-defined]
    still = set(
        Plan.objects.filter(status=PlanStatus.ACTIVE, account__customer_id__in=customers).values_list(
            "account__customer_id", flat=True
        )
    )
    lift = customers - still
    Hold.objects.filter(customer_id__in=lift, kind=HoldKind.PLAN, lifted_at__isnull=True).update(
        lifted_at=clock.start_of(d), lift_reason="repayment plan ended"
    )
    case_ids = [pl.case_id for pl in ended if pl.customer_id in lift]  # type: ignore[attr-defined]
    reason = {pl.case_id: ("plan broken" if pl in outcomes["broken"] else "plan completed") for pl in ended}
    moving = list(Case.objects.filter(id__in=case_ids, status=CaseStatus.IN_PLAN).values_list("id", flat=True))
    Case.objects.filter(id__in=moving).update(status=CaseStatus.OPEN)
    CaseStatusChange.objects.bulk_create(
        [
            CaseStatusChange(
                case_id=c, change_date=d, from_status=CaseStatus.IN_PLAN, to_status=CaseStatus.OPEN, reason=reason[c]
            )
            for c in moving
        ],
        batch_size=2000,
    )
    for outcome in ("completed", "paid_off", "broken"):
        record_many(
            actor="cycle",
            action=f"plan.{outcome}",
            object_type="plan",
            items=[(pl.pk, {"on": d, "reason": pl.close_reason}) for pl in outcomes[outcome]],
        )
