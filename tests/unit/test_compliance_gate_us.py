"""Worked examples of the US pack through the gate, allowed and blocked, with next_allowed_at exact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from arrears.compliance.gate import validation_period_end
from arrears.compliance.packs import load_pack
from tests.compliance_docs import LOS_ANGELES, NEW_YORK, at, call, check, us_doc, with_

UTC = dt.UTC
BOTH = ("America/New_York", "America/Los_Angeles")


def overrides(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(f'overrides: US\nname: bank\nversion: "1"\neffective_from: "2026-01-01"\n{body}')
    return path


class TestUsHours:
    def test_blocks_when_one_of_two_zones_is_before_08_00(self) -> None:
        # 10:30 in New York is 07:30 in Los Angeles: allowed from 08:00 Los Angeles time (11:00 New York).
        verdict = check(us_doc("2026-04-07T10:30:00-04:00", locations=BOTH))
        assert verdict.rules == ("US-HOURS",)
        assert "America/Los_Angeles" in verdict.reasons[0]
        assert verdict.next_allowed_at == at(LOS_ANGELES, 2026, 4, 7, 8, 0)
        assert verdict.as_dict()["next_allowed_at"] == "2026-04-07T11:00:00-04:00"

    def test_allows_when_every_zone_is_inside_the_window(self) -> None:
        assert check(us_doc("2026-04-07T11:00:00-04:00", locations=BOTH)).allowed
        assert check(us_doc("2026-04-07T20:59:00-04:00", locations=BOTH)).allowed

    def test_21_00_in_new_york_waits_for_08_00_in_los_angeles_next_day(self) -> None:
        verdict = check(us_doc("2026-04-07T21:00:00-04:00", locations=BOTH))
        assert verdict.next_allowed_at == at(NEW_YORK, 2026, 4, 8, 11, 0)

    def test_the_night_before_the_spring_dst_change_opens_at_08_00_edt(self) -> None:
        # 2026-03-08 clocks go forward in New York: 08:00 EDT is 12:00Z, not 13:00Z.
        verdict = check(us_doc("2026-03-07T21:30:00-05:00"))
        assert verdict.next_allowed_at == dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
        assert verdict.as_dict()["next_allowed_at"] == "2026-03-08T08:00:00-04:00"

    def test_the_same_utc_time_is_inside_after_the_change_and_outside_before(self) -> None:
        assert check(us_doc("2026-03-08T12:30:00Z")).allowed  # 08:30 EDT
        assert not check(us_doc("2026-03-07T12:30:00Z")).allowed  # 07:30 EST

    def test_the_night_before_the_autumn_dst_change_opens_at_08_00_est(self) -> None:
        verdict = check(us_doc("2026-10-31T22:00:00-04:00"))
        assert verdict.next_allowed_at == dt.datetime(2026, 11, 1, 13, 0, tzinfo=UTC)

    def test_with_no_known_location_every_main_us_zone_counts(self) -> None:
        # 09:00 in New York is 03:00 in Honolulu; Honolulu opens at 08:00 HST = 18:00Z.
        verdict = check(us_doc("2026-04-07T09:00:00-04:00", locations=()))
        assert verdict.next_allowed_at == dt.datetime(2026, 4, 7, 18, 0, tzinfo=UTC)

    def test_a_direct_consent_opens_the_evening(self) -> None:
        doc = with_(
            us_doc("2026-04-07T21:30:00-04:00"),
            **{
                "customer.consents": [
                    {"channel": "phone", "from": "2026-04-07T21:00:00-04:00", "to": "2026-04-07T22:00:00-04:00"}
                ]
            },
        )
        assert check(doc).allowed

    def test_regulation_f_does_not_bind_a_first_party_collector(self) -> None:
        verdict = check(us_doc("2026-04-07T23:00:00-04:00", collector_type="first_party"))
        assert verdict.allowed
        assert "US-HOURS" not in verdict.rules

    def test_a_bank_applies_regulation_f_to_itself_with_an_overrides_pack(self, tmp_path: Path) -> None:
        path = overrides(tmp_path, "rules:\n  US-HOURS: {collector_types: [first_party, agency, debt_buyer]}\n")
        verdict = check(us_doc("2026-04-07T23:00:00-04:00", collector_type="first_party"), overrides=[path])
        assert verdict.rules == ("US-HOURS",)

    def test_a_debt_buyer_is_bound_like_an_agency(self) -> None:
        assert not check(us_doc("2026-04-07T23:00:00-04:00", collector_type="debt_buyer")).allowed


def daily_calls(*days: int, hour: int = 10, **kw: object) -> list[dict[str, object]]:
    return [call(f"2026-04-{d:02d}T{hour:02d}:00:00-04:00", **kw) for d in days]  # type: ignore[arg-type]


class TestUsSevenInSeven:
    def test_allows_the_7th_call_in_7_days(self) -> None:
        doc = with_(us_doc("2026-04-07T15:00:00-04:00"), history=daily_calls(1, 2, 3, 4, 5, 6))
        assert check(doc).allowed

    def test_blocks_the_8th_call_until_the_oldest_leaves_the_window(self) -> None:
        # Calls 04-01..04-07: on 04-08 the window is 04-02..04-08 with 6 calls; the day opens at 08:00.
        doc = with_(us_doc("2026-04-07T15:00:00-04:00"), history=daily_calls(1, 2, 3, 4, 5, 6, 7))
        verdict = check(doc)
        assert verdict.rules == ("US-7IN7",)
        assert verdict.next_allowed_at == at(NEW_YORK, 2026, 4, 8, 8, 0)

    def test_a_call_drops_out_of_the_rolling_window(self) -> None:
        doc = with_(us_doc("2026-04-08T10:00:00-04:00"), history=daily_calls(1, 2, 3, 4, 5, 6, 7))
        assert check(doc).allowed

    def test_with_eight_calls_in_the_window_two_must_leave_it(self) -> None:
        history = daily_calls(1, 2, 3, 4, 5, 6, 7) + daily_calls(3, hour=12)
        verdict = check(with_(us_doc("2026-04-07T15:00:00-04:00"), history=history))
        assert verdict.next_allowed_at == at(NEW_YORK, 2026, 4, 9, 8, 0)

    def test_busy_and_not_connected_calls_do_not_count(self) -> None:
        history = daily_calls(1, 2, 3, 4, 5) + daily_calls(6, outcome="busy") + daily_calls(7, outcome="not_connected")
        verdict = check(with_(us_doc("2026-04-07T15:00:00-04:00"), history=history))
        assert verdict.allowed
        assert "US-EXCL" in verdict.rules

    def test_voicemails_count(self) -> None:
        history = daily_calls(1, 2, 3, 4, 5, 6) + daily_calls(7, outcome="voicemail")
        assert check(with_(us_doc("2026-04-07T15:00:00-04:00"), history=history)).rules == ("US-7IN7",)

    def test_counts_per_debt(self) -> None:
        history = daily_calls(1, 2, 3, 4, 5, 6, 7, debts=["D2"])
        assert check(with_(us_doc("2026-04-07T15:00:00-04:00"), history=history)).allowed
        both = with_(us_doc("2026-04-07T15:00:00-04:00", debts=["D1", "D2"]), history=history)
        assert check(both).rules == ("US-7IN7",)

    def test_counts_per_person(self) -> None:
        history = daily_calls(1, 2, 3, 4, 5, 6, 7, party="p3", address="+12125550111")
        assert check(with_(us_doc("2026-04-07T15:00:00-04:00"), history=history)).allowed

    def test_calls_with_direct_prior_consent_do_not_count(self) -> None:
        consent = [{"channel": "phone", "from": "2026-04-06T09:00:00-04:00", "to": "2026-04-07T11:00:00-04:00"}]
        doc = with_(
            us_doc("2026-04-07T15:00:00-04:00"),
            history=daily_calls(1, 2, 3, 4, 5, 6, 7),
            **{"customer.consents": consent},
        )
        assert check(doc).allowed

    def test_a_call_within_a_consent_is_not_counted_itself(self) -> None:
        consent = [{"channel": "phone", "from": "2026-04-07T14:00:00-04:00", "to": "2026-04-07T16:00:00-04:00"}]
        doc = with_(
            us_doc("2026-04-07T15:00:00-04:00"),
            history=daily_calls(1, 2, 3, 4, 5, 6, 7),
            **{"customer.consents": consent},
        )
        verdict = check(doc)
        assert verdict.allowed
        assert "US-EXCL" in verdict.rules

    def test_a_consent_counts_for_7_days_at_most(self) -> None:
        # Consent from 04-01 to 04-30: the calls from 04-08 on are counted again.
        consent = [{"channel": "phone", "from": "2026-04-01T00:00:00-04:00", "to": "2026-04-30T00:00:00-04:00"}]
        doc = with_(
            us_doc("2026-04-14T15:00:00-04:00"),
            history=daily_calls(8, 9, 10, 11, 12, 13, 14),
            **{"customer.consents": consent},
        )
        assert check(doc).rules == ("US-7IN7",)


class TestUsConversationCoolingOff:
    def test_blocks_day_7_after_a_conversation_and_allows_day_8(self) -> None:
        history = [call("2026-04-01T14:00:00-04:00", outcome="conversation")]
        blocked = check(with_(us_doc("2026-04-07T20:00:00-04:00"), history=history))
        assert blocked.rules == ("US-CONV7",)
        assert blocked.next_allowed_at == at(NEW_YORK, 2026, 4, 8, 8, 0)
        assert check(with_(us_doc("2026-04-08T08:00:00-04:00"), history=history)).allowed

    def test_the_conversation_day_is_day_1(self) -> None:
        history = [call("2026-04-01T09:00:00-04:00", outcome="conversation")]
        assert not check(with_(us_doc("2026-04-01T17:00:00-04:00"), history=history)).allowed

    def test_a_conversation_about_several_debts_starts_it_for_each(self) -> None:
        history = [call("2026-04-01T14:00:00-04:00", outcome="conversation", debts=["D1", "D2"])]
        assert check(with_(us_doc("2026-04-03T10:00:00-04:00", debts=["D2"]), history=history)).rules == ("US-CONV7",)
        assert check(with_(us_doc("2026-04-03T10:00:00-04:00", debts=["D3"]), history=history)).allowed

    def test_a_conversation_with_another_person_does_not_start_it(self) -> None:
        history = [call("2026-04-01T14:00:00-04:00", outcome="conversation", party="p3")]
        assert check(with_(us_doc("2026-04-03T10:00:00-04:00"), history=history)).allowed

    def test_a_consented_call_is_excluded(self) -> None:
        history = [call("2026-04-01T14:00:00-04:00", outcome="conversation")]
        consent = [{"channel": "phone", "from": "2026-04-03T09:00:00-04:00", "to": "2026-04-03T12:00:00-04:00"}]
        doc = with_(us_doc("2026-04-03T10:00:00-04:00"), history=history, **{"customer.consents": consent})
        assert check(doc).allowed


class TestUsHarassingPatterns:
    def test_two_unanswered_calls_within_minutes(self) -> None:
        history = [call("2026-04-07T10:00:00-04:00")]
        blocked = check(with_(us_doc("2026-04-07T10:03:00-04:00"), history=history))
        assert blocked.rules == ("US-REBUT",)
        assert blocked.next_allowed_at == at(NEW_YORK, 2026, 4, 7, 10, 5)
        assert check(with_(us_doc("2026-04-07T10:05:00-04:00"), history=history)).allowed

    def test_a_busy_signal_is_not_an_unanswered_call(self) -> None:
        history = [call("2026-04-07T10:00:00-04:00", outcome="busy")]
        assert check(with_(us_doc("2026-04-07T10:03:00-04:00"), history=history)).allowed

    def test_the_7th_call_to_one_number_in_one_day(self) -> None:
        # Three calls each to two people sharing a number: under 7-in-7 for each, 7 calls to the number.
        history = [call(f"2026-04-07T{9 + i:02d}:00:00-04:00", party="p1" if i % 2 else "p3") for i in range(6)]
        blocked = check(with_(us_doc("2026-04-07T17:00:00-04:00"), history=history))
        assert blocked.rules == ("US-REBUT",)
        assert blocked.next_allowed_at == at(NEW_YORK, 2026, 4, 8, 8, 0)
        assert check(with_(us_doc("2026-04-07T17:00:00-04:00"), history=history[:5])).allowed

    def test_a_bank_may_only_warn(self, tmp_path: Path) -> None:
        path = overrides(tmp_path, "rules:\n  US-REBUT: {params: {action: warn}}\n")
        history = [call("2026-04-07T10:00:00-04:00")]
        verdict = check(with_(us_doc("2026-04-07T10:03:00-04:00"), history=history), overrides=[path])
        assert verdict.allowed
        assert "US-REBUT" in verdict.rules
        assert verdict.reasons[0].startswith("warning — US-REBUT")


class TestUsHolds:
    @pytest.mark.parametrize(
        ("flag", "rule"),
        [
            ("attorney", "US-ATTY"),
            ("cease", "US-CEASE"),
            ("bankruptcy", "US-BK"),
            ("deceased", "US-HOLD-DECEASED"),
            ("dispute", "US-HOLD-DISPUTE"),
            ("plan_in_good_standing", "US-HOLD-PLAN"),
        ],
    )
    def test_each_hold_blocks_with_no_time_it_opens(self, flag: str, rule: str) -> None:
        verdict = check(with_(us_doc(), **{f"customer.flags.{flag}": True}))
        assert verdict.rules == (rule,)
        assert verdict.next_allowed_at is None

    def test_with_an_attorney_on_file_only_the_attorney_is_contacted(self) -> None:
        doc = with_(us_doc(), **{"customer.flags.attorney": True})
        assert check(with_(doc, **{"proposed.party": "p4", "proposed.address": "+12125550199"})).allowed
        assert check(with_(doc, **{"proposed.party": "p2", "proposed.address": "+12125550177"})).rules == ("US-ATTY",)

    def test_after_a_cease_a_letter_may_confirm_it(self) -> None:
        doc = with_(
            us_doc(
                channel="letter",
                address="1 Main St",
                purpose="cease_confirmation",
                text="This is an attempt to collect a debt. We confirm we will stop contacting you.",
            ),
            **{"customer.flags.cease": True},
        )
        assert check(doc).allowed
        assert check(with_(doc, **{"proposed.channel": "phone"})).rules == ("US-CEASE",)

    def test_a_consumer_refusal_is_a_cease(self) -> None:
        assert check(with_(us_doc(), **{"parties.p1.refused_on": "2026-04-01"})).rules == ("US-CEASE",)

    def test_bankruptcy_binds_a_first_party_collector_too(self) -> None:
        doc = with_(us_doc(collector_type="first_party"), **{"customer.flags.bankruptcy": True})
        assert check(doc).rules == ("US-BK",)


class TestUsValidation:
    def test_the_period_ends_30_days_after_assumed_receipt(self) -> None:
        pack = load_pack("US", on=dt.date(2026, 4, 1))
        # Sent Wed 04-01; 5 business days: 04-02, 04-03, 04-06, 04-07, 04-08 -> ends 05-08.
        assert validation_period_end(pack=pack, sent_on=dt.date(2026, 4, 1)) == dt.date(2026, 5, 8)
        # Sent Wed 05-20; Memorial Day 05-25 skipped: 05-21, 05-22, 05-26, 05-27, 05-28 -> ends 06-27.
        assert validation_period_end(pack=pack, sent_on=dt.date(2026, 5, 20)) == dt.date(2026, 6, 27)

    def test_a_dispute_on_the_last_day_stops_collection_until_verification(self) -> None:
        validation = {"sent_at": "2026-04-01T12:00:00-04:00", "dispute_at": "2026-05-08T12:00:00-04:00"}
        doc = with_(us_doc("2026-05-12T10:00:00-04:00"), **{"customer.validation": validation})
        verdict = check(doc)
        assert verdict.rules == ("US-VAL",)
        assert verdict.next_allowed_at is None
        validation["verification_sent_at"] = "2026-05-11T12:00:00-04:00"
        assert check(with_(doc, **{"customer.validation": validation})).allowed

    def test_a_dispute_after_the_period_is_not_a_validation_stop(self) -> None:
        validation = {"sent_at": "2026-04-01T12:00:00-04:00", "dispute_at": "2026-05-09T12:00:00-04:00"}
        assert check(with_(us_doc("2026-05-12T10:00:00-04:00"), **{"customer.validation": validation})).allowed


class TestUsThirdParties:
    def test_a_location_call_to_an_emergency_contact_once(self) -> None:
        doc = us_doc(party="p2", address="+12125550177")
        verdict = check(doc)
        assert verdict.allowed
        assert {"US-3P", "US-LOC"} <= set(verdict.rules)
        again = with_(
            doc, history=[call("2026-03-20T10:00:00-04:00", party="p2", address="+12125550177", outcome="conversation")]
        )
        assert check(again).rules == ("US-LOC",)
        assert check(with_(again, **{"parties.p2.callback_requested": True})).allowed

    def test_an_unanswered_location_call_is_not_a_communication(self) -> None:
        doc = with_(
            us_doc(party="p2", address="+12125550177"),
            history=[call("2026-04-06T10:00:00-04:00", party="p2", address="+12125550177")],
        )
        assert check(doc).allowed

    def test_never_mention_the_debt_to_a_third_party(self) -> None:
        doc = us_doc(
            party="p2",
            channel="letter",
            address="2 Main St",
            text="Please ask Jane to call us about her overdue balance.",
        )
        verdict = check(doc)
        assert set(verdict.rules) == {"US-3P"}
        assert len(verdict.reasons) == 2  # "overdue" and "balance"

    def test_a_third_party_that_refused_is_not_contacted(self) -> None:
        doc = with_(us_doc(party="p2", address="+12125550177"), **{"parties.p2.refused_on": "2026-04-01"})
        assert check(doc).rules == ("US-LOC",)

    def test_a_spouse_is_the_consumer(self) -> None:
        doc = with_(us_doc(party="p5"), **{"parties.p5": {"role": "spouse"}})
        verdict = check(doc)
        assert verdict.allowed
        assert "US-LOC" not in verdict.rules


MINI = "This is an attempt to collect a debt by a debt collector."


class TestUsWrittenChannels:
    def test_an_opted_out_medium_is_not_used_but_one_confirmation_is_allowed(self) -> None:
        doc = with_(
            us_doc(channel="sms", address="+12125550100", text=f"{MINI} Reply STOP to opt out."),
            **{"customer.opted_out_channels": ["sms"]},
        )
        assert check(doc).rules == ("US-EOPT",)
        confirm = with_(doc, **{"proposed.purpose": "optout_confirmation"})
        assert check(confirm).allowed
        sent = call("2026-04-06T10:00:00-04:00", channel="sms", outcome="delivered", purpose="optout_confirmation")
        assert check(with_(confirm, history=[sent])).rules == ("US-EOPT",)

    def test_every_text_and_email_carries_an_opt_out(self) -> None:
        doc = us_doc(channel="email", address="jane@example.com", text=MINI)
        assert check(doc).rules == ("US-EOPT",)
        assert check(with_(doc, **{"proposed.text": f"{MINI} To unsubscribe, reply."})).allowed

    def test_the_initial_communication_says_it_is_an_attempt_to_collect_a_debt(self) -> None:
        doc = us_doc(channel="letter", address="1 Main St", text="Please call us.")
        assert check(doc).rules == ("US-MINI",)
        assert check(with_(doc, **{"proposed.text": "This is an attempt to collect a debt."})).allowed

    def test_later_communications_say_they_are_from_a_debt_collector(self) -> None:
        history = [call("2026-04-01T10:00:00-04:00", outcome="conversation")]
        doc = with_(
            us_doc(channel="letter", address="1 Main St", text="This is an attempt to collect a debt."), history=history
        )
        assert check(doc).rules == ("US-MINI",)
        assert check(with_(doc, **{"proposed.text": "This message is from a debt collector."})).allowed

    def test_not_to_the_employers_email(self) -> None:
        text = f"{MINI} Unsubscribe: reply STOP."
        doc = with_(
            us_doc(channel="email", address="Jane@Acme.com", text=text), **{"customer.employer_emails": ["@acme.com"]}
        )
        assert check(doc).rules == ("US-WORKMAIL",)
        assert check(with_(doc, **{"customer.consumer_used_emails": ["jane@acme.com"]})).allowed
        consent = [{"channel": "email", "from": "2026-04-07T00:00:00-04:00", "to": "2026-04-08T00:00:00-04:00"}]
        assert check(with_(doc, **{"customer.consents": consent})).allowed

    def test_inconvenient_places_and_times(self) -> None:
        place = with_(us_doc(), **{"customer.inconvenient_addresses": ["+12125550100"]})
        assert check(place).rules == ("US-INCONV",)
        times = with_(
            us_doc("2026-04-07T12:30:00-04:00"), **{"customer.inconvenient_times": [{"from": "12:00", "to": "13:00"}]}
        )
        verdict = check(times)
        assert verdict.rules == ("US-INCONV",)
        assert verdict.next_allowed_at == at(NEW_YORK, 2026, 4, 7, 13, 0)


class TestUsWording:
    @pytest.mark.parametrize(
        ("text", "rule"),
        [
            ("Pay now or we will break your legs.", "US-HARASS"),
            ("You are a deadbeat.", "US-HARASS"),
            ("This is the police: there is a warrant for your arrest.", "US-FALSE"),
            ("Take out a payday loan to pay this.", "US-CONDUCT"),
        ],
    )
    def test_blocks_prohibited_wording(self, text: str, rule: str) -> None:
        doc = us_doc(channel="letter", address="1 Main St", text=f"This is an attempt to collect a debt. {text}")
        verdict = check(doc)
        assert rule in verdict.rules
        assert not verdict.allowed

    def test_never_threaten_to_sue_on_a_time_barred_debt(self) -> None:
        text = "This is an attempt to collect a debt. We may file a lawsuit."
        doc = us_doc(channel="letter", address="1 Main St", text=text)
        assert check(doc).allowed
        verdict = check(with_(doc, **{"customer.time_barred_debts": ["D1"]}))
        assert verdict.rules == ("US-TBD",)


class TestUsEdges:
    def test_locations_with_no_common_window_give_no_next_time(self) -> None:
        # In UTC: London-on-UTC 08:00-21:00, Shanghai 00:00-13:00, Los Angeles (PDT) 15:00-04:00. Any two
        # 13-hour windows overlap, these three have no instant in common.
        verdict = check(us_doc("2026-04-07T10:00:00Z", locations=("Etc/UTC", "Asia/Shanghai", "America/Los_Angeles")))
        assert verdict.rules == ("US-HOURS",)
        assert verdict.next_allowed_at is None
        assert "share no contact window" in verdict.reasons[0]

    def test_threats_are_blocked_for_a_first_party_collector_too(self) -> None:
        doc = us_doc(channel="letter", address="1 Main St", collector_type="first_party", text="We will hurt you.")
        assert check(doc).rules == ("US-HARASS",)

    def test_reasons_in_chinese_on_request(self) -> None:
        verdict = check(with_(us_doc("2026-04-07T22:00:00-04:00"), language="zh-hans"))
        assert verdict.reasons[0].startswith("US-HOURS：2026-04-07 22:00 纽约当地时间不在允许联系时段")
