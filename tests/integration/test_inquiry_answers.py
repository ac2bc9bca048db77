"""The inquiry desk's answers (arrears.inquiries.explain), worked by hand, in both languages.

Defaults of the product: daily rate 0.05 % (CN-RATE: 0.05 % x 365 = 18.25 % a year), statement day 5,
due 18 days after the statement, minimum 10 % of principal + this cycle's interest and fees + the
past-due minimum, late fee 5 % of the unpaid minimum, waterfall fees -> interest -> principal.
Day counts include both ends written (04-05..05-04 is 30 days).
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.errors import ValidationFailed
from arrears.inquiries import explain
from arrears.ledger.models import Entry
from arrears.payments.models import Payment
from arrears.statements.models import Statement
from tests.builders import past_due, pay, revolving_account
from tests.factories import make_product

pytestmark = pytest.mark.django_db

BUSINESS_DATE = dt.date(2026, 5, 6)


@pytest.fixture
def revolving() -> explain.Account:
    """Bought 1,000.00 on 03-10, paid 100.00 on 04-20; the cycle ran through 05-06."""
    return revolving_account(through=BUSINESS_DATE).account


def statement(account: explain.Account, on: str) -> Statement:
    return Statement.objects.get(account=account, statement_date=dt.date.fromisoformat(on))


class TestRevolvingAccount:
    def test_interest_line_shows_each_term_with_daily_and_annual_rate(self, revolving: explain.Account) -> None:
        """The 04-05 statement (1,000.00) was not paid in full by 04-23, so the 05-05 statement charges
        interest under the full-amount rule:
          the balance on 04-05:          1,000.00 x 30 days (04-05..05-04) x 0.05 % = 15.00
          the payment of 04-20:           -100.00 x 15 days (04-20..05-04) x 0.05 % = -0.75
          the 03-10 purchase, grace lost: 1,000.00 x 26 days (03-10..04-04) x 0.05 % = 13.00
          total 27.25, posted on 05-04."""
        entry = Entry.objects.get(account=revolving, kind="interest")
        en = explain.entry_answer(entry, language="en")
        assert en.figures["amount"] == "27.25" and en.figures["rule"] == "full_amount"
        assert [(t["base"], t["days"], t["interest"]) for t in en.figures["terms"]] == [
            ("1000.00", 30, "15.00"),
            ("-100.00", 15, "-0.75"),
            ("1000.00", 26, "13.00"),
        ]
        assert {(t["daily_rate"], t["annual_rate"]) for t in en.figures["terms"]} == {("0.0005", "0.1825")}
        assert "Interest of CNY 27.25 for 5 Apr 2026 to 4 May 2026" in en.text
        assert "balance on 5 Apr 2026: CNY 1,000.00 × 30 days (5 Apr 2026 to 4 May 2026)" in en.text
        assert "× 0.05% a day (18.25% a year) = CNY 15.00." in en.text
        assert "purchase 10 Mar 2026 (interest-free period lost): CNY 1,000.00 × 26 days" in en.text
        zh = explain.entry_answer(entry, language="zh-hans")
        assert zh.figures == en.figures
        assert "2026年4月5日至2026年5月4日的利息27.25元" in zh.text
        assert "日利率0.05%（年化利率18.25%）= 15.00元" in zh.text
        assert "2026年4月20日还款：-100.00元 × 15天" in zh.text

    def test_grace_lost_names_the_balance_the_payment_and_the_shortfall(self, revolving: explain.Account) -> None:
        """04-05 statement: 1,000.00 due 04-23; 100.00 paid by then; 900.00 short."""
        en = explain.grace_answer(statement(revolving, "2026-04-05"), language="en")
        assert en.figures == {
            "statement_date": "2026-04-05",
            "due_date": "2026-04-23",
            "new_balance": "1000.00",
            "paid_by_due": "100.00",
            "shortfall": "900.00",
            "grace": "lost",
        }
        assert "The interest-free period was lost" in en.text and "CNY 900.00 short" in en.text
        zh = explain.grace_answer(statement(revolving, "2026-04-05"), language="zh-hans")
        assert "免息期已失去" in zh.text and "仅还款100.00元，差额900.00元" in zh.text
        # The 05-05 statement's due date (05-23) has not passed: nothing paid since, 927.25 to go.
        later = explain.grace_answer(statement(revolving, "2026-05-05"), language="en")
        assert later.figures["grace"] == "open" and later.figures["shortfall"] == "927.25"
        assert "has not passed yet" in later.text

    def test_minimum_is_rate_of_principal_plus_the_cycles_interest(self, revolving: explain.Account) -> None:
        """05-05: principal 900.00 (1,000.00 - 100.00), interest 27.25: minimum 10 % x 900.00 + 27.25 = 117.25;
        due 05-23, not passed: a late fee of 5 % of what is unpaid then."""
        en = explain.minimum_answer(statement(revolving, "2026-05-05"), language="en")
        assert en.figures["minimum_payment"] == "117.25"
        assert en.figures["minimum"]["principal_share"] == "90.00"
        assert en.figures["minimum"]["interest_and_fees"] == "27.25"
        assert "10% of the principal CNY 900.00, CNY 90.00, this cycle's interest and fees, CNY 27.25" in en.text
        assert "a late fee of 5% of the unpaid part is charged" in en.text
        zh = explain.minimum_answer(statement(revolving, "2026-05-05"), language="zh-hans")
        assert "最低还款额117.25元由以下部分组成：本金900.00元的10%，即90.00元，本期利息和费用27.25元" in zh.text
        # 04-05: 10 % x 1,000.00 = 100.00, paid on 04-20: no late fee.
        first = explain.minimum_answer(statement(revolving, "2026-04-05"), language="en")
        assert first.figures["minimum_payment"] == "100.00" and first.figures["late_fee"] is None
        assert "no late fee" in first.text

    def test_statement_lists_each_line_with_its_explanation(self, revolving: explain.Account) -> None:
        answer = explain.statement_answer(statement(revolving, "2026-05-05"), language="en")
        assert answer.figures["new_balance"] == "927.25" and answer.figures["payments"] == "100.00"
        assert [line.topic for line in answer.lines] == ["payment", "entry"]
        assert answer.lines[0].figures["allocation"] == [{"component": "principal", "amount": "100.00"}]
        assert answer.lines[1].figures["amount"] == "27.25"
        assert "new balance CNY 927.25, minimum payment CNY 117.25, due 23 May 2026" in answer.text
        zh = explain.statement_answer(statement(revolving, "2026-05-05"), language="zh-hans")
        assert "本期应还927.25元，最低还款额117.25元，到期还款日2026年5月23日" in zh.text

    def test_payoff_adds_the_interest_accruing_to_the_date(self, revolving: explain.Account) -> None:
        """Balance 927.25 on 05-06. Paid off by the 05-23 due date, the 05-05 statement is paid in full:
        no interest. Paid off on 06-01, after the due date: the grace stays lost and interest runs on the
        principal 900.00 from 05-05 to 05-31, 27 days x 0.05 % = 12.15; payoff 939.40."""
        early = explain.payoff_answer(revolving, on=dt.date(2026, 5, 10), language="en", business_date=BUSINESS_DATE)
        assert (early.figures["balance"], early.figures["interest"], early.figures["payoff"]) == (
            "927.25",
            "0.00",
            "927.25",
        )
        assert "no interest accrues by then" in early.text
        late = explain.payoff_answer(revolving, on=dt.date(2026, 6, 1), language="en", business_date=BUSINESS_DATE)
        assert (late.figures["interest"], late.figures["payoff"]) == ("12.15", "939.40")
        assert [(t["base"], t["days"], t["interest"]) for t in late.figures["terms"]] == [("900.00", 27, "12.15")]
        assert "To pay the account off on 1 Jun 2026, pay CNY 939.40." in late.text
        zh = explain.payoff_answer(revolving, on=dt.date(2026, 6, 1), language="zh-hans", business_date=BUSINESS_DATE)
        assert "如在2026年6月1日全部还清，需还款939.40元。" in zh.text
        assert "2026年5月5日至2026年5月31日尚未入账的利息12.15元" in zh.text

    def test_payoff_refuses_a_date_before_the_business_date_or_after_the_next_statement(
        self, revolving: explain.Account
    ) -> None:
        with pytest.raises(ValidationFailed) as before:
            explain.payoff_answer(revolving, on=dt.date(2026, 5, 5), language="en", business_date=BUSINESS_DATE)
        assert (before.value.field, before.value.code) == ("on", "before_business_date")
        with pytest.raises(ValidationFailed) as after:
            explain.payoff_answer(revolving, on=dt.date(2026, 6, 6), language="en", business_date=BUSINESS_DATE)
        assert (after.value.field, after.value.code) == ("on", "out_of_range")
        assert after.value.params == {"low": BUSINESS_DATE, "high": dt.date(2026, 6, 5)}
        with pytest.raises(ValidationFailed) as language:
            explain.balance_answer(revolving, on=BUSINESS_DATE, language="fr")
        assert language.value.field == "language"


class TestPastDueAccount:
    def test_late_fee_floor_payment_waterfall_and_balance(self) -> None:
        """Bought 1,000.00 on 03-10, never paid: the 04-05 minimum of 100.00 was unpaid at 04-23, so on
        04-24 the late fee is 5 % x 100.00 = 5.00, raised to the product's floor of 10.00. A payment of
        200.00 on 05-03 (DPD 10) pays fees first: 10.00 to fees, 190.00 to principal. Balance then
        810.00 principal; the 100.00 past due is paid, so nothing is past due."""
        [debtor] = past_due(dpd=10, product=make_product(late_fee_floor="10.00"))
        account = debtor.account
        fee = explain.entry_answer(Entry.objects.get(account=account, kind="late_fee"), language="en")
        assert (fee.figures["base"], fee.figures["computed"], fee.figures["amount"]) == ("100.00", "5.00", "10.00")
        assert "The fee is 5% of the unpaid part: CNY 5.00." in fee.text
        assert "The product sets a floor of CNY 10.00, which applies." in fee.text
        zh_fee = explain.entry_answer(Entry.objects.get(account=account, kind="late_fee"), language="zh-hans")
        assert "滞纳金10.00元：2026年4月23日到期的最低还款额未全额还款，未还部分为100.00元。" in zh_fee.text

        before = explain.balance_answer(account, on=dt.date(2026, 5, 3), language="en")
        assert (before.figures["principal"], before.figures["fees"], before.figures["balance"]) == (
            "1000.00",
            "10.00",
            "1010.00",
        )
        assert before.figures["past_due"] == "100.00"
        assert "Of this, CNY 100.00 is past due (10 days)" in before.text

        pay(accounts=[account], amounts=["200.00"], on=dt.date(2026, 5, 3))
        paid = explain.payment_answer(Payment.objects.get(account=account), language="en")
        assert paid.figures["allocation"] == [
            {"component": "fees", "amount": "10.00"},
            {"component": "principal", "amount": "190.00"},
        ]
        assert paid.figures["waterfall"] == ["fees", "interest", "principal"]
        assert "went to: fees CNY 10.00, principal CNY 190.00." in paid.text
        zh_paid = explain.payment_answer(Payment.objects.get(account=account), language="zh-hans")
        assert "您于2026年5月3日的还款200.00元分配如下：费用10.00元，本金190.00元。" in zh_paid.text
        assert "还款按费用 → 利息 → 本金的顺序冲抵。" in zh_paid.text
        line = Entry.objects.filter(account=account, kind="payment").first()
        assert line is not None
        assert explain.entry_answer(line, language="en").figures == paid.figures

        account.refresh_from_db()
        after = explain.balance_answer(account, on=dt.date(2026, 5, 3), language="zh-hans")
        assert after.figures["balance"] == "810.00" and after.figures["past_due"] == "0.00"
        assert "截至2026年5月3日，您的欠款合计810.00元：本金810.00元，利息0.00元，费用0.00元。" in after.text
        assert "目前没有逾期款项。" in after.text
