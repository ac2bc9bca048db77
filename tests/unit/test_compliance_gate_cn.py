"""Worked examples of the CN pack through the gate, allowed and blocked, with next_allowed_at exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compliance_docs import BEIJING, at, check, cn_doc, with_


def dial(
    when: str, *, outcome: str = "unanswered", party: str = "d", address: str = "13800000000", channel: str = "phone"
) -> dict[str, object]:
    return {"at": when, "channel": channel, "party": party, "address": address, "debts": ["C1"], "outcome": outcome}


class TestCnHours:
    def test_allows_a_call_at_21_59_beijing_time(self) -> None:
        verdict = check(cn_doc("2026-03-10T21:59:00+08:00"))
        assert verdict.allowed
        assert "CN-HOURS" in verdict.rules

    def test_blocks_a_call_at_22_00_until_08_00_the_next_morning(self) -> None:
        verdict = check(cn_doc("2026-03-10T22:00:00+08:00"))
        assert not verdict.allowed
        assert verdict.rules == ("CN-HOURS",)
        assert verdict.next_allowed_at == at(BEIJING, 2026, 3, 11, 8, 0)
        assert verdict.as_dict()["next_allowed_at"] == "2026-03-11T08:00:00+08:00"

    def test_blocks_07_59_until_08_00_the_same_day_and_allows_08_00(self) -> None:
        blocked = check(cn_doc("2026-03-10T07:59:00+08:00"))
        assert blocked.next_allowed_at == at(BEIJING, 2026, 3, 10, 8, 0)
        assert check(cn_doc("2026-03-10T08:00:00+08:00")).allowed

    def test_reads_beijing_time_whatever_offset_the_time_is_given_in(self) -> None:
        # 14:00Z is 22:00 in Beijing; 13:59Z is 21:59.
        assert not check(cn_doc("2026-03-10T14:00:00Z")).allowed
        assert check(cn_doc("2026-03-10T13:59:00+00:00")).allowed

    def test_gives_the_reason_in_chinese_by_default_and_in_english_on_request(self) -> None:
        doc = cn_doc("2026-03-10T22:30:00+08:00")
        assert "北京时间" in check(doc).reasons[0]
        english = check(with_(doc, language="en")).reasons[0]
        assert english.startswith("CN-HOURS: 2026-03-10 22:30 Beijing time is outside")

    def test_a_recorded_consent_of_the_debtor_opens_the_stated_time(self) -> None:
        doc = with_(
            cn_doc("2026-03-10T22:30:00+08:00"),
            **{
                "customer.consents": [
                    {"channel": "phone", "from": "2026-03-10T22:00:00+08:00", "to": "2026-03-10T23:00:00+08:00"}
                ]
            },
        )
        assert check(doc).allowed

    def test_a_consent_on_another_channel_or_for_a_third_party_does_not_open_it(self) -> None:
        consent = [{"channel": "sms", "from": "2026-03-10T22:00:00+08:00", "to": "2026-03-10T23:00:00+08:00"}]
        doc = with_(cn_doc("2026-03-10T22:30:00+08:00"), **{"customer.consents": consent})
        assert not check(doc).allowed

    def test_next_allowed_at_is_the_start_of_a_consent_when_that_comes_first(self) -> None:
        doc = with_(
            cn_doc("2026-03-10T22:30:00+08:00"),
            **{
                "customer.consents": [
                    {"channel": "phone", "from": "2026-03-10T23:00:00+08:00", "to": "2026-03-10T23:30:00+08:00"}
                ]
            },
        )
        assert check(doc).next_allowed_at == at(BEIJING, 2026, 3, 10, 23, 0)

    def test_a_letter_is_not_timed(self) -> None:
        assert check(cn_doc("2026-03-10T23:00:00+08:00", channel="letter", address="北京市朝阳区")).allowed

    def test_an_sms_at_night_is_blocked(self) -> None:
        assert check(cn_doc("2026-03-10T23:00:00+08:00", channel="sms")).rules == ("CN-HOURS",)

    def test_a_bank_overrides_pack_closes_at_21_00(self, tmp_path: Path) -> None:
        overrides = tmp_path / "bank.yaml"
        overrides.write_text(
            'overrides: CN\nname: bank\nversion: "1"\neffective_from: "2026-01-01"\n'
            'rules:\n  CN-HOURS: {params: {end: "21:00"}}\n'
        )
        blocked = check(cn_doc("2026-03-10T21:00:00+08:00"), overrides=[overrides])
        assert blocked.rules == ("CN-HOURS",)
        assert "21:00" in blocked.reasons[0]
        assert blocked.next_allowed_at == at(BEIJING, 2026, 3, 11, 8, 0)
        assert check(cn_doc("2026-03-10T20:59:00+08:00"), overrides=[overrides]).allowed


class TestCnDials:
    def test_allows_the_7th_dial_after_5_unanswered(self) -> None:
        doc = with_(
            cn_doc("2026-03-10T15:00:00+08:00"), history=[dial(f"2026-03-10T{9 + i:02d}:00:00+08:00") for i in range(5)]
        )
        assert check(doc).allowed

    def test_blocks_the_7th_dial_after_6_unanswered_until_08_00_the_next_day(self) -> None:
        # The count lifts at Beijing midnight, the hours at 08:00: the earliest moment both allow is 08:00.
        doc = with_(
            cn_doc("2026-03-10T15:00:00+08:00"), history=[dial(f"2026-03-10T{9 + i:02d}:00:00+08:00") for i in range(6)]
        )
        verdict = check(doc)
        assert verdict.rules == ("CN-DIALS",)
        assert verdict.next_allowed_at == at(BEIJING, 2026, 3, 11, 8, 0)

    def test_counts_busy_and_not_connected_but_not_a_conversation(self) -> None:
        outcomes = ["unanswered", "busy", "not_connected", "voicemail", "unanswered", "conversation"]
        doc = with_(
            cn_doc("2026-03-10T15:00:00+08:00"),
            history=[dial(f"2026-03-10T{9 + i:02d}:00:00+08:00", outcome=o) for i, o in enumerate(outcomes)],
        )
        assert check(doc).allowed

    def test_counts_the_beijing_calendar_day(self) -> None:
        # 16:30Z on 03-09 is 00:30 on 03-10 in Beijing (counts); 23:30 on 03-09 Beijing does not.
        history = [dial("2026-03-09T16:30:00Z")] + [dial(f"2026-03-10T{9 + i:02d}:00:00+08:00") for i in range(5)]
        assert not check(with_(cn_doc("2026-03-10T15:00:00+08:00"), history=history)).allowed
        history[0] = dial("2026-03-09T23:30:00+08:00")
        assert check(with_(cn_doc("2026-03-10T15:00:00+08:00"), history=history)).allowed

    def test_counts_per_number_across_parties_and_not_other_numbers(self) -> None:
        history = [dial(f"2026-03-10T{9 + i:02d}:00:00+08:00", party="g") for i in range(6)]
        assert not check(with_(cn_doc("2026-03-10T15:00:00+08:00"), history=history)).allowed
        other = with_(cn_doc("2026-03-10T15:00:00+08:00", address="13900000000"), history=history)
        assert check(other).allowed

    def test_an_sms_is_not_a_dial(self) -> None:
        doc = with_(
            cn_doc("2026-03-10T15:00:00+08:00", channel="sms"),
            history=[dial(f"2026-03-10T{9 + i:02d}:00:00+08:00") for i in range(6)],
        )
        assert check(doc).allowed


class TestCnThirdParties:
    def test_collects_from_the_guarantor(self) -> None:
        verdict = check(cn_doc(party="g"))
        assert verdict.allowed
        assert "CN-3P-WHO" in verdict.rules

    def test_blocks_an_emergency_contact_while_the_debtor_is_reachable(self) -> None:
        verdict = check(cn_doc(party="e", address="13700000000"))
        assert verdict.rules == ("CN-3P-WHO", "CN-3P-LOST")
        assert verdict.next_allowed_at is None

    def test_allows_an_emergency_contact_after_3_consecutive_failed_attempts(self) -> None:
        history = [
            dial("2026-03-09T10:00:00+08:00", outcome="unanswered"),
            dial("2026-03-09T11:00:00+08:00", outcome="busy", channel="phone"),
            dial("2026-03-09T12:00:00+08:00", outcome="bounced", channel="email"),
        ]
        verdict = check(with_(cn_doc(party="e", address="13700000000", text="请转告张三尽快回电"), history=history))
        assert verdict.allowed
        assert "CN-3P-LOST" in verdict.rules

    def test_a_success_between_failures_means_the_debtor_is_not_unreachable(self) -> None:
        history = [
            dial("2026-03-09T10:00:00+08:00"),
            dial("2026-03-09T11:00:00+08:00", outcome="conversation"),
            dial("2026-03-09T12:00:00+08:00"),
            dial("2026-03-09T13:00:00+08:00"),
        ]
        assert not check(with_(cn_doc(party="e", address="13700000000"), history=history)).allowed

    def test_an_invalid_mobile_number_makes_the_debtor_unreachable(self) -> None:
        history = [dial("2026-03-09T10:00:00+08:00", outcome="wrong_number")]
        assert check(with_(cn_doc(party="e", address="13700000000"), history=history)).allowed
        flagged = with_(cn_doc(party="e", address="13700000000"), **{"customer.debtor_number_invalid": True})
        assert check(flagged).allowed

    def test_never_again_once_the_third_party_refused(self) -> None:
        doc = with_(
            cn_doc(party="e", address="13700000000"),
            **{"customer.debtor_number_invalid": True, "parties.e.refused_on": "2026-03-01"},
        )
        verdict = check(doc)
        assert verdict.rules == ("CN-3P-LOST",)
        assert verdict.next_allowed_at is None

    def test_no_word_of_the_debt_to_a_third_party(self) -> None:
        doc = with_(
            cn_doc(party="e", address="13700000000", channel="sms", text="张三信用卡欠款已逾期，请转告"),
            **{"customer.debtor_number_invalid": True},
        )
        verdict = check(doc)
        assert verdict.rules == ("CN-CONDUCT",)
        assert any("欠款" in r for r in verdict.reasons)

    def test_a_spouse_is_a_collection_party_only_when_the_debt_is_related(self) -> None:
        assert not check(cn_doc(party="s")).allowed
        assert check(with_(cn_doc(party="s"), **{"parties.s.debt_related": True})).allowed


class TestCnConduct:
    @pytest.mark.parametrize(
        "text",
        [
            "再不还钱就让你坐牢",
            "你这个老赖",
            "我们是法院工作人员",
            "你可以去网贷先还上",
            "以 贷 养 贷 也要还",
            "We know where you live",
        ],
    )
    def test_blocks_prohibited_wording(self, text: str) -> None:
        verdict = check(cn_doc(channel="sms", text=text))
        assert verdict.rules == ("CN-CONDUCT",)
        assert verdict.next_allowed_at is None

    def test_allows_a_plain_reminder_to_the_debtor(self) -> None:
        assert check(cn_doc(channel="sms", text="您的信用卡本期账单已逾期，请尽快还款。回T退订")).allowed


class TestCnHolds:
    @pytest.mark.parametrize(
        ("flag", "rule"),
        [
            ("attorney", "CN-HOLD-ATTY"),
            ("cease", "CN-HOLD-CEASE"),
            ("bankruptcy", "CN-HOLD-BK"),
            ("deceased", "CN-HOLD-DECEASED"),
            ("dispute", "CN-HOLD-DISPUTE"),
            ("plan_in_good_standing", "CN-PLAN-STOP"),
        ],
    )
    def test_each_hold_blocks_collection_with_no_time_it_opens(self, flag: str, rule: str) -> None:
        verdict = check(with_(cn_doc(), **{f"customer.flags.{flag}": True}))
        assert verdict.rules == (rule,)
        assert verdict.next_allowed_at is None

    def test_the_attorney_may_be_contacted_when_one_is_on_file(self) -> None:
        doc = with_(cn_doc(party="a", address="13600000000"), **{"customer.flags.attorney": True})
        assert check(doc).allowed

    def test_a_plan_notice_passes_a_plan_in_good_standing(self) -> None:
        doc = with_(
            cn_doc(channel="letter", address="北京市", purpose="plan_notice"),
            **{"customer.flags.plan_in_good_standing": True},
        )
        verdict = check(doc)
        assert verdict.allowed
        assert "CN-PLAN-STOP" in verdict.rules

    def test_a_hold_and_the_night_together_give_no_next_time(self) -> None:
        verdict = check(with_(cn_doc("2026-03-10T23:00:00+08:00"), **{"customer.flags.cease": True}))
        assert verdict.rules == ("CN-HOLD-CEASE", "CN-HOURS")
        assert verdict.next_allowed_at is None

    def test_an_opted_out_channel_is_not_used(self) -> None:
        doc = with_(cn_doc(channel="sms"), **{"customer.opted_out_channels": ["sms"]})
        assert check(doc).rules == ("CN-OPTOUT",)
        assert check(with_(doc, **{"proposed.channel": "phone"})).allowed


class TestCnNightAbroad:
    """CN-HOURS protect_local_night (on in the shipped pack): phone and SMS also inside 08:00–22:00 local
    time at every known location of the debtor. Hand-worked instants: Beijing is UTC+8 all year; Paris
    is UTC+2 in summer (CEST), New York UTC-4 (EDT), Sydney UTC+10 in July (AEST)."""

    def test_10_00_in_beijing_is_04_00_in_paris_in_summer_blocked_until_14_00_beijing(self) -> None:
        # 10:00 +08:00 = 02:00Z = 04:00 in Paris. 08:00 in Paris = 06:00Z = 14:00 in Beijing.
        doc = with_(cn_doc("2026-07-01T10:00:00+08:00"), **{"customer.locations": ["Europe/Paris"]})
        verdict = check(doc)
        assert not verdict.allowed
        assert verdict.rules == ("CN-HOURS",)
        assert verdict.next_allowed_at == at(BEIJING, 2026, 7, 1, 14, 0)
        assert verdict.as_dict()["next_allowed_at"] == "2026-07-01T14:00:00+08:00"
        assert "2026-07-01 04:00 巴黎当地时间" in verdict.reasons[0]
        english = check(with_(doc, language="en")).reasons[0]
        assert "2026-07-01 04:00 Europe/Paris local time" in english
        assert check(with_(doc, **{"proposed.at": "2026-07-01T14:00:00+08:00"})).allowed

    def test_sms_is_protected_too_and_an_email_or_a_letter_is_not(self) -> None:
        doc = with_(cn_doc("2026-07-01T10:00:00+08:00"), **{"customer.locations": ["Europe/Paris"]})
        assert check(with_(doc, **{"proposed.channel": "sms"})).rules == ("CN-HOURS",)
        assert check(with_(doc, **{"proposed.channel": "email", "proposed.address": "a@example.cn"})).allowed

    def test_the_window_must_be_open_in_beijing_and_everywhere_the_debtor_is(self) -> None:
        # 21:30 Beijing on 07-01 = 13:30Z = 23:30 in Sydney: blocked. 08:00 Sydney = 06:00 Beijing, still
        # night in Beijing; the first instant open in both is 08:00 Beijing (10:00 in Sydney) on 07-02.
        doc = with_(cn_doc("2026-07-01T21:30:00+08:00"), **{"customer.locations": ["Australia/Sydney"]})
        assert check(doc).next_allowed_at == at(BEIJING, 2026, 7, 2, 8, 0)

    def test_two_locations_open_when_both_are_awake(self) -> None:
        # 10:00 Beijing = 04:00 Paris = 22:00 (06-30) New York. 14:00 Beijing = 02:00 New York: still
        # night there. 08:00 New York = 12:00Z = 20:00 Beijing = 14:00 Paris: open everywhere.
        doc = with_(cn_doc("2026-07-01T10:00:00+08:00"), **{"customer.locations": ["Europe/Paris", "America/New_York"]})
        assert check(doc).next_allowed_at == at(BEIJING, 2026, 7, 1, 20, 0)

    def test_a_debtor_in_beijing_time_or_nowhere_known_is_judged_by_beijing_time(self) -> None:
        assert check(cn_doc("2026-07-01T10:00:00+08:00")).allowed
        doc = with_(cn_doc("2026-07-01T21:59:00+08:00"), **{"customer.locations": ["Asia/Shanghai"]})
        assert check(doc).allowed

    def test_a_consent_of_the_debtor_opens_the_local_night_too(self) -> None:
        doc = with_(
            cn_doc("2026-07-01T10:00:00+08:00"),
            **{
                "customer.locations": ["Europe/Paris"],
                "customer.consents": [
                    {"channel": "phone", "from": "2026-07-01T09:00:00+08:00", "to": "2026-07-01T11:00:00+08:00"}
                ],
            },
        )
        assert check(doc).allowed

    def test_a_bank_may_switch_it_off_and_keep_beijing_time_alone(self, tmp_path: Path) -> None:
        # 10:00 in Beijing is 22:00 (previous day) in New York: blocked abroad by default, allowed when off.
        overrides = tmp_path / "bank.yaml"
        overrides.write_text(
            'overrides: CN\nname: bank\nversion: "1"\neffective_from: "2026-01-01"\n'
            "rules:\n  CN-HOURS: {params: {protect_local_night: false}}\n"
        )
        doc = with_(cn_doc("2026-03-10T10:00:00+08:00"), **{"customer.locations": ["America/New_York"]})
        verdict = check(doc)
        assert verdict.rules == ("CN-HOURS",)
        # 08:00 in New York (EDT from 03-08) is 20:00 in Beijing, inside both windows.
        assert verdict.next_allowed_at == at(BEIJING, 2026, 3, 10, 20, 0)
        assert check(doc, overrides=[overrides]).allowed
