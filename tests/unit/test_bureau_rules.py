"""Credit reporting's pure rules, by hand: PBOC and Metro 2 statuses, the histories, DOFD, the
compliance condition code, the notice hold and the 5-year and 7-year rules; properties of the
histories over any sequence of months."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from arrears.bureau import files, rules

POLICY = rules.Policy()
MAY = dt.date(2026, 5, 1)


def facts(**changes: object) -> rules.Facts:
    base = rules.Facts(
        month=MAY,
        as_of=dt.date(2026, 6, 1),
        opened_on=dt.date(2026, 3, 1),
        status="open",
        balance_fen=100_000,
        still_owed_fen=0,
        charged_off_fen=0,
        unpaid_count=0,
        late_due=None,
        past_due_fen=0,
        due_in_month=True,
        settled_comment=False,
        notice_on=dt.date(2026, 4, 1),
        disputes_open=0,
        disputes_resolved=0,
        previous=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


class TestPbocStatus:
    def test_paid_as_agreed_nothing_due_and_each_count_of_unpaid_minimums(self) -> None:
        assert rules.pboc_status(facts()) == "N"
        assert rules.pboc_status(facts(due_in_month=False)) == "*"
        assert [rules.pboc_status(facts(unpaid_count=n)) for n in range(1, 10)] == [*list("1234567"), "7", "7"]

    def test_charged_off_settled_closed_and_ended_otherwise(self) -> None:
        assert rules.pboc_status(facts(status="charged_off", still_owed_fen=5)) == "B"
        assert rules.pboc_status(facts(status="charged_off", still_owed_fen=0)) == "C"  # repaid in full
        assert rules.pboc_status(facts(status="settled")) == "C"
        assert rules.pboc_status(facts(status="closed", balance_fen=0)) == "C"
        assert rules.pboc_status(facts(status="closed", balance_fen=1)) == "G"


class TestMetro2Status:
    def test_days_past_due_to_account_status_at_each_edge(self) -> None:
        edges = {0: "11", 29: "11", 30: "71", 59: "71", 60: "78", 90: "80", 120: "82", 150: "83", 179: "83", 180: "84"}
        assert {d: rules.metro2_past_due_status(d) for d in edges} == edges
        assert rules.metro2_past_due_status(400) == "84"

    def test_charge_off_paid_and_settled(self) -> None:
        assert rules.metro2_status(facts(status="charged_off", still_owed_fen=1), 200) == "97"
        assert rules.metro2_status(facts(status="charged_off", still_owed_fen=0), 200) == "64"
        assert rules.metro2_status(facts(status="settled"), 200) == "64"
        assert rules.metro2_status(facts(status="closed", balance_fen=0), 0) == "13"

    def test_payment_history_characters(self) -> None:
        assert [rules.php_code("11", d, 1) for d in (0, 29)] == ["0", "0"]
        assert rules.php_code("11", 0, 0) == "E"  # zero balance and current
        assert [rules.php_code("7x", d, 1) for d in (30, 60, 90, 120, 150, 180, 365)] == list("1234566")
        assert rules.php_code("97", 200, 1) == rules.php_code("64", 200, 0) == "L"


class TestReport:
    def test_first_month_histories_from_the_opening_date(self) -> None:
        # Opened 03-01, reporting May: the PBOC string has '/' before March, '#' for March and April
        # (no record), then May; the profile (the 24 months before May) D, D, then B.
        r = rules.report(facts(), POLICY)
        assert r.pboc_history == "/" * 21 + "##N"
        assert r.payment_history == "DD" + "B" * 22

    def test_histories_shift_by_one_month_from_last_months_record(self) -> None:
        prev = rules.Previous("/" * 22 + "*1", "0", "0" + "B" * 23, None, None, False)
        r = rules.report(facts(unpaid_count=2, late_due=dt.date(2026, 4, 23), previous=prev), POLICY)
        assert r.pboc_history == "/" * 21 + "*12"
        assert r.payment_history == "00" + "B" * 22
        # 06-01 - 04-23 = 39 days past due: 71, the first day past due 04-24 is the DOFD.
        assert (r.metro2_status, r.php_code, r.dofd, r.dpd) == ("71", "1", dt.date(2026, 4, 24), 39)

    def test_dofd_is_kept_through_the_charge_off_and_cleared_on_a_cure(self) -> None:
        prev = rules.Previous("/" * 23 + "6", "5", "B" * 24, dt.date(2026, 4, 24), None, True)
        r = rules.report(facts(status="charged_off", still_owed_fen=9, late_due=None, previous=prev), POLICY)
        assert (r.metro2_status, r.dofd, r.past_due_fen, r.balance_fen) == ("97", dt.date(2026, 4, 24), 9, 9)
        cured = rules.report(facts(previous=prev), POLICY)
        assert (cured.metro2_status, cured.dofd) == ("11", None)

    def test_settled_after_charge_off_is_64_with_special_comment_au(self) -> None:
        r = rules.report(facts(status="settled", late_due=dt.date(2026, 1, 23)), POLICY)
        assert (r.pboc_status, r.metro2_status, r.special_comment, r.php_code) == ("C", "64", "AU", "L")
        assert (r.balance_fen, r.past_due_fen) == (0, 0)

    def test_compliance_condition_code(self) -> None:
        assert rules.report(facts(disputes_open=1, disputes_resolved=1), POLICY).compliance_code == "XB"
        assert rules.report(facts(disputes_resolved=1), POLICY).compliance_code == "XH"
        assert rules.report(facts(), POLICY).compliance_code == ""

    def test_a_negative_mark_is_held_until_a_notice_was_sent(self) -> None:
        late = {"unpaid_count": 2, "late_due": dt.date(2026, 4, 23)}
        assert rules.report(facts(**late, notice_on=None), POLICY).held_pboc
        assert rules.report(facts(**late, notice_on=None), POLICY).held_metro2
        # Sent 05-15: before the close for PBOC (CN-CR-PRE), and its 14 days (US-PASSIVE) passed by 05-31.
        sent = rules.report(facts(**late, notice_on=dt.date(2026, 5, 15)), POLICY)
        assert (sent.held_pboc, sent.held_metro2) == (False, False)
        sent = rules.report(facts(**late, notice_on=dt.date(2026, 5, 25)), POLICY)
        assert (sent.held_pboc, sent.held_metro2) == (False, True)
        assert not rules.report(facts(notice_on=None), POLICY).held_pboc  # nothing negative to hold

    def test_us_seven_years_from_180_days_after_the_dofd(self) -> None:
        # DOFD 2026-04-24 + 180 days = 2026-10-21; + 7 years = 2033-10-21: the October 2033 record
        # (close 2033-11-01) has left the file, the September one (close 10-01) not yet.
        assert rules.us_expiry(dt.date(2026, 4, 24), POLICY) == dt.date(2033, 10, 21)
        prev = rules.Previous("B" * 24, "L", "L" * 24, dt.date(2026, 4, 24), None, True)
        off = {"status": "charged_off", "still_owed_fen": 1, "previous": prev}
        september = rules.report(facts(month=dt.date(2033, 9, 1), as_of=dt.date(2033, 10, 1), **off), POLICY)
        october = rules.report(facts(month=dt.date(2033, 10, 1), as_of=dt.date(2033, 11, 1), **off), POLICY)
        assert (september.removed_metro2, october.removed_metro2) == (False, True)
        assert not october.removed_pboc  # B never ended: CN-CR-5Y has not started

    def test_cn_five_years_from_the_end_of_the_negative_record(self) -> None:
        # Settled in May 2026 after a charge-off (B in April): ended 2026-05-31, kept to 2031-05-31.
        charged_off = rules.Previous("/" * 23 + "B", "L", "B" * 24, dt.date(2025, 4, 24), None, True)
        r = rules.report(facts(status="settled", previous=charged_off), POLICY)
        assert (r.ended_on, r.pboc_expires_on) == (dt.date(2026, 5, 31), dt.date(2031, 5, 31))
        prev = rules.Previous("C" * 24, "L", "L" * 24, dt.date(2025, 4, 24), dt.date(2026, 5, 31), True)
        later = {"status": "settled", "previous": prev}
        april = rules.report(facts(month=dt.date(2031, 4, 1), as_of=dt.date(2031, 5, 1), **later), POLICY)
        may = rules.report(facts(month=dt.date(2031, 5, 1), as_of=dt.date(2031, 6, 1), **later), POLICY)
        assert (april.removed_pboc, may.removed_pboc) == (False, True)
        # A clean account closed: nothing negative, nothing to delete.
        clean = rules.report(facts(status="closed", balance_fen=0), POLICY)
        assert clean.pboc_expires_on is None

    def test_dispute_due_in_20_days(self) -> None:
        assert rules.dispute_due(dt.date(2026, 11, 20), POLICY) == dt.date(2026, 12, 10)


statuses = st.sampled_from(["open", "blocked", "charged_off", "settled", "closed"])


@st.composite
def months(draw: st.DrawFn) -> list[rules.Facts]:
    n = draw(st.integers(1, 40))
    out = []
    for i in range(n):
        month = dt.date(2024 + i // 12, i % 12 + 1, 1)
        unpaid = draw(st.integers(0, 9))
        out.append(
            facts(
                month=month,
                as_of=rules.close_of(month),
                opened_on=dt.date(2023, 6, 15),
                status=draw(statuses),
                balance_fen=draw(st.integers(0, 10**7)),
                still_owed_fen=draw(st.integers(-100, 10**7)),
                unpaid_count=unpaid,
                late_due=rules.close_of(month) - dt.timedelta(days=draw(st.integers(1, 400))) if unpaid else None,
                due_in_month=draw(st.booleans()),
            )
        )
    return out


class TestHistoriesOverAnySequence:
    @given(months())
    def test_always_24_valid_characters_and_each_month_shifts_in_once(self, sequence: list[rules.Facts]) -> None:
        previous = None
        statuses_seen: list[str] = []
        codes_seen: list[str] = []
        for f in sequence:
            r = rules.report(dataclasses.replace(f, previous=previous), POLICY)
            assert len(r.pboc_history) == len(r.payment_history) == 24
            assert set(r.pboc_history) <= rules.PBOC_STATUSES
            assert set(r.payment_history) <= rules.PHP_CODES
            assert r.metro2_status in rules.METRO2_STATUSES
            assert (r.dofd is not None) == (r.metro2_status in rules.METRO2_NEGATIVE) or r.dofd is None
            # the PBOC string ends with the month's status; the profile starts with last month's code
            assert r.pboc_history.endswith("".join(statuses_seen[-23:]) + r.pboc_status)
            assert r.payment_history.startswith("".join(reversed(codes_seen[-24:])))
            statuses_seen.append(r.pboc_status)
            codes_seen.append(r.php_code)
            previous = rules.Previous(r.pboc_history, r.php_code, r.payment_history, r.dofd, r.ended_on, r.was_negative)


class TestNationalId:
    def test_gb_11643_check_character(self) -> None:
        assert files.cn_id_valid("11010519491231002X")
        assert not files.cn_id_valid("110105194912310021")
        assert not files.cn_id_valid("1101051949123100")


latin = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)


@st.composite
def lines(draw: st.DrawFn) -> files.Line:
    status = draw(st.sampled_from(sorted(rules.METRO2_STATUSES)))
    negative = status in rules.METRO2_NEGATIVE
    return files.Line(
        ref="AC" + draw(st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZ23456789", min_size=12, max_size=12)),
        name=f"{draw(latin)} {draw(latin)}",
        national_id=draw(st.from_regex(r"\A[0-9]{9}\Z")),
        phone=draw(st.sampled_from(["", "2125550123"])),
        address=draw(st.sampled_from(["", "1 Main St", "PO Box 7"])),
        opened_on=dt.date(2020, 1, 1) + dt.timedelta(days=draw(st.integers(0, 3000))),
        credit_limit_fen=draw(st.integers(0, 10**11 - 1)),
        pboc_status="N",
        pboc_history="/" * 23 + "N",
        metro2_status=status,
        payment_history="".join(draw(st.lists(st.sampled_from(sorted(rules.PHP_CODES)), min_size=24, max_size=24))),
        special_comment=draw(st.sampled_from(["", "AU"])),
        compliance_code=draw(st.sampled_from(["", "XB", "XH"])),
        balance_fen=draw(st.integers(0, 10**11 - 1)),
        past_due_fen=draw(st.integers(0, 10**11 - 1)),
        charged_off_fen=draw(st.integers(0, 10**11 - 1)),
        dofd=dt.date(2024, 4, 24) if negative else None,
        dpd=0,
        closed_on=None,
    )


class TestMetro2File:
    @given(st.lists(lines(), max_size=8))
    def test_every_record_is_426_bytes_and_the_fields_sit_where_documented(self, batch: list[files.Line]) -> None:
        text, problems = files.metro2_file(
            batch, activity=dt.date(2026, 11, 30), stamp=dt.datetime(2026, 12, 1, 2, 0), reporter=files.Reporter()
        )
        assert problems == []
        records = text.encode("ascii").split(b"\n")
        assert records[-1] == b"" and [len(r) for r in records[:-1]] == [426] * (len(batch) + 2)
        for line, record in zip(batch, (r.decode() for r in records[1:-2]), strict=True):
            assert record[123:125] == line.metro2_status
            assert record[126:150] == line.payment_history
            assert record[152:154] == line.compliance_code.ljust(2)
            assert record[154:163] == f"{line.balance_fen // 100:09d}"
            assert record[297:306] == line.national_id

    def test_digits_of_other_scripts_are_refused(self) -> None:
        assert [p.field for p in files.metro2_problems(dataclasses.replace(_line(), national_id="12345678٠"))] == [
            "national_id"
        ]
        assert not files.cn_id_valid("１１０１０５１９４９１２３１００２X")  # full-width digits

    def test_a_problem_names_the_account_the_field_and_the_reason(self) -> None:
        bad = dataclasses.replace(_line(), name="王小明", dofd=None, metro2_status="97", national_id="1")
        text, problems = files.metro2_file(
            [bad], activity=dt.date(2026, 11, 30), stamp=dt.datetime(2026, 12, 1), reporter=files.Reporter()
        )
        assert text == ""
        assert [(p.ref, p.field) for p in problems] == [("AC1", "dofd"), ("AC1", "name"), ("AC1", "national_id")]


def _line() -> files.Line:
    return files.Line(
        ref="AC1",
        name="John Smith",
        national_id="123456789",
        phone="",
        address="",
        opened_on=dt.date(2026, 3, 1),
        credit_limit_fen=1_000_000,
        pboc_status="N",
        pboc_history="/" * 23 + "N",
        metro2_status="11",
        payment_history="B" * 24,
        special_comment="",
        compliance_code="",
        balance_fen=0,
        past_due_fen=0,
        charged_off_fen=0,
        dofd=None,
        dpd=0,
        closed_on=None,
    )
