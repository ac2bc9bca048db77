"""Disputes worked by hand.

(a) A fee dispute upheld, with the interest of the grace lost because of that fee reversed to the fen.
    Bought 1,000.00 on 03-10; annual fee 200.00 on 03-12. Statement 04-05: principal 1,000.00, fees
    200.00, new balance 1,200.00, minimum 300.00 (10 % of 1,000.00 + 200.00), due 04-23. Paid 1,000.00
    on 04-20: the waterfall (fees, interest, principal) gives 200.00 to the fee and 800.00 to principal.
    1,000.00 < 1,200.00: grace lost on 04-24. Statement 05-05 (full_amount, daily rate 0.0005):
        balance on 04-05   1,000.00 x 30 days (04-05..05-04) x 0.0005 =  15.00
        payment 04-20       -800.00 x 15 days (04-20..05-04) x 0.0005 =  -6.00
        purchase 03-10 (grace lost) 1,000.00 x 26 days (03-10..04-04) x 0.0005 = 13.00
                                                                    = 22.00 posted 05-04
    Without the fee: the 04-05 new balance is 1,000.00, the 1,000.00 paid by 04-23 covers it, the grace
    is kept, and the 05-05 interest is 0.00. Upheld on 05-08: the fee is reversed (-200.00) and the
    22.00 of interest too; the balance 222.00 (principal 200.00 + interest 22.00) becomes 0.00.
(b) A payment not credited: bought 1,000.00 on 03-10, unpaid; on 04-26 the customer says 100.00 was
    paid on 04-20 (reference BANK-778). Upheld on 04-28: the payment is posted with value date 04-20
    (within the product's 30 days), the balance falls by 100.00, the hold is lifted.
(c) A rejected fee dispute: the letter (pdftotext) states the reasons and CN-LETTER's mandatory items.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.application.contact_gate import check_customer_contact
from arrears.application.outreach import approve_template, create_template, send_message
from arrears.audit.models import AuditEntry
from arrears.bureau.cycle import report_month
from arrears.bureau.models import BureauRecord, DisputeTask
from arrears.disputes.models import Dispute, DisputeStatus
from arrears.disputes.operations import decide, open_dispute, propose_resolution
from arrears.errors import Conflict, NotPermitted, ValidationFailed
from arrears.holds.models import AmountHold, Hold
from arrears.inquiries.models import Survey
from arrears.ledger.models import Entry, EntryKind
from arrears.ledger.queries import cache_mismatches
from arrears.payments.models import Payment
from arrears.people.models import Role
from tests.builders import advance, buy, open_card_accounts, staff
from tests.disputes_world import fee_entry, fee_left_unpaid

pytestmark = pytest.mark.django_db
OPENED = dt.date(2026, 5, 6)
DECIDED = dt.date(2026, 5, 8)
LATER = dt.date(2026, 6, 1)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing


def _pdf_text(tmp_path: Path, pdf: bytes) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


class TestFeeDisputeUpheld:
    def test_the_fee_and_the_interest_of_the_grace_it_cost_are_reversed_to_the_fen(self) -> None:
        account = fee_left_unpaid()
        interest = Entry.objects.get(account=account, kind=EntryKind.INTEREST, reference="interest:2026-05-05")
        assert interest.amount_fen == 2200
        assert account.balance_fen == 22200
        cs, lead = staff(Role.CUSTOMER_SERVICE), staff(Role.TEAM_LEAD)
        dispute = open_dispute(
            actor=cs.username,
            account=account,
            kind="fee",
            entry=fee_entry(account),
            reason="I never agreed to an annual fee",
            channel="phone",
            business_date=OPENED,
        )
        assert (dispute.amount_fen, dispute.hold_scope, dispute.due_on) == (20000, "amount", dt.date(2026, 6, 5))
        assert dispute.statement is not None and dispute.statement.statement_date == dt.date(2026, 4, 5)
        hold = AmountHold.objects.get(pk=dispute.amount_hold_id)
        assert (hold.amount_fen, hold.lifted_at) == (20000, None)

        verdict = check_customer_contact(
            customer=account.customer, channel="phone", address="13800138000", at=_at(OPENED), language="en"
        )
        assert verdict.allowed
        assert any("CNY 200.00 is under dispute" in r for r in verdict.reasons)

        report_month(dt.date(2026, 4, 1))  # April's credit report, as the cycle of 05-01 writes it
        reported = BureauRecord.objects.get(account=account, month=dt.date(2026, 4, 1)).balance_fen
        propose_resolution(
            user=cs, dispute=dispute, outcome="upheld", reasons="no signed consent to the fee", business_date=DECIDED
        )
        dispute = decide(user=lead, dispute=dispute, approve=True, business_date=DECIDED)

        assert dispute.status == DisputeStatus.UPHELD
        assert dispute.resolution["credited_fen"] == 20000
        assert dispute.resolution["interest_reversed_fen"] == 2200
        [part] = dispute.resolution["interest"]
        assert (part["interest_entry"], part["charged_fen"], part["reversed_fen"]) == (interest.pk, 2200, 2200)
        credit = Entry.objects.get(account=account, reference=f"dispute:{dispute.pk}:interest:{interest.pk}")
        assert credit.amount_fen == -2200 and credit.component == "interest"
        assert credit.explanation["recomputed"]["rule"] == "grace"  # without the fee, the grace is kept
        assert credit.explanation["charged"] == "22.00" and credit.explanation["reversed"] == "22.00"
        assert Entry.objects.get(reverses=fee_entry(account)).amount_fen == -20000
        account.refresh_from_db()
        assert account.balance_fen == 0
        assert (account.principal_fen, account.interest_fen, account.fees_fen) == (20000, 0, -20000)
        assert cache_mismatches() == []
        # The credit report is corrected: April's record no longer counts the fee.
        assert dispute.resolution["credit_report_restated"] == ["2026-04"]
        restated = BureauRecord.objects.get(account=account, month=dt.date(2026, 4, 1)).balance_fen
        assert restated == max(0, reported - 20000)
        hold.refresh_from_db()
        assert hold.lifted_at is not None
        assert AuditEntry.objects.filter(action="dispute.upheld", object_id=str(dispute.pk)).exists()
        # The hold is gone: the gate no longer carries the note.
        verdict = check_customer_contact(
            customer=account.customer, channel="phone", address="13800138000", at=_at(DECIDED), language="en"
        )
        assert not any("under dispute" in r for r in verdict.reasons)

    def test_the_maker_can_never_decide_and_a_collector_cannot_check(self) -> None:
        account = fee_left_unpaid()
        cs, lead, collector = staff(Role.CUSTOMER_SERVICE), staff(Role.TEAM_LEAD), staff(Role.COLLECTOR)
        dispute = open_dispute(
            actor=cs.username, account=account, kind="fee", entry=fee_entry(account), reason="r", channel="email",
            business_date=OPENED,
        )  # fmt: skip
        propose_resolution(user=lead, dispute=dispute, outcome="upheld", reasons="ok", business_date=OPENED)
        with pytest.raises(NotPermitted):
            decide(user=lead, dispute=dispute, approve=True, business_date=OPENED)
        with pytest.raises(NotPermitted):
            decide(user=collector, dispute=dispute, approve=True, business_date=OPENED)
        with pytest.raises(NotPermitted):
            propose_resolution(user=collector, dispute=dispute, outcome="upheld", reasons="x", business_date=OPENED)
        dispute.refresh_from_db()
        assert dispute.status == DisputeStatus.PROPOSED
        assert not Entry.objects.filter(account=account, kind__in=("reversal", "adjustment")).exists()
        # Refused by the checker: open again, nothing posted.
        other_lead = staff(Role.COMPLIANCE_OFFICER)
        dispute = decide(user=other_lead, dispute=dispute, approve=False, business_date=OPENED)
        assert dispute.status == DisputeStatus.OPEN
        assert not Entry.objects.filter(account=account, kind__in=("reversal", "adjustment")).exists()
        with pytest.raises(Conflict):
            decide(user=other_lead, dispute=dispute, approve=True, business_date=OPENED)

    def test_bad_input_changes_nothing(self) -> None:
        account = fee_left_unpaid()
        purchase = Entry.objects.get(account=account, kind=EntryKind.PURCHASE)
        cases = [
            ({"kind": "fee", "entry": purchase}, "entry"),
            ({"kind": "fee", "entry": None}, "entry"),
            ({"kind": "fee", "entry": fee_entry(account), "amount": Decimal("200.01")}, "amount"),
            ({"kind": "fee", "entry": fee_entry(account), "amount": Decimal("0")}, "amount"),
            ({"kind": "nonsense"}, "kind"),
            ({"kind": "fee", "entry": fee_entry(account), "channel": "fax"}, "channel"),
            ({"kind": "fee", "entry": fee_entry(account), "reason": "  "}, "reason"),
            ({"kind": "payment_not_credited", "amount": Decimal("10")}, "payment_date"),
            ({"kind": "payment_not_credited", "amount": Decimal("10"), "payment_date": LATER}, "payment_date"),
        ]  # fmt: skip
        for kwargs, field in cases:
            args = {"reason": "r", "channel": "phone", **kwargs}
            with pytest.raises(ValidationFailed) as caught:
                open_dispute(actor="cs", account=account, business_date=OPENED, **args)
            assert caught.value.field == field, kwargs
        assert not Dispute.objects.exists() and not AmountHold.objects.exists() and not Hold.objects.exists()


class TestPaymentNotCredited:
    def test_resolved_by_posting_the_payment_with_its_own_value_date(self) -> None:
        [account] = open_card_accounts(names=["赵六"], contact={"mobile": "13900139000"})
        buy(accounts=[account], amounts=["1000.00"])
        advance(through=dt.date(2026, 4, 26))
        account.refresh_from_db()
        before = account.balance_fen
        cs, lead = staff(Role.CUSTOMER_SERVICE), staff(Role.TEAM_LEAD)
        dispute = open_dispute(
            actor=cs.username,
            account=account,
            kind="payment_not_credited",
            amount=Decimal("100.00"),
            payment_date=dt.date(2026, 4, 20),
            payment_reference="BANK-778",
            reason="paid at the branch counter",
            channel="letter",
            business_date=dt.date(2026, 4, 26),
        )
        assert dispute.hold_scope == "amount" and dispute.amount_hold is not None
        propose_resolution(
            user=cs, dispute=dispute, outcome="upheld", reasons="receipt checked", business_date=dt.date(2026, 4, 28)
        )
        dispute = decide(user=lead, dispute=dispute, approve=True, business_date=dt.date(2026, 4, 28))
        payment = Payment.objects.get(reference="BANK-778")
        assert (payment.amount_fen, payment.value_date, payment.posting_date) == (
            10000,
            dt.date(2026, 4, 20),
            dt.date(2026, 4, 28),
        )
        assert payment.source == "dispute"
        account.refresh_from_db()
        assert account.balance_fen == before - 10000
        assert dispute.resolution["value_date"] == "2026-04-20"
        assert AmountHold.objects.get(pk=dispute.amount_hold_id).lifted_at is not None
        assert cache_mismatches() == []


class TestRejected:
    def test_the_letter_states_the_reasons_and_the_mandatory_items(self, tmp_path: Path) -> None:
        account = fee_left_unpaid()
        cs, lead = staff(Role.CUSTOMER_SERVICE), staff(Role.TEAM_LEAD)
        dispute = open_dispute(
            actor=cs.username, account=account, kind="fee", entry=fee_entry(account), reason="too high",
            channel="phone", business_date=OPENED,
        )  # fmt: skip
        propose_resolution(
            user=cs,
            dispute=dispute,
            outcome="rejected",
            reasons="年费已在领用合约中约定并经您签字确认",
            business_date=DECIDED,
        )
        dispute = decide(user=lead, dispute=dispute, approve=True, business_date=DECIDED)
        assert dispute.status == DisputeStatus.REJECTED
        assert not Entry.objects.filter(account=account, kind__in=("reversal", "adjustment")).exists()
        text = _pdf_text(tmp_path, bytes(dispute.letter))
        flat = "".join(text.split())
        for item in (
            "异议处理结果通知书",
            "王芳",  # name
            "人民币222.00元",  # balance
            "年费已在领用合约中约定并经您签字确认",  # the reasons
            "第六十九条",  # legal basis
            "持卡人的权利与义务",
            "查询、还款及异议方式",
            "发卡机构联系方式",
            "业务专用章",
        ):
            assert item in flat, item
        assert AmountHold.objects.get(pk=dispute.amount_hold_id).lifted_at is not None
        assert AuditEntry.objects.filter(action="dispute.letter_sent").exists()

    def test_a_dispute_from_the_portal_asks_the_satisfaction_question_there_once_decided(self) -> None:
        account = fee_left_unpaid()
        cs, lead = staff(Role.CUSTOMER_SERVICE), staff(Role.TEAM_LEAD)
        dispute = open_dispute(
            actor=f"cardholder:{account.customer_id}", account=account, kind="fee", entry=fee_entry(account),
            reason="too high", channel="portal", business_date=OPENED,
        )  # fmt: skip
        propose_resolution(user=cs, dispute=dispute, outcome="rejected", reasons="约定费用", business_date=DECIDED)
        assert not Survey.objects.exists()
        decide(user=lead, dispute=dispute, approve=True, business_date=DECIDED)
        survey = Survey.objects.get()
        assert (survey.subject_type, survey.subject_id, survey.channel) == ("dispute", dispute.pk, "portal")
        assert survey.customer_id == account.customer_id and survey.score is None


class TestAccountWideAndCreditData:
    def test_a_debt_dispute_holds_the_account_and_the_gate_refuses_contact(self) -> None:
        account = fee_left_unpaid()
        dispute = open_dispute(
            actor=f"cardholder:{account.customer_id}", account=account, kind="debt", reason="not my debt",
            channel="portal", business_date=OPENED,
        )  # fmt: skip
        assert dispute.hold_scope == "account" and dispute.hold is not None
        assert dispute.due_on == OPENED + dt.timedelta(days=30)
        verdict = check_customer_contact(
            customer=account.customer, channel="phone", address="13800138000", at=_at(OPENED), language="en"
        )
        assert not verdict.allowed and "CN-HOLD-DISPUTE" in verdict.rules

    def test_a_credit_data_dispute_opens_the_bureau_task_due_in_20_days_and_resolves_it(self) -> None:
        account = fee_left_unpaid()
        cs, lead = staff(Role.CUSTOMER_SERVICE), staff(Role.TEAM_LEAD)
        dispute = open_dispute(
            actor=cs.username, account=account, kind="credit_data", reason="wrong overdue mark", channel="letter",
            business_date=OPENED,
        )  # fmt: skip
        task = DisputeTask.objects.get(pk=dispute.credit_task_id)
        assert dispute.due_on == task.due_on == OPENED + dt.timedelta(days=20)
        propose_resolution(
            user=cs, dispute=dispute, outcome="rejected", reasons="the data is right", business_date=DECIDED
        )
        decide(user=lead, dispute=dispute, approve=True, business_date=DECIDED)
        task.refresh_from_db()
        assert task.resolved_on == DECIDED and task.answer == "the data is right"


class TestDeadlines:
    def test_the_cycle_step_marks_the_open_disputes_past_their_date(self) -> None:
        from arrears.disputes.cycle import dispute_deadlines

        account = fee_left_unpaid()
        dispute = open_dispute(
            actor="cs", account=account, kind="fee", entry=fee_entry(account), reason="r", channel="phone",
            business_date=OPENED,
        )  # fmt: skip
        assert dispute_deadlines(dispute.due_on) == 0
        assert dispute_deadlines(dispute.due_on + dt.timedelta(days=1)) == 1
        dispute.refresh_from_db()
        assert dispute.sla_breached


class TestAnnotatedOnLetters:
    def test_a_collection_letter_annotates_the_disputed_amount(self, tmp_path: Path) -> None:
        today = dt.date(2026, 5, 3)  # the tests' clock
        account = fee_left_unpaid(through=dt.date(2026, 5, 2), contact={"mobile": "13800138000", "address": "北京市"})
        officer, checker = staff(Role.COMPLIANCE_OFFICER), staff(Role.COMPLIANCE_OFFICER)
        template = create_template(
            user=officer, code="letter", channel="letter", language="zh-hans", body="{{ name }}：请按期还款。"
        )
        approve_template(user=checker, template=template, business_date=today)
        open_dispute(
            actor="cs", account=account, kind="fee", entry=fee_entry(account), reason="r", channel="phone",
            business_date=today,
        )  # fmt: skip
        message = send_message(
            actor="test", customer=account.customer, channel="letter", template_code="letter", business_date=today
        )
        flat = "".join(_pdf_text(tmp_path, bytes(message.document)).split())
        assert "其中人民币200.00元存在异议，异议处理完毕前不予催收" in flat
