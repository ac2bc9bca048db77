"""strategy/rules.py: parsing with errors that name their path, segment matching, exits, the path
day's step, and the champion/challenger split."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.errors import ValidationFailed
from arrears.strategy import rules

DEFAULT = (Path(rules.__file__).with_name("default.yaml")).read_text(encoding="utf-8")
BASE = """
arms: [{code: champion, percent: 90}, {code: challenger, percent: 10}]
segments:
  - code: small
    when: {dpd: {min: 31}, balance: {max: "500.00"}}
    path: [{day: 0, action: agency_placement}]
  - code: early
    when: {dpd: {min: 1, max: 30}, product: [gold]}
    exits: [paid, cured]
    path:
      - {day: 0, action: sms, template: t1}
      - {day: 7, action: letter, template: t2}
    arm_paths:
      challenger: [{day: 0, action: call_queue}]
"""


def facts(**kw: object) -> rules.Facts:
    base: dict[str, object] = {"account_id": 1, "bucket": 1, "dpd": 10, "balance_fen": 100_000, "product": "gold"}
    return rules.Facts(**{**base, **kw})  # type: ignore[arg-type]


def error_of(text: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        rules.parse(text)
    return caught.value


class TestParsing:
    def test_the_default_strategy_parses(self) -> None:
        definition = rules.parse(DEFAULT)
        assert [s.code for s in definition.segments] == ["complaint", "small_balance", "collections", "recovery"]
        small = definition.segment("small_balance")
        assert small is not None and small.when.ranges["balance"] == rules.Range(None, 50_000)
        assert small.when.ranges["dpd"] == rules.Range(31, None)

    @pytest.mark.parametrize(
        ("change", "path"),
        [
            (("action: letter", "action: fax"), "segments[1].path[1].action"),
            (("day: 7", "day: 0"), "segments[1].path[1].day"),
            (("day: 7", "day: -1"), "segments[1].path[1].day"),
            (("template: t2", "template: ''"), "segments[1].path[1].template"),
            (('"500.00"', '"5.001"'), "segments[0].when.balance.max"),
            (("percent: 10", "percent: 20"), "arms"),
            (("exits: [paid, cured]", "exits: [paid, bored]"), "segments[1].exits[1]"),
            (("product: [gold]", "score: {min: 1001}"), "segments[1].when.score.min"),
            (("product: [gold]", "score_band: [purple]"), "segments[1].when.score_band[0]"),
            (("percent: 10}", "percent: 10, model: 'x@y'}"), "arms[1].model"),
            (("challenger: [", "loser: ["), "segments[1].arm_paths.loser"),
            (("dpd: {min: 1, max: 30}", "dpd: {min: 30, max: 1}"), "segments[1].when.dpd"),
            (("code: early", "code: small"), "segments[1].code"),
            (("when: {dpd: {min: 31}", "when: {colour: red, dpd: {min: 31}"), "segments[0].when.colour"),
        ],
    )
    def test_an_error_names_the_path_of_what_it_refuses(self, change: tuple[str, str], path: str) -> None:
        error = error_of(BASE.replace(*change))
        assert error.field == path
        assert str(error).startswith(path)

    def test_score_conditions_read_the_points_of_the_arms_model(self) -> None:
        # scores live in tests/unit/test_scoring_strategy.py; here only that they parse
        definition = rules.parse(BASE.replace("product: [gold]", "score: {min: 600}"))
        assert definition.segments[1].when.ranges["score"] == rules.Range(600, None)
        assert definition.score_models == {""}

    def test_not_yaml_and_no_segments(self) -> None:
        assert error_of("segments: [").field == "definition"
        assert error_of("segments: []").field == "segments"
        assert error_of("- 1").field == "definition"

    def test_a_float_amount_is_refused(self) -> None:
        assert error_of(BASE.replace('"500.00"', "500.5")).field == "segments[0].when.balance.max"


class TestDeciding:
    definition = rules.parse(BASE)
    day = dt.date(2026, 5, 1)

    def test_the_first_matching_segment_wins(self) -> None:
        assert rules.segment_of(self.definition, facts(dpd=40, balance_fen=50_000)).code == "small"  # type: ignore[union-attr]
        assert rules.segment_of(self.definition, facts(dpd=40, balance_fen=50_001)) is None
        assert rules.segment_of(self.definition, facts(dpd=10)).code == "early"  # type: ignore[union-attr]
        assert rules.segment_of(self.definition, facts(dpd=10, product="silver")) is None

    def test_days_since_never_count_as_long_ago(self) -> None:
        when = rules.When(ranges={"days_since_payment": rules.Range(30, None)})
        assert rules.matches(when, facts(days_since_payment=None))
        assert rules.matches(when, facts(days_since_payment=30))
        assert not rules.matches(when, facts(days_since_payment=29))
        assert not rules.matches(rules.When(ranges={"days_since_contact": rules.Range(None, 5)}), facts())

    def test_flags_required_and_excluded(self) -> None:
        when = rules.When(flags=frozenset({"charged_off"}), not_flags=frozenset({"dispute"}))
        assert rules.matches(when, facts(flags=frozenset({"charged_off"})))
        assert not rules.matches(when, facts(flags=frozenset({"charged_off", "dispute"})))
        assert not rules.matches(when, facts())

    def champion_id(self) -> int:
        return next(i for i in range(1, 1000) if rules.arm_of("s", i, self.definition.arms) == "champion")

    def test_day_0_starts_the_path_and_day_7_sends_the_letter(self) -> None:
        account = self.champion_id()
        start = rules.decide(self.definition, "s", facts(account_id=account), None, self.day)
        assert (start.start, start.segment, start.path_day, start.step.action) == (True, "early", 0, "sms")  # type: ignore[union-attr]
        enrolled = rules.Enrolled("early", self.day)
        later = self.day + dt.timedelta(days=7)
        step = rules.decide(self.definition, "s", facts(account_id=account), enrolled, later)
        assert (step.start, step.end, step.path_day, step.step.rule) == (False, None, 7, "early.d7.letter")  # type: ignore[union-attr]
        quiet = rules.decide(self.definition, "s", facts(account_id=account), enrolled, later - dt.timedelta(days=1))
        assert quiet.step is None and quiet.end is None

    def test_the_challenger_follows_its_own_path(self) -> None:
        account = next(i for i in range(1, 1000) if rules.arm_of("s", i, self.definition.arms) == "challenger")
        start = rules.decide(self.definition, "s", facts(account_id=account), None, self.day)
        assert (start.arm, start.step.rule) == ("challenger", "early.challenger.d0.call_queue")  # type: ignore[union-attr]

    def test_exits_end_the_path_and_a_move_starts_another(self) -> None:
        enrolled = rules.Enrolled("early", self.day)
        cured = rules.decide(self.definition, "s", facts(dpd=0), enrolled, self.day)
        assert (cured.end, cured.start) == ("cured", False)
        paid = rules.decide(self.definition, "s", facts(balance_fen=0), enrolled, self.day)
        assert paid.end == "paid"
        moved = rules.decide(self.definition, "s", facts(dpd=31, balance_fen=40_000), enrolled, self.day)
        assert (moved.end, moved.start, moved.segment, moved.step.action) == (
            "moved",
            True,
            "small",
            "agency_placement",
        )  # type: ignore[union-attr]
        # an exit the segment does not list does not end it: 'early' lists paid and cured only
        disputed = rules.decide(self.definition, "s", facts(flags=frozenset({"dispute"})), enrolled, self.day)
        assert disputed.end is None

    def test_an_account_that_meets_an_exit_is_not_enrolled(self) -> None:
        assert not rules.decide(self.definition, "s", facts(dpd=40, balance_fen=0), None, self.day).start


class TestArms:
    arms = (rules.Arm("champion", 8000), rules.Arm("challenger", 2000))

    @given(st.text(min_size=1, max_size=20), st.integers(min_value=1, max_value=10**12))
    def test_the_arm_depends_only_on_the_strategy_code_and_the_account_id(self, code: str, account: int) -> None:
        first = rules.arm_of(code, account, self.arms)
        assert first == rules.arm_of(code, account, self.arms)
        assert 0 <= rules.arm_hash(code, account) < rules.BASIS_POINTS
        # a new version with the same arms keeps every account where it was
        again = rules.parse_data(
            {
                "arms": [{"code": "champion", "percent": 80}, {"code": "challenger", "percent": 20}],
                "segments": [{"code": "x", "path": [{"day": 0, "action": "no_action"}]}],
            }
        ).arms
        assert rules.arm_of(code, account, again) == first

    def test_10000_accounts_split_roughly_80_20(self) -> None:
        n = sum(rules.arm_of("default", i, self.arms) == "champion" for i in range(1, 10_001))
        assert 7800 <= n <= 8200

    @settings(max_examples=50)
    @given(st.lists(st.integers(min_value=1, max_value=9999), min_size=1, max_size=5))
    def test_any_split_summing_to_100_assigns_every_account_to_one_of_its_arms(self, cuts: list[int]) -> None:
        points = sorted(set(cuts) | {10_000})
        arms = tuple(rules.Arm(f"a{i}", b - a) for i, (a, b) in enumerate(zip([0, *points], points, strict=False)))
        assert sum(a.basis_points for a in arms) == 10_000
        for account in range(1, 50):
            h = rules.arm_hash("s", account)
            arm = rules.arm_of("s", account, arms)
            i = int(arm[1:])
            lo = sum(a.basis_points for a in arms[:i])
            assert lo <= h < lo + arms[i].basis_points
