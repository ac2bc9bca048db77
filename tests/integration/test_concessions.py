"""Concessions worked by hand: waivers, an extension, settlements paid and lapsed; bad input.

The customer bought 1,000.00 on 03-10 and never paid: statement 04-05 (minimum 100.00, due 04-23),
late fee 5.00 on 04-24 (5 % of 100.00), interest 28.00 posted 05-04 with the statement of 05-05
(minimum 133.00, due 05-23). On 05-06 the balance is 1,033.00 and DPD 13 (since 04-23).
The cycle runs only on the dates that matter (tests.builders.advance), with the daily cycle's figures.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from arrears.audit.models import AuditEntry
from arrears.cases.models import Case, CaseStatus
from arrears.concessions.models import (
    ApprovalRequest,
    AuthorityRule,
    Concession,
    ConcessionStatus,
    TeamBudget,
)
from arrears.concessions.operations import ConcessionIn, request_concession, reverse_concession
from arrears.concessions.queries import summary_for_customer
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.ledger.models import Account, AccountStatus, Entry, EntryKind
from arrears.ledger.queries import cache_mismatches
from arrears.people.models import Role
from arrears.statements.models import Statement
from tests.builders import advance
from tests.collections_factories import delinquent_customers, staff, team_with_queue
from tests.factories import pay

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 6)


def allow(
    role: str, kind: str, *, amount: str | None = None, share: str | None = None, days: int | None = None
) -> AuthorityRule:
    return AuthorityRule.objects.create(
        role=role,
        kind=kind,
        max_amount_fen=int(Decimal(amount) * 100) if amount else None,
        max_share=Decimal(share) if share else None,
        max_days=days,
    )


@pytest.fixture
def world() -> dict[str, Any]:
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    [case] = delinquent_customers(1, through=DAY)
    case.refresh_from_db()
    for kind in ("late_fee_waiver", "interest_waiver"):
        allow(Role.COLLECTOR, kind, amount="50.00")
    allow(Role.COLLECTOR, "extension", days=30)
    allow(Role.COLLECTOR, "settlement", share="0.50")
    return {"case": case, "account": case.customer.accounts.get(), "collector": collector, "lead": lead, "team": team}


def ask(w: dict[str, Any], kind: str, *, user: Any = None, on: dt.date = DAY, **fields: Any) -> Concession:
    data = ConcessionIn(kind=kind, reason="income_loss", evidence="lost job 2026-04, termination letter seen", **fields)
    return request_concession(user=user or w["collector"], case=w["case"], data=data, business_date=on)


def balances(account: Account) -> tuple[int, int, int]:
    account.refresh_from_db()
    return account.principal_fen, account.interest_fen, account.fees_fen


class TestWaivers:
    def test_a_late_fee_waiver_of_5_on_a_5_fee_leaves_no_fee(self, world: dict[str, Any]) -> None:
        assert balances(world["account"]) == (100000, 2800, 500)

        c = ask(world, "late_fee_waiver", amount=Decimal("5.00"))

        assert c.status == ConcessionStatus.APPLIED
        assert balances(world["account"]) == (100000, 2800, 0)
        entry = Entry.objects.get(pk=c.details["entry"])
        assert (entry.kind, entry.component, entry.amount_fen) == (EntryKind.FEE_WAIVER, "fees", -500)
        assert "5.00" in c.summary_en and "1,028.00" in c.summary_en and "违约金 5.00 元" in c.summary_zh
        assert cache_mismatches() == []

    def test_an_interest_waiver_lowers_the_interest_and_is_audited_with_its_rule(self, world: dict[str, Any]) -> None:
        c = ask(world, "interest_waiver", amount=Decimal("10.00"))

        assert balances(world["account"]) == (100000, 1800, 500)
        entry = Entry.objects.get(pk=c.details["entry"])
        assert (entry.kind, entry.component, entry.amount_fen) == (EntryKind.ADJUSTMENT, "interest", -1000)
        grant = AuditEntry.objects.get(action="concession.grant", object_id=str(c.pk))
        assert grant.after["rule"] == c.rule_id and grant.after["approval"] is None
        assert cache_mismatches() == []

    def test_a_waiver_is_reversed_by_a_new_entry_and_gives_the_budget_back(self, world: dict[str, Any]) -> None:
        TeamBudget.objects.create(team=world["team"], month=DAY.replace(day=1), limit_fen=100_00)
        c = ask(world, "late_fee_waiver", amount=Decimal("5.00"))
        assert TeamBudget.objects.get().spent_fen == 500

        reverse_concession(user=world["lead"], concession=c, reason="waived by mistake", business_date=DAY)

        assert balances(world["account"]) == (100000, 2800, 500)
        assert TeamBudget.objects.get().spent_fen == 0
        assert Entry.objects.filter(kind=EntryKind.REVERSAL, reverses_id=c.details["entry"]).count() == 1
        assert cache_mismatches() == []

    def test_the_summary_is_sent_in_the_customers_language(self, world: dict[str, Any]) -> None:
        c = ask(world, "late_fee_waiver", amount=Decimal("5.00"))
        summary = summary_for_customer(c)
        assert summary.language == "zh-hans" and summary.text == c.summary_zh


class TestExtension:
    def test_an_extension_moves_days_past_due_back_without_editing_the_statement(self, world: dict[str, Any]) -> None:
        account = world["account"]
        c = ask(world, "extension", days=20)

        [moved] = c.details["statements"]
        statement = Statement.objects.get(pk=moved["statement"])
        assert statement.due_date == dt.date(2026, 4, 23)  # as issued
        assert statement.extended_due_date == dt.date(2026, 5, 13)
        assert "2026-05-13" in c.summary_en and "延期 20 天" in c.summary_zh

        advance(through=dt.date(2026, 5, 7))
        account.refresh_from_db()
        assert (account.dpd, account.bucket) == (0, 0)  # was 13, M1
        assert Case.objects.get(pk=world["case"].pk).status == CaseStatus.CLOSED

        advance(through=dt.date(2026, 5, 14))
        account.refresh_from_db()
        assert account.dpd == 1  # the minimum still unpaid the day after the extended date
        assert balances(account) == (100000, 2800, 500)  # an extension changes no amount
        assert cache_mismatches() == []


class TestSettlement:
    def test_sixty_percent_paid_in_two_payments_writes_off_the_rest_and_closes_the_case(
        self, world: dict[str, Any]
    ) -> None:
        account = world["account"]
        # 60 % of 1,033.00 = 619.80, in 50.00 by 05-10 and 569.80 by 05-20; 413.20 is forgiven. (The
        # first payment is less than the 100.00 minimum past due: the case stays open until settled.)
        c = ask(
            world,
            "settlement",
            amount=Decimal("619.80"),
            payments=[(dt.date(2026, 5, 10), Decimal("50.00")), (dt.date(2026, 5, 20), Decimal("569.80"))],
        )
        assert c.status == ConcessionStatus.ACTIVE and c.cost_fen == 41320
        assert "619.80" in c.summary_en and "413.20" in c.summary_en and "2026-05-20" in c.summary_zh

        advance(through=dt.date(2026, 5, 8))
        pay(account, dt.date(2026, 5, 8), "50.00")
        advance(through=dt.date(2026, 5, 15))
        assert Concession.objects.get(pk=c.pk).status == ConcessionStatus.ACTIVE
        assert Case.objects.get(pk=world["case"].pk).status == CaseStatus.OPEN
        pay(account, dt.date(2026, 5, 15), "569.80")
        advance(through=dt.date(2026, 5, 16))

        c.refresh_from_db()
        assert c.status == ConcessionStatus.SETTLED and c.closed_on == dt.date(2026, 5, 16)
        assert c.details["written_off_fen"] == 41320
        assert balances(account) == (0, 0, 0)
        assert (account.status, account.dpd, account.bucket) == (AccountStatus.CLOSED, 0, 0)
        case = Case.objects.get(pk=world["case"].pk)
        assert case.status == CaseStatus.CLOSED
        assert case.status_changes.filter(to_status=CaseStatus.CLOSED, reason="settled").exists()
        # The payments went to the fees and interest first (CN-ALLOC): what is written off is principal.
        written = Entry.objects.filter(account=account, reference=f"concession:{c.pk}:write_off")
        assert list(written.values_list("kind", "component", "amount_fen")) == [
            (EntryKind.ADJUSTMENT, "principal", -41320)
        ]
        assert cache_mismatches() == []

    def test_a_settlement_not_paid_by_its_last_date_lapses_and_the_balance_stays(self, world: dict[str, Any]) -> None:
        account = world["account"]
        TeamBudget.objects.create(team=world["team"], month=DAY.replace(day=1), limit_fen=1000_00)
        c = ask(world, "settlement", amount=Decimal("619.80"), payments=[(dt.date(2026, 5, 10), Decimal("619.80"))])
        assert TeamBudget.objects.get().spent_fen == 41320
        advance(through=dt.date(2026, 5, 8))
        pay(account, dt.date(2026, 5, 8), "100.00")

        advance(through=dt.date(2026, 5, 11))

        c.refresh_from_db()
        assert c.status == ConcessionStatus.LAPSED and c.closed_on == dt.date(2026, 5, 11)
        account.refresh_from_db()
        assert account.balance_fen == 103300 - 10000 and account.status == AccountStatus.OPEN
        assert TeamBudget.objects.get().spent_fen == 0
        assert not Entry.objects.filter(account=account, kind=EntryKind.ADJUSTMENT).exists()
        assert cache_mismatches() == []


def _snapshot(account: Account) -> tuple[Any, ...]:
    account.refresh_from_db()
    return (
        Concession.objects.count(),
        ApprovalRequest.objects.count(),
        Entry.objects.count(),
        account.balance_fen,
        list(Statement.objects.values_list("extended_due_date", flat=True)),
        list(TeamBudget.objects.values_list("spent_fen", flat=True)),
    )


class TestBadInput:
    @pytest.mark.parametrize(
        ("kind", "fields", "field"),
        [
            ("late_fee_waiver", {"amount": Decimal("-5.00")}, "amount"),
            ("late_fee_waiver", {"amount": Decimal("0")}, "amount"),
            ("late_fee_waiver", {"amount": Decimal("5.01")}, "amount"),  # more than the 5.00 fee
            ("late_fee_waiver", {"amount": Decimal("1.005")}, "amount"),
            ("late_fee_waiver", {}, "amount"),
            ("interest_waiver", {"amount": Decimal("28.01")}, "amount"),
            ("extension", {"days": 0}, "days"),
            ("extension", {"days": 91}, "days"),
            ("extension", {}, "days"),
            ("settlement", {"amount": Decimal("1033.00"), "payments": [(DAY, Decimal("1033.00"))]}, "amount"),
            ("settlement", {"amount": Decimal("600.00"), "payments": [(DAY, Decimal("500.00"))]}, "payments"),
            ("settlement", {"amount": Decimal("600.00"), "payments": []}, "payments"),
            (
                "settlement",
                {"amount": Decimal("600.00"), "payments": [(dt.date(2026, 5, 1), Decimal("600.00"))]},
                "payments",
            ),
            (
                "settlement",
                {"amount": Decimal("600.00"), "payments": [(dt.date(2026, 12, 31), Decimal("600.00"))]},
                "payments",
            ),
            ("goodwill_cheque", {"amount": Decimal("5.00")}, "kind"),
        ],
    )
    def test_is_refused_naming_the_field_and_nothing_changes(
        self, world: dict[str, Any], kind: str, fields: dict[str, Any], field: str
    ) -> None:
        before = _snapshot(world["account"])
        with pytest.raises(ValidationFailed) as error:
            ask(world, kind, **fields)
        assert error.value.field == field
        assert _snapshot(world["account"]) == before

    def test_a_waiver_larger_than_the_fee_says_how_much_can_be_waived(self, world: dict[str, Any]) -> None:
        with pytest.raises(ValidationFailed, match=r"more than the late fees that can be waived \(5.00\)"):
            ask(world, "late_fee_waiver", amount=Decimal("6.00"))

    def test_a_reason_and_evidence_are_required(self, world: dict[str, Any]) -> None:
        data = ConcessionIn(kind="late_fee_waiver", reason="felt like it", evidence="x", amount=Decimal("1.00"))
        with pytest.raises(ValidationFailed) as error:
            request_concession(user=world["collector"], case=world["case"], data=data, business_date=DAY)
        assert error.value.field == "reason"
        data = ConcessionIn(kind="late_fee_waiver", reason="illness", evidence="  ", amount=Decimal("1.00"))
        with pytest.raises(ValidationFailed) as error:
            request_concession(user=world["collector"], case=world["case"], data=data, business_date=DAY)
        assert error.value.field == "evidence"

    def test_an_account_not_of_the_case_is_not_found(self, world: dict[str, Any]) -> None:
        with pytest.raises(NotFound) as error:
            ask(world, "late_fee_waiver", amount=Decimal("1.00"), account_number="6299999999")
        assert error.value.field == "account"

    def test_an_extension_needs_a_minimum_past_due(self, world: dict[str, Any]) -> None:
        pay(world["account"], DAY, "233.00")  # both minimums (100.00 and 133.00)
        with pytest.raises(ArrearsError) as error:
            ask(world, "extension", days=10)
        assert error.value.field == "account"
