"""Every KPI formula (arrears.insight.kpis) pinned by a small portfolio worked by hand, and
properties that hold whatever the portfolio.

The portfolio, period (2026-05-31, 2026-06-30] (state at start -> at end, owed at start, collected):

    a1  team A  M0 -> M0        1,000.00   200.00
    a2  team A  M0 -> M1          500.00     0.00
    a3  team B  M1 -> M0          300.00   100.00
    a4  team B  M1 -> M2          800.00     0.00
    a5  team A  M1 -> paid        200.00   200.00
    a6  team B  M2 -> M3        1,200.00    50.00
    a7  team B  M7 -> charged off  5,000.00  0.00
    a8  team A  charged off -> charged off  4,000.00  400.00
    a9  team A  paid -> paid         0.00     0.00
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.insight import kpis
from arrears.insight.kpis import (
    CHARGED_OFF,
    PAID,
    STATES,
    ChargeOffFact,
    ComplaintFact,
    ContactFact,
    CureFact,
    Facts,
    Keys,
    PlacementFact,
    PromiseFact,
    Transition,
)

D = Decimal
START = dt.date(2026, 5, 31)
END = dt.date(2026, 6, 30)
A = Keys(team="A", collector="li", segment="early", product="gold", arm="champion", queue="q1")
B = Keys(team="B", collector="wang", segment="late", product="gold", arm="challenger", queue="q2")


def t(n: int, keys: Keys, s0: int, s1: int, owed: str, collected: str) -> Transition:
    return Transition(
        account_id=n,
        keys=keys,
        start_state=s0,
        end_state=s1,
        start_owed_fen=int(D(owed) * 100),
        end_owed_fen=0,
        collected_fen=int(D(collected) * 100),
    )


PORTFOLIO = (
    t(1, A, 0, 0, "1000.00", "200.00"),
    t(2, A, 0, 1, "500.00", "0"),
    t(3, B, 1, 0, "300.00", "100.00"),
    t(4, B, 1, 2, "800.00", "0"),
    t(5, A, 1, PAID, "200.00", "200.00"),
    t(6, B, 2, 3, "1200.00", "50.00"),
    t(7, B, 7, CHARGED_OFF, "5000.00", "0"),
    t(8, A, CHARGED_OFF, CHARGED_OFF, "4000.00", "400.00"),
    t(9, A, PAID, PAID, "0", "0"),
)


def test_roll_matrix_by_count_and_by_balance() -> None:
    m = kpis.roll_matrix(PORTFOLIO)
    assert m.counts == {
        (0, 0): 1,
        (0, 1): 1,
        (1, 0): 1,
        (1, 2): 1,
        (1, PAID): 1,
        (2, 3): 1,
        (7, CHARGED_OFF): 1,
        (CHARGED_OFF, CHARGED_OFF): 1,
        (PAID, PAID): 1,
    }
    assert m.balances[0, 1] == 500_00 and m.balances[7, CHARGED_OFF] == 5000_00 and m.balances[PAID, PAID] == 0
    # Row M1: a3, a4, a5: 3 accounts owing 300 + 800 + 200 = 1,300.00.
    assert (m.row(1), m.row(1, "balance")) == (3, 1300_00)
    rates = kpis.roll_rates(m)
    assert rates[1, 0] == rates[1, 2] == rates[1, PAID] == D("0.3333")  # 1 / 3
    by_balance = kpis.roll_rates(m, "balance")
    assert by_balance[1, 2] == D("0.6154")  # 800 / 1300 = 0.615384...
    assert by_balance[1, 0] == D("0.2308")  # 300 / 1300 = 0.230769...


def test_roll_matrices_month_over_month() -> None:
    assert kpis.month_ends(START, END) == [END]  # (05-31, 06-30]: one month
    assert kpis.month_ends(dt.date(2026, 4, 15), dt.date(2026, 6, 10)) == [
        dt.date(2026, 4, 30),
        dt.date(2026, 5, 31),
        dt.date(2026, 6, 10),
    ]
    assert kpis.month_ends(dt.date(2026, 4, 30), dt.date(2026, 5, 31)) == [dt.date(2026, 5, 31)]
    apr, may = (dt.date(2026, 4, 15), dt.date(2026, 4, 30)), (dt.date(2026, 4, 30), dt.date(2026, 5, 31))
    steps = [
        kpis.MonthStep(1, A, *apr, start_state=0, end_state=1, start_owed_fen=100_00),
        kpis.MonthStep(1, A, *may, start_state=1, end_state=2, start_owed_fen=110_00),
        kpis.MonthStep(2, B, *apr, start_state=1, end_state=0, start_owed_fen=50_00),
        kpis.MonthStep(2, B, *may, start_state=0, end_state=0, start_owed_fen=0),
    ]
    months = kpis.monthly_roll_matrices(steps)
    assert list(months) == [apr, may]
    assert months[apr].counts == {(0, 1): 1, (1, 0): 1}
    assert months[may].counts == {(1, 2): 1, (0, 0): 1}
    assert months[may].balances == {(1, 2): 110_00, (0, 0): 0}


def test_flow_rates() -> None:
    m = kpis.roll_matrix(PORTFOLIO)
    # By count: M0 1/2, M1 1/3, M2 1/1, M3-M6 nobody, M7 -> charged off 1/1.
    assert kpis.flow_rates(m) == {
        0: D("0.5000"),
        1: D("0.3333"),
        2: D("1.0000"),
        3: None,
        4: None,
        5: None,
        6: None,
        7: D("1.0000"),
    }
    # By balance: M0 500 / 1500 = 0.33333, M1 800 / 1300 = 0.61538.
    f = kpis.flow_rates(m, "balance")
    assert (f[0], f[1], f[2], f[7]) == (D("0.3333"), D("0.6154"), D("1.0000"), D("1.0000"))


def test_a_charge_off_from_any_bucket_rolls_it_forward() -> None:
    # A product that charges off at 180 DPD does it from M6: M6 -> charged off is a roll forward.
    rows = [t(1, A, 6, CHARGED_OFF, "900.00", "0"), t(2, A, 6, 7, "100.00", "0"), t(3, A, 6, 6, "1000.00", "0")]
    m = kpis.roll_matrix(rows)
    assert kpis.flow_rates(m)[6] == D("0.6667")  # 2 / 3
    assert kpis.flow_rates(m, "balance")[6] == D("0.5000")  # (900 + 100) / 2000


def test_cure_rate() -> None:
    m = kpis.roll_matrix(PORTFOLIO)
    # Delinquent at start: a3, a4, a5 (M1), a6 (M2), a7 (M7) = 5; cured: a3 (M0), a5 (paid) = 2.
    assert kpis.cure_rate(m) == D("0.4000")
    # By balance: (300 + 200) / (1300 + 1200 + 5000) = 500 / 7500 = 0.06666...
    assert kpis.cure_rate(m, "balance") == D("0.0667")
    assert kpis.cure_rate(kpis.roll_matrix([PORTFOLIO[0]])) is None
    with pytest.raises(ValueError, match="basis"):
        kpis.cure_rate(m, "amount")


def test_liquidation_rate_per_bucket() -> None:
    q = kpis.liquidation_rates(PORTFOLIO)
    assert set(q) == {0, 1, 2, 7, CHARGED_OFF}  # paid (a9) owes nothing: left out
    # M0: (200 + 0) / (1000 + 500) = 0.13333; M1: (100 + 0 + 200) / 1300 = 0.23077;
    # M2: 50 / 1200 = 0.041666; M7: 0 / 5000; charged off: 400 / 4000.
    assert (q[0].accounts, q[0].start_owed_fen, q[0].collected_fen, q[0].rate) == (2, 1500_00, 200_00, D("0.1333"))
    assert (q[1].accounts, q[1].collected_fen, q[1].rate) == (3, 300_00, D("0.2308"))
    assert q[2].rate == D("0.0417")
    assert q[7].rate == D("0.0000")
    assert q[CHARGED_OFF].rate == D("0.1000")
    assert kpis.Liquidation(0, 0, 0).rate is None


def test_liquidation_counts_an_account_up_to_what_it_owed_at_the_start() -> None:
    # A current account owed 100.00 and paid 500.00 (its new purchases too): 100.00 of it liquidates
    # the opening balance. With another owing 300.00 that paid 60.00: (100 + 60) / (100 + 300) = 0.4.
    spender = replace(PORTFOLIO[0], start_state=0, start_owed_fen=100_00, collected_fen=500_00)
    payer = replace(PORTFOLIO[0], account_id=99, start_state=0, start_owed_fen=300_00, collected_fen=60_00)
    q = kpis.liquidation_rates([spender, payer])[0]
    assert (q.accounts, q.start_owed_fen, q.collected_fen, q.rate) == (2, 400_00, 160_00, D("0.4000"))


def contacts() -> tuple[ContactFact, ...]:
    """10 attempts: 6 reached somebody, 4 of them the cardholder; acme made 4 (1 right party)."""
    bank = [ContactFact(A, reached=True, right_party=True)] * 3 + [ContactFact(A, reached=True, right_party=False)]
    bank += [ContactFact(B, reached=False, right_party=False)] * 2
    acme = [ContactFact(B, reached=True, right_party=True, agency="acme")]
    acme += [ContactFact(B, reached=True, right_party=False, agency="acme")]
    acme += [ContactFact(B, reached=False, right_party=False, agency="acme")] * 2
    return tuple(bank + acme)


def test_contact_and_right_party_contact_rates_per_attempt() -> None:
    r = kpis.contact_rates(contacts())
    assert (r.attempts, r.reached, r.right_party) == (10, 6, 4)
    assert (r.contact_rate, r.rpc_rate) == (D("0.6000"), D("0.4000"))
    assert kpis.contact_rates([]).rpc_rate is None


def p(taken: str, promised: str, amount: str, paid: str, status: str) -> PromiseFact:
    return PromiseFact(
        keys=A,
        taken_on=dt.date.fromisoformat(taken),
        promised_date=dt.date.fromisoformat(promised),
        amount_fen=int(D(amount) * 100),
        paid_fen=int(D(paid) * 100),
        status=status,
    )


PROMISES = (
    p("2026-06-02", "2026-06-10", "100.00", "100.00", "kept"),
    p("2026-06-05", "2026-06-12", "200.00", "50.00", "partly_kept"),
    p("2026-06-20", "2026-07-05", "300.00", "0", "open"),  # due after the period: not judged
    p("2026-05-25", "2026-06-03", "250.00", "0", "broken"),  # taken before the period
    p("2026-06-08", "2026-06-15", "80.00", "0", "cancelled"),  # neither taken nor judged
    p("2026-05-31", "2026-06-30", "90.00", "90.00", "kept"),  # taken on start (excluded), due on end (in)
)


def test_promise_rate_and_kept_rate_by_count_and_by_amount() -> None:
    r = kpis.promise_rates(PROMISES, contacts(), start=START, end=END)
    # Taken in (05-31, 06-30], not cancelled: the first three; 4 right-party contacts -> 3 / 4.
    assert (r.taken, r.promised_fen, r.right_party, r.promise_rate) == (3, 600_00, 4, D("0.7500"))
    # Judged with a promised date in the period: 100 kept, 200 partly (50 paid), 250 broken, 90 kept.
    assert (r.judged, r.kept, r.kept_rate) == (4, 2, D("0.5000"))
    # By amount: (100 + 50 + 0 + 90) / (100 + 200 + 250 + 90) = 240 / 640 = 0.375.
    assert (r.kept_fen, r.judged_fen, r.kept_rate_amount) == (240_00, 640_00, D("0.3750"))
    none = kpis.promise_rates([], [], start=START, end=END)
    assert (none.promise_rate, none.kept_rate, none.kept_rate_amount) == (None, None, None)


def test_a_payment_beyond_the_promise_counts_only_up_to_the_promise() -> None:
    over = p("2026-06-02", "2026-06-10", "100.00", "150.00", "kept")
    assert kpis.promise_rates([over], [], start=START, end=END).kept_rate_amount == D("1.0000")


def co(n: int, on: str, amount: str, *recoveries: tuple[str, str]) -> ChargeOffFact:
    return ChargeOffFact(
        account_id=n,
        keys=B,
        charged_off_on=dt.date.fromisoformat(on),
        charged_off_fen=int(D(amount) * 100),
        recoveries=tuple((dt.date.fromisoformat(d), int(D(a) * 100)) for d, a in recoveries),
    )


def test_recovery_rate_by_vintage_and_months_since() -> None:
    facts = [
        co(1, "2026-04-10", "1000.00", ("2026-04-20", "100.00"), ("2026-05-15", "50.00"), ("2026-06-01", "20.00")),
        co(2, "2026-04-25", "3000.00", ("2026-06-30", "300.00"), ("2026-07-02", "999.00")),  # July: after as_of
        co(3, "2026-06-05", "500.00"),
        co(4, "2026-07-01", "700.00"),  # charged off after as_of: left out
    ]
    april, june = kpis.recovery_by_vintage(facts, as_of=END)
    # April: 4,000.00 charged off; April 100, May 50 (150), June 20 + 300 (470).
    assert (april.month, april.accounts, april.charged_off_fen) == (dt.date(2026, 4, 1), 2, 4000_00)
    assert april.cumulative_fen == (100_00, 150_00, 470_00)
    assert april.rates == (D("0.0250"), D("0.0375"), D("0.1175"))
    assert april.recovered_fen == 470_00
    assert (june.month, june.cumulative_fen, june.rates) == (dt.date(2026, 6, 1), (0,), (D("0.0000"),))
    empty = kpis.recovery_by_vintage([co(5, "2026-06-05", "0")], as_of=END)
    assert empty[0].rates == (None,)


def test_agency_performance_and_complaints_per_thousand_contacts() -> None:
    placements = [
        PlacementFact(1, "acme", B, placed_fen=1000_00, collected_fen=200_00, commission_fen=30_00),
        PlacementFact(2, "acme", B, placed_fen=3000_00, collected_fen=0, commission_fen=0),
        PlacementFact(3, "beta", A, placed_fen=500_00, collected_fen=100_00, commission_fen=10_00),
    ]
    complaints = [ComplaintFact(B, agency="acme"), ComplaintFact(A), ComplaintFact(B)]
    perf = kpis.agency_performance(placements, contacts(), complaints)
    acme, beta = perf["acme"], perf["beta"]
    # acme: 200 / 4000 = 0.05; 1 complaint in 4 contacts = 250 per 1,000.
    assert (acme.placements, acme.placed_fen, acme.collected_fen, acme.commission_fen) == (2, 4000_00, 200_00, 30_00)
    assert (acme.liquidation_rate, acme.contacts, acme.complaints) == (D("0.0500"), 4, 1)
    assert acme.complaints_per_1000 == D("250.00")
    # beta: 100 / 500 = 0.2; no contacts: no rate.
    assert (beta.liquidation_rate, beta.contacts, beta.complaints_per_1000) == (D("0.2000"), 0, None)
    assert kpis.complaints_per_thousand(3, 10) == D("300.00")
    assert kpis.complaints_per_thousand(2, 3) == D("666.67")
    assert kpis.complaints_per_thousand(0, 0) is None


def test_average_days_to_cure() -> None:
    cures = [
        CureFact(1, A, dt.date(2026, 5, 1), dt.date(2026, 6, 10)),  # 40 days
        CureFact(2, A, dt.date(2026, 6, 1), dt.date(2026, 6, 15)),  # 14
        CureFact(3, B, dt.date(2026, 5, 20), dt.date(2026, 6, 30)),  # 41
    ]
    assert kpis.average_days_to_cure(cures) == D("31.67")  # 95 / 3
    assert kpis.average_days_to_cure([]) is None


def test_grouping_by_each_dimension() -> None:
    assert list(kpis.group(PORTFOLIO, None)) == ["all"]
    teams = kpis.group(PORTFOLIO, "team")
    assert [t.account_id for t in teams["A"]] == [1, 2, 5, 8, 9]
    assert [t.account_id for t in teams["B"]] == [3, 4, 6, 7]
    assert list(kpis.group(PORTFOLIO, "arm")) == ["challenger", "champion"]
    for by in kpis.DIMENSIONS:
        assert sum(len(g) for g in kpis.group(PORTFOLIO, by).values()) == len(PORTFOLIO)
    unenrolled = dataclasses.replace(PORTFOLIO[0], keys=Keys(team="A"))
    assert list(kpis.group([unenrolled, PORTFOLIO[1]], "arm")) == ["(none)", "champion"]
    with pytest.raises(ValueError, match="unknown dimension 'region'"):
        kpis.group(PORTFOLIO, "region")


def test_report_by_team() -> None:
    facts = Facts(start=START, end=END, transitions=PORTFOLIO, contacts=contacts(), promises=PROMISES)
    r = kpis.report(facts, "team")
    # Team A: delinquent a5 only, cured (paid): 1 / 1. Team B: a3, a4, a6, a7; a3 cured: 1 / 4.
    assert r["A"]["cure_rate"]["count"] == "1.0000"
    assert r["B"]["cure_rate"]["count"] == "0.2500"
    assert r["A"]["flow_rates"]["count"]["M0"] == "0.5000"
    assert r["B"]["contacts"] == {
        "attempts": 6,
        "reached": 2,
        "right_party": 1,
        "contact_rate": "0.3333",
        "rpc_rate": "0.1667",
    }
    everything = kpis.report(facts)["all"]
    assert everything["roll_matrix"]["count"]["M1"] == {"M0": 1, "M2": 1, "paid": 1}
    assert everything["promises"]["promise_rate"] == "0.7500"
    assert everything["complaints_per_1000_contacts"] == "0.00"


# -- properties ------------------------------------------------------------------------------------

keys = st.builds(Keys, team=st.sampled_from(["A", "B", ""]), arm=st.sampled_from(["champion", "challenger"]))
transitions = st.lists(
    st.builds(
        Transition,
        account_id=st.integers(1, 10**6),
        keys=keys,
        start_state=st.sampled_from(STATES),
        end_state=st.sampled_from(STATES),
        start_owed_fen=st.integers(-(10**6), 10**9),
        end_owed_fen=st.integers(-(10**6), 10**9),
        collected_fen=st.integers(0, 10**9),
    ),
    max_size=60,
)


@given(transitions)
def test_each_row_of_the_roll_matrix_adds_up_to_its_start(rows: list[Transition]) -> None:
    m = kpis.roll_matrix(rows)
    for s in STATES:
        starting = [r for r in rows if r.start_state == s]
        assert m.row(s) == len(starting)
        assert m.row(s, "balance") == sum(max(r.start_owed_fen, 0) for r in starting)
    assert sum(m.counts.values()) == len(rows)
    for basis in ("count", "balance"):
        rates = [r for r in kpis.flow_rates(m, basis).values() if r is not None]
        rates += [r for r in kpis.roll_rates(m, basis).values() if r is not None]
        cure = kpis.cure_rate(m, basis)
        assert all(D(0) <= r <= D(1) for r in [*rates, *([cure] if cure is not None else [])])


@given(transitions, st.sampled_from([None, *kpis.DIMENSIONS]))
def test_groups_partition_the_facts(rows: list[Transition], by: str | None) -> None:
    groups = kpis.split(Facts(start=START, end=END, transitions=tuple(rows)), by)
    assert sorted(r.account_id for g in groups.values() for r in g.transitions) == sorted(r.account_id for r in rows)
    counts = [kpis.roll_matrix(g.transitions).counts for g in groups.values()]
    whole = kpis.roll_matrix(rows).counts
    assert {c: sum(m.get(c, 0) for m in counts) for c in whole} == whole


@given(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=50))
def test_contact_rates_are_fractions_and_rpc_never_exceeds_contact(flags: list[tuple[bool, bool]]) -> None:
    # A right-party contact reached somebody.
    r = kpis.contact_rates([ContactFact(A, reached=a or b, right_party=b) for a, b in flags])
    if flags:
        assert r.contact_rate is not None and r.rpc_rate is not None
        assert D(0) <= r.rpc_rate <= r.contact_rate <= D(1)
    else:
        assert r.contact_rate is None


promise = st.builds(
    PromiseFact,
    keys=st.just(A),
    taken_on=st.dates(dt.date(2026, 5, 1), dt.date(2026, 7, 31)),
    promised_date=st.dates(dt.date(2026, 5, 1), dt.date(2026, 7, 31)),
    amount_fen=st.integers(1, 10**8),
    paid_fen=st.integers(0, 2 * 10**8),
    status=st.sampled_from(["open", "kept", "partly_kept", "broken", "cancelled"]),
)


@given(st.lists(promise, max_size=40))
def test_kept_rates_are_fractions(promises: list[PromiseFact]) -> None:
    r = kpis.promise_rates(promises, [], start=START, end=END)
    for rate in (r.kept_rate, r.kept_rate_amount):
        assert rate is None or D(0) <= rate <= D(1)
    assert r.kept <= r.judged and r.kept_fen <= r.judged_fen


@given(
    st.lists(
        st.builds(
            co,
            n=st.integers(1, 100),
            on=st.dates(dt.date(2025, 1, 1), dt.date(2026, 6, 30)).map(str),
            amount=st.integers(1, 10**7).map(lambda f: f"{f}.00"),
        ),
        max_size=20,
    )
)
def test_vintages_cover_every_charge_off_once_and_cumulate(facts: list[ChargeOffFact]) -> None:
    vintages = kpis.recovery_by_vintage(facts, as_of=END)
    assert sum(v.accounts for v in vintages) == len(facts)
    assert sum(v.charged_off_fen for v in vintages) == sum(f.charged_off_fen for f in facts)
    for v in vintages:
        assert len(v.cumulative_fen) == kpis.months_between(v.month, END) + 1
