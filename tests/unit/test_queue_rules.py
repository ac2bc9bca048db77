"""The pure rules of queues: which queue a case goes to by treatment, and the order a queue serves."""

from __future__ import annotations

import pytest

from arrears.cases.rules import QueueRule, match_queue, serving_key

M1 = {"bucket": 1, "charged_off": False, "priority": 1 * 10**9 + 900_000, "balance_fen": 9_000_000}
M6 = {"bucket": 6, "charged_off": False, "priority": 6 * 10**9 + 10_000, "balance_fen": 100_000}
OFF = {"bucket": 7, "charged_off": True, "priority": 7 * 10**9 + 50_000, "balance_fen": 500_000}


def served(order: str, *cases: dict[str, object]) -> list[int]:
    keys = [serving_key(order=order, **c) for c in cases]
    return sorted(range(len(cases)), key=lambda i: keys[i])


class TestServingKey:
    def test_early_first_serves_what_may_still_cure_before_what_is_written_off(self) -> None:
        assert served("early_first", OFF, M6, M1) == [2, 1, 0]

    def test_late_first_reverses_the_stages(self) -> None:
        assert served("late_first", M1, M6, OFF) == [2, 1, 0]

    def test_priority_is_the_cycles_score_alone(self) -> None:
        # The written-off case has the highest score (bucket 7); charged-off status does not matter.
        assert served("priority", M1, OFF, M6) == [1, 2, 0]

    def test_balance_serves_the_largest_balance_first(self) -> None:
        assert served("balance", M6, OFF, M1) == [2, 1, 0]

    def test_inside_one_stage_the_priority_decides(self) -> None:
        small, large = dict(M1, priority=10**9 + 1), dict(M1, priority=10**9 + 2)
        assert served("early_first", small, large) == [1, 0]

    def test_an_unknown_order_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown serving order"):
            serving_key(order="random", bucket=1, charged_off=False, priority=0, balance_fen=0)


def rule(id: int, *, treatment: str = "collections", lo: int = 0, hi: int = 7) -> QueueRule:
    return QueueRule(
        id=id,
        team_id=id,
        min_bucket=lo,
        max_bucket=hi,
        min_balance_fen=0,
        max_balance_fen=None,
        product_id=None,
        language="",
        region="",
        treatment=treatment,
    )


class TestRoutingByTreatment:
    CASE = {"balance_fen": 100_000, "product_id": None, "language": "zh-hans", "region": ""}

    def test_a_charged_off_case_goes_to_a_recovery_queue_even_if_a_collections_queue_ranks_first(self) -> None:
        queues = [rule(1, lo=1), rule(2, treatment="recovery")]
        assert match_queue(queues, bucket=7, charged_off=True, **self.CASE).id == 2

    def test_a_case_that_may_still_cure_never_goes_to_recovery(self) -> None:
        queues = [rule(2, treatment="recovery"), rule(1, lo=1)]
        assert match_queue(queues, bucket=1, **self.CASE).id == 1
        assert match_queue([rule(2, treatment="recovery")], bucket=1, **self.CASE) is None

    def test_without_a_recovery_queue_a_charged_off_case_stays_with_collections(self) -> None:
        assert match_queue([rule(1, lo=1)], bucket=7, charged_off=True, **self.CASE).id == 1
