"""The pure rules of concessions: the authority matrix, the ladder, validation, customer summaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.concessions import rules
from arrears.concessions.rules import Limit, SummaryFacts, authority, summarise
from arrears.errors import ValidationFailed

D = dt.date(2026, 5, 6)


def limit(
    id: int,
    *,
    role: str = "collector",
    product: int | None = None,
    kind: str = "late_fee_waiver",
    buckets: tuple[int, int] = (0, 7),
    **caps: object,
) -> Limit:
    return Limit(id=id, role=role, product_id=product, min_bucket=buckets[0], max_bucket=buckets[1], kind=kind, **caps)  # type: ignore[arg-type]


class TestAuthority:
    def test_the_first_row_that_allows_it_is_the_rule(self) -> None:
        rows = [limit(1, max_amount_fen=200), limit(2, max_amount_fen=1000, buckets=(1, 2))]
        got = authority(
            rows, role="collector", product_id=9, bucket=1, kind="late_fee_waiver", amount_fen=500, base_fen=500, days=0
        )
        assert got is not None and got.id == 2

    def test_above_every_row_is_none(self) -> None:
        assert (
            authority(
                [limit(1, max_amount_fen=200)],
                role="collector",
                product_id=9,
                bucket=1,
                kind="late_fee_waiver",
                amount_fen=201,
                base_fen=500,
                days=0,
            )
            is None
        )

    def test_rows_of_the_product_override_rows_for_any_product(self) -> None:
        rows = [limit(1, max_amount_fen=10_000), limit(2, product=9, max_amount_fen=100)]
        assert (
            authority(
                rows,
                role="collector",
                product_id=9,
                bucket=1,
                kind="late_fee_waiver",
                amount_fen=500,
                base_fen=500,
                days=0,
            )
            is None
        )
        assert (
            authority(
                rows,
                role="collector",
                product_id=8,
                bucket=1,
                kind="late_fee_waiver",
                amount_fen=500,
                base_fen=500,
                days=0,
            ).id
            == 1
        )  # type: ignore[union-attr]

    def test_a_share_of_the_balance_and_days_of_extension(self) -> None:
        share = [limit(1, kind="settlement", max_share=Decimal("0.40"))]
        assert (
            authority(
                share,
                role="collector",
                product_id=1,
                bucket=3,
                kind="settlement",
                amount_fen=40_000,
                base_fen=100_000,
                days=0,
            )
            is not None
        )
        assert (
            authority(
                share,
                role="collector",
                product_id=1,
                bucket=3,
                kind="settlement",
                amount_fen=40_001,
                base_fen=100_000,
                days=0,
            )
            is None
        )
        days = [limit(1, kind="extension", max_days=15)]
        assert (
            authority(
                days, role="collector", product_id=1, bucket=1, kind="extension", amount_fen=0, base_fen=0, days=15
            )
            is not None
        )
        assert (
            authority(
                days, role="collector", product_id=1, bucket=1, kind="extension", amount_fen=0, base_fen=0, days=16
            )
            is None
        )

    def test_outside_the_bucket_range_or_for_another_role_nothing_applies(self) -> None:
        rows = [limit(1, buckets=(1, 2))]
        assert (
            authority(
                rows, role="collector", product_id=1, bucket=3, kind="late_fee_waiver", amount_fen=1, base_fen=1, days=0
            )
            is None
        )
        assert (
            authority(
                rows, role="team_lead", product_id=1, bucket=1, kind="late_fee_waiver", amount_fen=1, base_fen=1, days=0
            )
            is None
        )


class TestLadder:
    def test_collector_to_lead_to_administrator(self) -> None:
        assert rules.LADDER["collector"] == "team_lead"
        assert rules.LADDER["team_lead"] == "administrator"
        assert rules.LADDER["administrator"] is None

    def test_only_leads_and_up_decide_and_only_at_their_level(self) -> None:
        assert rules.may_decide({"team_lead"}, "team_lead")
        assert not rules.may_decide({"team_lead"}, "administrator")
        assert not rules.may_decide({"collector"}, "team_lead")
        assert rules.may_decide(set(), "administrator", superuser=True)


class TestValidation:
    def test_a_waiver_larger_than_the_fee_names_the_amount(self) -> None:
        with pytest.raises(ValidationFailed) as error:
            rules.check_waiver(kind="late_fee_waiver", amount_fen=501, component_fen=2000, waivable_fen=500)
        assert error.value.field == "amount" and "5.00" in error.value.message

    @pytest.mark.parametrize("days", [0, -1, 91])
    def test_extension_days(self, days: int) -> None:
        with pytest.raises(ValidationFailed) as error:
            rules.check_extension(days=days)
        assert error.value.field == "days"

    def test_settlement_payments_must_sum_to_the_sum(self) -> None:
        with pytest.raises(ValidationFailed, match=r"sum to 500\.00"):
            rules.check_settlement(amount_fen=60_000, balance_fen=100_000, payments=[(D, 50_000)], business_date=D)

    def test_the_outcome_of_a_settlement(self) -> None:
        last = dt.date(2026, 5, 20)
        assert rules.settlement_outcome(amount_fen=100, paid_fen=100, last_date=last, business_date=D) == "settled"
        assert rules.settlement_outcome(amount_fen=100, paid_fen=99, last_date=last, business_date=last) is None
        assert (
            rules.settlement_outcome(
                amount_fen=100, paid_fen=99, last_date=last, business_date=last + dt.timedelta(days=1)
            )
            == "lapsed"
        )


class TestSummaries:
    def test_a_settlement_in_both_languages_says_what_is_owed_what_changes_and_if_missed(self) -> None:
        facts = SummaryFacts(
            kind="settlement",
            account_tail="0012",
            balance_before_fen=103_300,
            amount_fen=61_980,
            payments=((dt.date(2026, 5, 10), 5_000), (dt.date(2026, 5, 20), 56_980)),
        )
        en, zh = summarise(facts, "en"), summarise(facts, "zh-hans")
        assert "CNY 619.80" in en and "CNY 1,033.00" in en and "CNY 413.20" in en and "lapses" in en
        assert "619.80 元" in zh and "413.20 元" in zh and "失效" in zh and "2026-05-20" in zh

    def test_an_extension(self) -> None:
        facts = SummaryFacts(
            kind="extension",
            account_tail="0012",
            balance_before_fen=103_300,
            days=20,
            past_due_fen=23_300,
            due_dates=((dt.date(2026, 4, 23), dt.date(2026, 5, 13)),),
        )
        assert "now due on 2026-05-13" in summarise(facts, "en")
        assert "改为 2026-05-13 前还款" in summarise(facts, "zh-hans")
