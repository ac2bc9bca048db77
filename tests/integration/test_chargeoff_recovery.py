"""After charge-off, worked by hand: the charged-off position by component, recoveries, the recovery
rate by vintage, a settlement after charge-off, and payments refused once settled.

The customer bought 1,000.00 on 03-10 and never paid. The product charges off at DPD 30:
- statement 04-05: minimum 100.00, due 04-23; late fee 5.00 on 04-24 (5 % of 100.00);
- interest 28.00 (1,000.00 x 0.0005 x 56 days, 03-10..05-04) posted with the statement of 05-05;
- DPD 30 on 05-23 (04-23 + 30): the cycle charges off principal 1,000.00, interest 28.00, fees 5.00,
  1,033.00 in all.
Recoveries cover fees, then interest, then the plan, then principal:
- 20.00 paid on 06-01: fees 5.00, interest 15.00;
- 300.00 paid on 07-10: interest 13.00, principal 287.00.
Then 320.00 recovered, 713.00 still owed (principal), rate 320 / 1,033 = 0.3098; the vintage 2026-05
has recovered 0.00 by the end of May (month 0), 20.00 by June (0.0194), 320.00 by July (0.3098).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.application.figures import account_figures, portfolio
from arrears.concessions.models import AuthorityRule, ConcessionStatus
from arrears.concessions.operations import ConcessionIn, request_concession
from arrears.cycle.runner import run_date
from arrears.delinquency.chargeoff import charged_off_positions, recovery_vintages
from arrears.errors import ValidationFailed
from arrears.ledger.models import Account, AccountStatus, Component, Entry, EntryKind
from arrears.ledger.queries import cache_mismatches
from arrears.payments.operations import PaymentIn, post_payment
from arrears.people.models import Role
from tests.builders import charged_off, pay, staff, team_with_queue

pytestmark = pytest.mark.django_db
CHARGED_OFF_ON = dt.date(2026, 5, 23)


def fen(text: str) -> int:
    return int(Decimal(text) * 100)


@pytest.fixture
def account() -> Account:
    debtor = charged_off(amount="1000.00", charge_off_dpd=30)
    return debtor.account


def test_charge_off_keeps_principal_interest_and_fees_apart(account: Account) -> None:
    assert account.charged_off_on == CHARGED_OFF_ON
    assert account.balance_fen == 0
    [position] = charged_off_positions([account.pk]).values()
    assert {c: p.charged_off_fen for c, p in position.rows()} == {
        "fees": fen("5.00"),
        "interest": fen("28.00"),
        "principal": fen("1000.00"),
    }
    assert position.charged_off_fen == account.charged_off_fen == fen("1033.00")
    assert position.recovered_fen == 0 and position.still_owed_fen == fen("1033.00")


def test_recoveries_after_charge_off_cover_fees_then_interest_then_principal(account: Account) -> None:
    pay(accounts=[account], amounts=["20.00"], on=dt.date(2026, 6, 1))
    pay(accounts=[account], amounts=["300.00"], on=dt.date(2026, 7, 10))
    # Both posted as recoveries, never on the written-off components.
    kinds = set(Entry.objects.filter(account=account, kind=EntryKind.RECOVERY).values_list("component", flat=True))
    assert kinds == {Component.RECOVERY}
    [position] = charged_off_positions(Account.objects.filter(pk=account.pk)).values()
    assert {c: (p.recovered_fen, p.still_owed_fen) for c, p in position.rows()} == {
        "fees": (fen("5.00"), 0),
        "interest": (fen("28.00"), 0),
        "principal": (fen("287.00"), fen("713.00")),
    }
    assert position.recovered_fen == fen("320.00")
    assert position.still_owed_fen == fen("713.00")
    assert position.recovery_rate == Decimal("0.3098")
    # The same figures as the one read model of the pages.
    figures = account_figures([account.pk], business_date=dt.date(2026, 7, 31))[account.pk]
    assert figures.charged_off and figures.recovered_fen == position.recovered_fen
    assert figures.still_owed_fen == position.still_owed_fen
    assert cache_mismatches() == []

    [vintage] = recovery_vintages(business_date=dt.date(2026, 7, 31))
    assert vintage.month == dt.date(2026, 5, 1)
    assert (vintage.accounts, vintage.charged_off_fen, vintage.recovered_fen) == (1, fen("1033.00"), fen("320.00"))
    assert vintage.cumulative_fen == (0, fen("20.00"), fen("320.00"))
    assert vintage.rates == (Decimal("0"), Decimal("0.0194"), Decimal("0.3098"))
    assert vintage.as_json()["by_month"][2] == {"months_since": 2, "recovered": "320.00", "rate": "0.3098"}
    # Before the second recovery: June's view.
    [june] = recovery_vintages(business_date=dt.date(2026, 6, 30))
    assert june.cumulative_fen == (0, fen("20.00"))


def test_a_settlement_after_charge_off_writes_off_the_rest_and_settles_the_debt(account: Account) -> None:
    pay(accounts=[account], amounts=["20.00"], on=dt.date(2026, 6, 1))
    team = team_with_queue()
    collector = staff(team=team)
    AuthorityRule.objects.create(role=Role.COLLECTOR, kind="settlement", max_share=Decimal("0.5"))
    case = account.customer.cases.get()
    # Settled on what is still owed of the charge-off (1,013.00), not the balance (0.00).
    concession = request_concession(
        user=collector,
        case=case,
        data=ConcessionIn(
            kind="settlement",
            reason="income_loss",
            evidence="lost job, termination letter seen",
            account_number=account.number,
            amount=Decimal("600.00"),
            payments=[(dt.date(2026, 6, 1), Decimal("600.00"))],
        ),
        business_date=dt.date(2026, 6, 1),
    )
    assert concession.status == ConcessionStatus.ACTIVE
    assert (concession.base_fen, concession.cost_fen) == (fen("1013.00"), fen("413.00"))
    pay(accounts=[account], amounts=["600.00"], on=dt.date(2026, 6, 1))
    run_date(dt.date(2026, 6, 2))

    concession.refresh_from_db()
    account.refresh_from_db()
    assert concession.status == ConcessionStatus.SETTLED
    assert concession.details["written_off_fen"] == fen("413.00")
    assert account.status == AccountStatus.SETTLED
    assert account.charged_off_on == CHARGED_OFF_ON
    write_off = Entry.objects.get(account=account, kind=EntryKind.ADJUSTMENT)
    assert (write_off.component, write_off.amount_fen) == (Component.RECOVERY, -fen("413.00"))
    [position] = charged_off_positions([account.pk]).values()
    assert (position.recovered_fen, position.written_off_fen, position.still_owed_fen) == (
        fen("620.00"),
        fen("413.00"),
        0,
    )
    assert {c: (p.recovered_fen, p.written_off_fen) for c, p in position.rows()} == {
        "fees": (fen("5.00"), 0),
        "interest": (fen("28.00"), 0),
        "principal": (fen("587.00"), fen("413.00")),
    }
    assert cache_mismatches() == []
    figures = account_figures([account.pk], business_date=dt.date(2026, 6, 2))[account.pk]
    assert (figures.standing, figures.still_owed_fen, figures.total_owed_fen, figures.dpd) == ("closed", 0, 0, 0)
    assert portfolio() == ()  # the book holds only this account, settled: no longer in it
    # The write-off is not a recovery: the vintage counts 620.00 recovered.
    [vintage] = recovery_vintages(business_date=dt.date(2026, 6, 30))
    assert vintage.recovered_fen == fen("620.00")

    with pytest.raises(ValidationFailed) as refused:
        post_payment(
            actor="test",
            payment=PaymentIn(
                account_number=account.number,
                amount=Decimal("1.00"),
                value_date=dt.date(2026, 6, 2),
                reference="late-1",
            ),
            business_date=dt.date(2026, 6, 2),
        )
    assert (refused.value.field, refused.value.code) == ("account", "account_settled")
    assert "settled" in refused.value.message and account.number not in refused.value.message
    assert not Entry.objects.filter(account=account, reference="late-1").exists()


def test_a_settlement_after_charge_off_must_be_below_what_is_still_owed(account: Account) -> None:
    team = team_with_queue()
    collector = staff(team=team)
    AuthorityRule.objects.create(role=Role.COLLECTOR, kind="settlement", max_share=Decimal("0.9"))
    with pytest.raises(ValidationFailed) as refused:
        request_concession(
            user=collector,
            case=account.customer.cases.get(),
            data=ConcessionIn(
                kind="settlement",
                reason="income_loss",
                evidence="seen",
                account_number=account.number,
                amount=Decimal("1033.00"),
                payments=[(dt.date(2026, 6, 1), Decimal("1033.00"))],
            ),
            business_date=dt.date(2026, 6, 1),
        )
    assert refused.value.field == "amount"
