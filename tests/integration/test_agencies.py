"""Agencies (委外催收), worked by hand: placement under an entrustment in force, an agency contact
refused by the same compliance gate as the bank's (at night; and the 7th unanswered dial of a day,
counted across the bank and the agency), collections reported and confirmed through the payments
door, the cycle's recall, commission by tier and re-placement with another agency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.agencies import operations as agencies
from arrears.agencies import rules
from arrears.agencies.models import Agency, Collection, Placement, RecallReason
from arrears.agencies.queries import performance, remittance
from arrears.application.contacts import record_contact
from arrears.audit.models import AuditEntry
from arrears.cases.models import Case, CaseStatus, CaseStatusChange
from arrears.contacts.models import Contact
from arrears.contacts.operations import ContactIn
from arrears.errors import Conflict, ContactNotAllowed, NotFound, NotPermitted
from arrears.holds.operations import lift_hold, set_hold
from arrears.ledger.models import Account, AccountStatus
from arrears.payments.models import Payment
from arrears.people.models import Role
from tests.builders import charged_off, past_due, staff

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 5, 3)  # 10 days past the 04-23 due date


def at(hour: int, minute: int = 0, day: dt.date = TODAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)


def agency(code: str, *, weight: int = 1, entrusted: bool = True, tiers: dict[int, str] | None = None) -> Agency:
    a = agencies.create_agency(actor="admin", code=code, name=f"{code} 催收有限公司", weight=weight)
    if entrusted:
        agencies.add_entrustment(
            actor="admin",
            agency=a,
            purpose="信用卡逾期账款催收",
            data_types=["name", "mobile", "balance"],
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            deletion_duty="委托结束后30日内删除全部客户信息并书面确认",
        )
    for bucket, rate in (tiers or {}).items():
        agencies.set_tier(actor="admin", agency=a, min_bucket=bucket, rate=Decimal(rate))
    return a


def agency_user(a: Agency) -> object:
    user = staff(Role.AGENCY_USER)
    agencies.add_agency_user(actor="admin", user=user, agency=a)
    return user


def dial(result: str = "no_answer") -> ContactIn:
    return ContactIn(channel="phone", party="none", result=result)


@pytest.mark.django_db
class TestWorkedExample:
    def test_placement_gate_recall_commission(self) -> None:
        [debtor] = past_due(dpd=10, amounts=["1000.00"], contact={"mobile": "13800001111"})
        account = debtor.account
        alpha = agency("alpha", tiers={1: "0.10", 3: "0.20"})
        beta = agency("beta")
        lead = staff(Role.ADMINISTRATOR)
        collector = staff()
        user = agency_user(alpha)

        # Placed by hand with alpha for 30 days: bucket M1 and the balance owed are kept.
        placement = agencies.place_by_hand(user=lead, account=account, agency=alpha, business_date=TODAY, days=30)
        account.refresh_from_db()
        assert (placement.bucket, placement.expires_on) == (1, dt.date(2026, 6, 2))
        assert placement.balance_fen == account.balance_fen > 100_000
        assert agencies.placement_of(user, account.pk, on=TODAY) == placement
        # The case leaves the collectors' queues while the account is with the agency.
        assert Case.objects.get(pk=debtor.case.pk).status == CaseStatus.WITH_AGENCY
        with pytest.raises(Conflict):  # one live placement per account
            agencies.place_by_hand(user=lead, account=account, agency=beta, business_date=TODAY)

        # At 22:30 Beijing time the gate refuses the agency's call (CN-HOURS), as it would the bank's.
        with pytest.raises(ContactNotAllowed) as night:
            agencies.record_agency_contact(user=user, placement=placement, data=dial(), at=at(22, 30))
        assert "CN-HOURS" in night.value.decision["rules"]

        # Three unanswered dials by the bank and three by the agency: the 7th of the day is refused
        # (CN-DIALS, 6 a number a day), counted across the bank and the agency.
        assert debtor.case is not None
        for minute in (0, 5, 10):
            record_contact(user=collector, case=debtor.case, data=_bank_dial(), at=at(9, minute))
        for minute in (0, 5, 10):
            agencies.record_agency_contact(user=user, placement=placement, data=dial(), at=at(10, minute))
        with pytest.raises(ContactNotAllowed) as seventh:
            agencies.record_agency_contact(user=user, placement=placement, data=dial(), at=at(11))
        assert "CN-DIALS" in seventh.value.decision["rules"]
        assert Contact.objects.filter(source="agency:alpha").count() == 3
        assert set(Contact.objects.filter(source="agency:alpha").values_list("address", flat=True)) == {"13800001111"}

        # Collections reported by the agency, confirmed by the bank through the payments door.
        first = agencies.report_collection(
            user=user, placement=placement, amount=Decimal("300.00"), paid_on=TODAY, reference="R1", business_date=TODAY
        )
        second = agencies.report_collection(
            user=user, placement=placement, amount=Decimal("123.45"), paid_on=TODAY, reference="R2", business_date=TODAY
        )
        with pytest.raises(NotPermitted):
            agencies.confirm_collection(user=user, collection=first, business_date=TODAY)
        before = Account.objects.get(pk=account.pk).balance_fen
        agencies.confirm_collection(user=lead, collection=first, business_date=TODAY)
        agencies.confirm_collection(user=lead, collection=second, business_date=TODAY)
        assert Account.objects.get(pk=account.pk).balance_fen == before - 42_345
        assert sorted(Payment.objects.filter(account=account).values_list("source", "amount_fen")) == [
            ("agency:alpha", 12_345),
            ("agency:alpha", 30_000),
        ]

        # A dispute: the cycle's step recalls the placement the next day; the agency sees nothing.
        hold = set_hold(user=lead, customer=debtor.customer, kind="dispute", reason="客户对账单有异议", starts_on=TODAY)
        tomorrow = TODAY + dt.timedelta(days=1)
        assert agencies.recall_placements(tomorrow, account.pk, account.pk + 1) == 1
        assert agencies.recall_placements(tomorrow, account.pk, account.pk + 1) == 0  # idempotent
        placement.refresh_from_db()
        assert (placement.recalled_on, placement.recall_reason) == (tomorrow, RecallReason.HOLD)
        with pytest.raises(NotFound):
            agencies.placement_of(user, account.pk, on=tomorrow)
        assert AuditEntry.objects.filter(action="agency.recall", object_id=str(account.pk)).count() == 1
        assert Case.objects.get(pk=debtor.case.pk).status == CaseStatus.OPEN  # back with the bank
        assert list(
            CaseStatusChange.objects.filter(case=debtor.case, change_date__gte=TODAY).values_list(
                "change_date", "from_status", "to_status"
            )
        ) == [(TODAY, "open", "with_agency"), (tomorrow, "with_agency", "open")]

        # Commission: M1 at placement, tier 10 %: 423.45 x 0.10 = 42.345 -> 42.35 (half-up).
        statement = remittance(alpha, "2026-05")
        assert [(line.recovered_fen, line.rate, line.commission_fen) for line in statement.lines] == [
            (42_345, Decimal("0.1000"), 4_235)
        ]
        assert statement.net_fen == 42_345 - 4_235
        assert remittance(alpha, "2026-06").lines == ()
        [a_figures, _] = performance(on=tomorrow)
        assert (a_figures.placements, a_figures.live, a_figures.collected_fen, a_figures.contacts) == (1, 0, 42_345, 3)
        assert a_figures.liquidation_rate == (Decimal(42_345) / Decimal(placement.balance_fen)).quantize(
            Decimal("0.0001")
        )

        # The hold lifted, the account is placed again by the hash: never with alpha, its last agency.
        lift_hold(user=lead, hold=hold, reason="异议已答复")
        placed = agencies.place_many([account.pk], business_date=tomorrow, by="strategy", arm="challenger")
        assert [(p.account_id, p.agency) for p in placed] == [(account.pk, "beta")]
        assert Placement.objects.get(account=account, recalled_on__isnull=True).arm == "challenger"

    def test_no_placement_without_an_entrustment_in_force(self) -> None:
        [debtor] = past_due(dpd=10)
        lead = staff(Role.ADMINISTRATOR)
        unentrusted = agency("gamma", entrusted=False)
        with pytest.raises(Conflict) as refused:
            agencies.place_by_hand(user=lead, account=debtor.account, agency=unentrusted, business_date=TODAY)
        assert refused.value.code == "agency_not_in_force"
        assert agencies.place_many([debtor.account.pk], business_date=TODAY, by="strategy") == []
        # An entrustment that lapses recalls the placements in force.
        lapsing = agencies.create_agency(actor="admin", code="delta", name="delta")
        agencies.add_entrustment(
            actor="admin",
            agency=lapsing,
            purpose="催收",
            data_types=["name"],
            starts_on=dt.date(2026, 1, 1),
            ends_on=TODAY,
            deletion_duty="删除",
        )
        assert len(agencies.place_many([debtor.account.pk], business_date=TODAY, by="strategy")) == 1
        nxt = TODAY + dt.timedelta(days=1)
        assert agencies.recall_placements(nxt, debtor.account.pk, debtor.account.pk + 1) == 1
        assert Placement.objects.get(account=debtor.account).recall_reason == RecallReason.ENTRUSTMENT

    def test_recall_at_expiry_on_closed_and_on_cured_accounts(self) -> None:
        debtors = past_due(dpd=10, count=3)
        agency("alpha")
        ids = [d.account.pk for d in debtors]
        assert len(agencies.place_many(ids, business_date=TODAY, by="strategy", days=5)) == 3
        Account.objects.filter(pk=ids[1]).update(status=AccountStatus.CLOSED)
        Account.objects.filter(pk=ids[2]).update(dpd=0)  # as the ageing step leaves a cured account
        assert agencies.recall_placements(TODAY + dt.timedelta(days=4), min(ids), max(ids) + 1) == 2
        assert agencies.recall_placements(TODAY + dt.timedelta(days=5), min(ids), max(ids) + 1) == 1
        reasons = dict(Placement.objects.values_list("account_id", "recall_reason"))
        assert reasons == {ids[0]: RecallReason.EXPIRED, ids[1]: RecallReason.CLOSED, ids[2]: RecallReason.CURED}
        assert Collection.objects.count() == 0

    def test_a_charged_off_account_recovers_through_the_agency(self) -> None:
        debtor = charged_off(amount="1000.00")
        account = Account.objects.get(pk=debtor.account.pk)
        day = account.charged_off_on
        assert day is not None
        alpha = agency("alpha", tiers={1: "0.10", 6: "0.25"})
        admin, user = staff(Role.ADMINISTRATOR), agency_user(alpha)
        placement = agencies.place_by_hand(user=admin, account=account, agency=alpha, business_date=day)
        assert placement.balance_fen == account.charged_off_fen > 0  # what is still owed
        reported = agencies.report_collection(
            user=user, placement=placement, amount=Decimal("200.00"), paid_on=day, reference="C1", business_date=day
        )
        agencies.confirm_collection(user=admin, collection=reported, business_date=day)
        assert Account.objects.get(pk=account.pk).recovered_fen == 20_000
        agencies.recall(user=admin, placement=placement, business_date=day)
        assert Case.objects.get(customer=debtor.customer).status == CaseStatus.CHARGED_OFF
        [line] = remittance(alpha, day.strftime("%Y-%m")).lines
        assert (line.bucket, line.rate, line.commission_fen) == (placement.bucket, Decimal("0.2500"), 5_000)


def _bank_dial() -> ContactIn:
    return ContactIn(channel="phone", party="none", result="no_answer", address="13800001111")


class TestRules:
    @given(st.integers(min_value=1, max_value=10**12))
    def test_choice_is_stable_and_never_the_excluded_agency(self, account_id: int) -> None:
        pool = [("alpha", 3), ("beta", 1), ("gamma", 1)]
        first = rules.choose_agency(account_id, pool)
        assert first == rules.choose_agency(account_id, list(reversed(pool)))
        again = rules.choose_agency(account_id, pool, exclude=frozenset({first or ""}))
        assert again is not None and again != first

    @given(
        st.integers(min_value=0, max_value=10**13),
        st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False),
    )
    def test_commission_is_the_exact_product_rounded_half_up(self, recovered: int, rate: Decimal) -> None:
        fen = rules.commission_fen(recovered, rate)
        exact = Decimal(recovered) * rate
        assert 0 <= fen <= recovered
        assert -Decimal("0.5") < fen - exact <= Decimal("0.5")

    def test_weights_split_the_portfolio(self) -> None:
        pool = [("alpha", 3), ("beta", 1)]
        chosen = [rules.choose_agency(i, pool) for i in range(1, 4001)]
        assert 0.72 < chosen.count("alpha") / 4000 < 0.78

    def test_highest_tier_and_half_up(self) -> None:
        tiers = [(1, Decimal("0.10")), (3, Decimal("0.20")), (6, Decimal("0.30"))]
        assert rules.tier_rate(tiers, 0) == 0
        assert rules.tier_rate(tiers, 4) == Decimal("0.20")
        assert rules.tier_rate(tiers, 7) == Decimal("0.30")
        assert rules.commission_fen(42_345, Decimal("0.10")) == 4_235
        assert rules.commission_fen(42_344, Decimal("0.10")) == 4_234
        assert rules.month_bounds("2026-12") == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))
        with pytest.raises(ValueError):
            rules.month_bounds("2026-13")
