"""Legal action worked examples, computed by hand: referral -> filing -> hearing -> judgment (costs
posted, the balance up by exactly the costs) -> enforcement proceeds (a recovery) -> closed, with the
deadlines and the limitation period; time-barred debts refused (CN-LEGAL-LIMIT, US-TBD).

The debtor (tests.builders.charged_off) bought 1000.00 on 2026-03-10 and never paid: the 04-05
statement falls due 04-23, DPD 1 on 04-24 (the day the bank knew of the default), charged off at DPD
180 on 2026-10-20. Limitation: 3 years from 2026-04-24, so the debt is suable through 2029-04-24.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from arrears.application.contact_gate import check_customer_contact
from arrears.errors import Conflict, ValidationFailed
from arrears.holds.models import Hold, HoldKind
from arrears.ledger.models import Account, AccountStatus, Customer, Entry
from arrears.ledger.queries import cache_mismatches
from arrears.legal import operations as legal
from arrears.legal import rules
from arrears.legal.models import LegalCase, LegalKind, LegalStage
from arrears.payments.models import Payment
from arrears.people.models import Role
from tests import builders
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def officer():  # type: ignore[no-untyped-def]
    return builders.staff(Role.LEGAL_OFFICER)


def test_lawsuit_from_referral_to_enforcement_proceeds(officer) -> None:  # type: ignore[no-untyped-def]
    debtor = builders.charged_off(amount="1000.00")
    account = Account.objects.get(pk=debtor.account.pk)
    assert account.charged_off_on == D(2026, 10, 20) and account.dpd == 180
    written_off = account.charged_off_fen
    assert account.balance_fen == 0 and written_off > 100000

    case = legal.refer(account=account, date=D(2026, 11, 2), by=officer, kind=LegalKind.LAWSUIT)
    assert case.stage == LegalStage.REFERRAL
    assert case.default_on == D(2026, 4, 24)  # 2026-10-20 less 179 days: DPD 1
    assert case.amount_claimed_fen == written_off  # nothing recovered yet: what was written off
    hold = Hold.objects.get(pk=case.hold_id)
    assert hold.kind == HoldKind.ATTORNEY and hold.lifted_at is None and hold.channels == []
    limit = legal.case_limitation(case, on=D(2026, 11, 2))
    assert (limit.ends_on, limit.time_barred, limit.last_restart_on) == (D(2029, 4, 24), False, None)

    with pytest.raises(ValidationFailed) as refused:
        legal.advance(case=case, to="judgment", on=D(2026, 11, 10), by=officer, business_date=D(2026, 11, 10))
    assert refused.value.field == "stage"
    with pytest.raises(ValidationFailed) as no_court:
        legal.advance(case=case, to="filing", on=D(2026, 11, 10), by=officer, business_date=D(2026, 11, 10))
    assert no_court.value.field == "court"
    legal.advance(
        case=case,
        to="filing",
        on=D(2026, 11, 10),
        by=officer,
        business_date=D(2026, 11, 10),
        court="北京市朝阳区人民法院",
        case_number="(2026)京0105民初12345号",
        documents=[("complaint.pdf", b"%PDF-1.7 complaint")],
    )
    legal.advance(case=case, to="hearing", on=D(2027, 1, 15), by=officer, business_date=D(2027, 1, 15))
    with pytest.raises(Conflict):  # costs come with the judgment
        legal.award_costs(case=case, amount="850.00", on=D(2027, 1, 15), by=officer, business_date=D(2027, 1, 15))
    legal.advance(
        case=case,
        to="judgment",
        on=D(2027, 2, 20),
        by=officer,
        business_date=D(2027, 2, 20),
        performance_due_on=D(2027, 3, 2),
        document_text="判决被告于判决生效之日起十日内偿还",
    )
    case.refresh_from_db()
    assert case.court == "北京市朝阳区人民法院" and case.case_number.endswith("12345号")

    # Costs: the balance rises by exactly 850.00, on its own component, through the ledger door.
    legal.award_costs(case=case, amount="850.00", on=D(2027, 2, 20), by=officer, business_date=D(2027, 2, 20))
    account.refresh_from_db()
    assert (account.costs_fen, account.balance_fen) == (85000, 85000)
    assert account.principal_fen == account.interest_fen == account.fees_fen == 0
    [costs] = Entry.objects.filter(account=account, component="costs")
    assert (costs.kind, costs.amount_fen, costs.reference) == ("court_costs", 85000, f"legal:{case.pk}:costs:1")
    assert cache_mismatches() == []

    # Deadlines: enforcement within 2 years of the last day for performance (2027-03-02).
    events = {e.stage: e for e in case.events.all()}
    found = rules.deadlines(
        kind=case.kind,
        filed_on=events["filing"].on,
        judged_on=events["judgment"].on,
        performance_due_on=events["judgment"].performance_due_on,
    )
    assert [(d.rule, d.what, d.due_on) for d in found] == [("CN-LEGAL-EXEC", "enforce_by", D(2029, 3, 2))]

    with pytest.raises(Conflict):  # proceeds only at enforcement
        legal.record_proceeds(case=case, amount="600.00", on=D(2027, 3, 1), by=officer, business_date=D(2027, 3, 1))
    legal.advance(case=case, to="enforcement", on=D(2027, 3, 10), by=officer, business_date=D(2027, 3, 10))
    legal.record_proceeds(case=case, amount="600.00", on=D(2027, 3, 15), by=officer, business_date=D(2027, 3, 15))
    account.refresh_from_db()
    assert account.status == AccountStatus.CHARGED_OFF
    assert account.recovered_fen == 60000 and account.balance_fen == 85000  # a recovery, not a balance move
    payment = Payment.objects.get(account=account)
    assert (payment.source, payment.amount_fen, payment.reference) == (
        f"legal:{case.pk}",
        60000,
        f"legal:{case.pk}:proceeds:1",
    )
    assert list(Entry.objects.filter(reference=payment.reference).values_list("kind", "component", "amount_fen")) == [
        ("recovery", "recovery", -60000)
    ]
    assert cache_mismatches() == []
    # The payment (an acknowledgment by performance) restarts the limitation period: 3 years from 03-15.
    assert legal.case_limitation(case, on=D(2027, 3, 15)).ends_on == D(2030, 3, 15)

    # At law, the attorney hold stops ordinary contact (CN-HOLD-ATTY), whatever the text says.
    assert "CN-HOLD-ATTY" in gate(account, "请尽快还款", D(2027, 3, 20)).rules
    legal.advance(case=case, to="closed", on=D(2027, 4, 1), by=officer, business_date=D(2027, 4, 1))
    # Closed: the hold is lifted; the wording may state the steps the case reached, never an unlawful threat.
    assert gate(account, "法院已判决并强制执行，请尽快还清余款。", D(2027, 4, 2)).allowed
    threat = gate(account, "法院已判决，不还就拘留你。", D(2027, 4, 2))
    assert not threat.allowed and threat.rules == ("CN-CONDUCT",) and "拘留" in threat.reasons[0]
    hold.refresh_from_db()
    case.refresh_from_db()
    assert hold.lifted_at is not None and case.closed_on == D(2027, 4, 1)
    with pytest.raises(ValidationFailed):
        legal.advance(case=case, to="enforcement", on=D(2027, 4, 2), by=officer, business_date=D(2027, 4, 2))
    assert legal.reached_stages([case.customer_id])[case.customer_id] == frozenset(
        {"referral", "filing", "hearing", "judgment", "enforcement", "closed"}
    )


def gate(account: Account, text: str, on: dt.date | None = None) -> Any:
    """The gate inside Arrears on an SMS at 10:00 Beijing time on `on` (the tests' instant by default)."""
    at = FROZEN_NOW if on is None else dt.datetime.combine(on, FROZEN_NOW.time(), tzinfo=dt.UTC)
    return check_customer_contact(
        customer=Customer.objects.get(pk=account.customer_id),
        channel="sms",
        address="13800000000",
        at=at,
        text=text,
    )


def test_the_gate_blocks_a_claimed_legal_step_until_the_case_reached_it(officer) -> None:  # type: ignore[no-untyped-def]
    debtor = builders.charged_off(amount="1000.00")
    claim = gate(debtor.account, "您的欠款已被法院判决，请尽快还款。")
    assert not claim.allowed and claim.rules == ("CN-CONDUCT",) and "判决" in claim.reasons[0]
    assert gate(debtor.account, "您的信用卡已逾期，请尽快还款。").allowed
    case = legal.refer(account=debtor.account, date=D(2026, 11, 2), by=officer)
    for to, on in (("filing", D(2026, 11, 3)), ("hearing", D(2026, 11, 4)), ("judgment", D(2026, 11, 5))):
        legal.advance(case=case, to=to, on=on, by=officer, business_date=on, court="X")
    legal.advance(case=case, to="closed", on=D(2026, 11, 6), by=officer, business_date=D(2026, 11, 6))
    assert gate(debtor.account, "您的欠款已被法院判决，请尽快还款。").allowed
    enforcement = gate(debtor.account, "法院将强制执行。")
    assert not enforcement.allowed and "强制执行" in enforcement.reasons[0]


def test_payment_order_deadlines_and_no_hearing(officer) -> None:  # type: ignore[no-untyped-def]
    debtor = builders.charged_off(amount="1000.00")
    case = legal.refer(account=debtor.account, date=D(2026, 11, 2), by=officer, kind=LegalKind.PAYMENT_ORDER)
    legal.advance(
        case=case, to="filing", on=D(2026, 11, 10), by=officer, business_date=D(2026, 11, 10), court="朝阳区人民法院"
    )
    with pytest.raises(ValidationFailed):
        legal.advance(case=case, to="hearing", on=D(2026, 11, 12), by=officer, business_date=D(2026, 11, 12))
    legal.advance(case=case, to="judgment", on=D(2026, 11, 20), by=officer, business_date=D(2026, 11, 20))
    events = {e.stage: e for e in LegalCase.objects.get(pk=case.pk).events.all()}
    found = rules.deadlines(kind=case.kind, filed_on=events["filing"].on, judged_on=events["judgment"].on)
    # Issued within 15 days of accepting (11-10 + 15), 15 days from service to pay or object (11-20 + 15),
    # enforcement within 2 years of that last day.
    assert [(d.rule, d.what, d.due_on) for d in found] == [
        ("CN-LEGAL-PO", "issue_by", D(2026, 11, 25)),
        ("CN-LEGAL-PO", "pay_or_object_by", D(2026, 12, 5)),
        ("CN-LEGAL-EXEC", "enforce_by", D(2028, 12, 5)),
    ]


def test_time_barred_debt_is_not_referred(officer, settings) -> None:  # type: ignore[no-untyped-def]
    debtor = builders.charged_off(amount="1000.00")
    with pytest.raises(Conflict) as barred:
        legal.refer(account=debtor.account, date=D(2029, 4, 25), by=officer)
    assert barred.value.field == "account" and "CN-LEGAL-LIMIT" in barred.value.message
    settings.ARREARS_COMPLIANCE_PACK = "US"
    with pytest.raises(Conflict) as us:
        legal.refer(account=debtor.account, date=D(2029, 4, 25), by=officer)
    assert "US-TBD" in us.value.message
    assert not LegalCase.objects.exists() and not Hold.objects.exists()
    # The last day of the period is still in time.
    case = legal.refer(account=debtor.account, date=D(2029, 4, 24), by=officer)
    assert case.stage == "referral"


def test_effective_demand_restarts_limitation_and_filing_is_refused_once_barred(officer) -> None:  # type: ignore[no-untyped-def]
    debtor = builders.charged_off(amount="1000.00")
    case = legal.refer(account=debtor.account, date=D(2026, 11, 2), by=officer)
    legal.record_demand(
        case=case,
        on=D(2026, 11, 5),
        by=officer,
        business_date=D(2026, 11, 5),
        channel="letter",
        evidence="EMS 回执 1234",
        receipt_proved=True,
        document=("receipt.jpg", b"jpeg"),
    )
    assert legal.case_limitation(case, on=D(2026, 11, 5)).ends_on == D(2029, 11, 5)
    # Without filing for three years and more, the case cannot be filed any more.
    with pytest.raises(Conflict) as barred:
        legal.advance(case=case, to="filing", on=D(2029, 11, 6), by=officer, business_date=D(2029, 11, 6), court="X")
    assert barred.value.field == "stage" and "CN-LEGAL-LIMIT" in barred.value.message
    with pytest.raises(ValidationFailed) as bad:
        legal.record_demand(
            case=case, on=D(2026, 11, 6), by=officer, business_date=D(2026, 11, 6), channel="pigeon", evidence="x"
        )
    assert bad.value.field == "channel"


def test_police_referral_offered_only_when_its_conditions_hold(officer) -> None:  # type: ignore[no-untyped-def]
    debtor = builders.charged_off(amount="1000.00")
    case = legal.refer(account=debtor.account, date=D(2026, 11, 2), by=officer)
    for on in (D(2026, 11, 3), D(2026, 11, 20)):  # 17 days apart: not enough
        legal.record_demand(
            case=case, on=on, by=officer, business_date=on, channel="letter", evidence="回执", receipt_proved=True
        )
    assert not legal.police_referral(case, on=D(2027, 6, 1)).offered
    legal.record_demand(
        case=case, on=D(2026, 12, 3), by=officer, business_date=D(2026, 12, 3), channel="letter", evidence="回执",
        receipt_proved=True,
    )  # fmt: skip
    # 11-03 and 12-03 are 30 days apart; more than 3 months after 12-03: from 2027-03-04.
    assert not legal.police_referral(case, on=D(2027, 3, 3)).offered
    offered = legal.police_referral(case, on=D(2027, 3, 4))
    assert offered.offered and offered.second_demand_on == D(2026, 12, 3)


def test_refer_many_is_set_based(officer, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    debtors = builders.past_due(dpd=100, count=6)
    on = D(2026, 8, 1)
    legal.refer(account=debtors[0].account, date=on, by=officer)
    with django_assert_max_num_queries(20):
        result = legal.refer_many([d.account for d in debtors], on, officer.username)
    assert len(result.cases) == 5
    assert [(r.account_id, r.field) for r in result.refused] == [(debtors[0].account.pk, "account")]
    assert Hold.objects.filter(kind="attorney", lifted_at__isnull=True).count() == 6
    # Default known: DPD 100 on 08-01 means DPD 1 on 04-24.
    assert {c.default_on for c in result.cases} == {D(2026, 4, 24)}
    assert all(c.amount_claimed_fen > 0 for c in result.cases)


def test_amounts_are_checked(officer) -> None:  # type: ignore[no-untyped-def]
    debtor = builders.charged_off(amount="1000.00")
    case = legal.refer(account=debtor.account, date=D(2026, 11, 2), by=officer)
    for to, on in (("filing", D(2026, 11, 3)), ("hearing", D(2026, 11, 4)), ("judgment", D(2026, 11, 5))):
        legal.advance(case=case, to=to, on=on, by=officer, business_date=on, court="X")
    for bad in ("-1", "0", "1.234", "abc"):
        with pytest.raises(Exception) as exc:
            legal.award_costs(case=case, amount=bad, on=D(2026, 11, 5), by=officer, business_date=D(2026, 11, 5))
        assert getattr(exc.value, "field", None) == "amount"
    assert Account.objects.get(pk=debtor.account.pk).costs_fen == 0
    assert Decimal("0") == Decimal(Account.objects.get(pk=debtor.account.pk).costs_fen)
