"""The roll-rate forecast (arrears.insight.forecast) and the insight pages' pure helpers
(arrears.insight.board), pinned by a small portfolio worked by hand.

Four accounts, amounts in yuan (x 100 in fen), month by month (state at the start -> at the end,
owed at the start):

    span        a1              a2              a3              a4
    Jan         M0 -> M0 1000   M0 -> M1  500   M1 -> M0  300   M1 -> M2  700
    Feb         M0 -> M0 1000   M1 -> M2  600   M0 -> M0  300   M2 -> M3  800
    Mar         M0 -> M1 1000   M2 -> M3  700   M0 -> M0  300   M3 -> CO  900
    Apr         M1 -> M0 1100   M3 -> CO  750   M0 -> M0  300   CO -> CO  900
    owed 04-30        600             750             300             900

The average roll matrix of Jan ... Mar, by balance (sums over the three months):
    M0 row 1500 + 1300 + 1300 = 4100: -> M0 1000 + 1300 + 300 = 2600, -> M1 500 + 1000 = 1500;
    M1 row 1000 + 600 = 1600: -> M0 300, -> M2 700 + 600 = 1300;
    M2 row 800 + 700 = 1500: all -> M3;  M3 row 900: all -> charged off;
    M4 ... M7 and charged off owed nothing: they keep their balance (rate 1 to themselves).
Balances at 03-31: M0 300 (a3), M1 1100 (a1), M3 750 (a2), charged off 900 (a4): 3,050.00.
Forecast for April (fen, half up per state):
    M0 = 30000 x 2600/4100 + 110000 x 300/1600 = 19024.39 + 20625 = 39649.39 -> 39649
    M1 = 30000 x 1500/4100 = 10975.61 -> 10976
    M2 = 110000 x 1300/1600 = 89375
    M3 = 0 (nothing was in M2);  charged off = 75000 x 1 + 90000 x 1 = 165000
    total 305000 (= the balances at 03-31: the rates of a row add up to 1).
What happened at 04-30: M0 600 + 300 = 90000, charged off 750 + 900 = 165000, total 255000.
Errors: M0 39649 - 90000 = -50351 (-50351 / 90000 = -0.55946 -> -0.5595); M1 +10976 (nothing
owed: no %), M2 +89375, charged off 0 (0.0000); total +50000 (50000 / 255000 = 0.19608 -> 0.1961).

The forecast made at 04-30 uses Feb ... Apr: M0 row 130000 + 130000 + 30000 = 290000, -> M0
130000 + 30000 + 30000 = 190000, -> M1 100000; M1 row Apr 110000 -> M0; M3 row 75000 -> charged
off; charged off row 90000 -> itself. Balances at 04-30: M0 90000, charged off 165000. So M0 =
90000 x 190000/290000 = 58965.52 -> 58966, M1 = 90000 x 100000/290000 = 31034.48 -> 31034,
charged off 165000.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from arrears.insight import board, forecast, kpis
from arrears.insight.kpis import (
    BROKEN,
    CANCELLED,
    CHARGED_OFF,
    KEPT,
    ContactFact,
    Facts,
    Keys,
    MonthStep,
    PromiseFact,
    Transition,
)

D = dt.date
ENDS = [D(2025, 12, 31), D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)]
A, B = Keys(team="A"), Keys(team="B")
# account -> keys, then per month (start state, end state, owed at the start in yuan)
PATHS = {
    1: (A, [(0, 0, 1000), (0, 0, 1000), (0, 1, 1000), (1, 0, 1100)]),
    2: (B, [(0, 1, 500), (1, 2, 600), (2, 3, 700), (3, CHARGED_OFF, 750)]),
    3: (A, [(1, 0, 300), (0, 0, 300), (0, 0, 300), (0, 0, 300)]),
    4: (B, [(1, 2, 700), (2, 3, 800), (3, CHARGED_OFF, 900), (CHARGED_OFF, CHARGED_OFF, 900)]),
}
OWED_AT_END = {1: 600, 2: 750, 3: 300, 4: 900}


def steps() -> list[MonthStep]:
    return [
        MonthStep(
            account_id=pk, keys=keys, start=ENDS[i], end=ENDS[i + 1], start_state=a, end_state=b, start_owed_fen=o * 100
        )
        for pk, (keys, path) in PATHS.items()
        for i, (a, b, o) in enumerate(path)
    ]


def transitions() -> list[Transition]:
    return [
        Transition(
            account_id=pk,
            keys=keys,
            start_state=path[0][0],
            end_state=path[-1][1],
            start_owed_fen=path[0][2] * 100,
            end_owed_fen=OWED_AT_END[pk] * 100,
            collected_fen=0,
        )
        for pk, (keys, path) in PATHS.items()
    ]


def test_the_forecast_made_at_the_end_of_march_against_april() -> None:
    [check] = forecast.backtest(steps(), transitions(), months=3)
    assert (check.made_at, check.end) == (D(2026, 3, 31), D(2026, 4, 30))
    assert dict(check.forecast) == {0: 39649, 1: 10976, 2: 89375, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, CHARGED_OFF: 165000}
    assert dict(check.actual) == {0: 90000, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, CHARGED_OFF: 165000}
    assert (check.error(0), check.error_rate(0)) == (-50351, Decimal("-0.5595"))
    assert (check.error(1), check.error_rate(1)) == (10976, None)
    assert (check.error(CHARGED_OFF), check.error_rate(CHARGED_OFF)) == (0, Decimal("0.0000"))
    assert (check.forecast_total, check.actual_total) == (305000, 255000)
    assert (check.total_error, check.total_error_rate) == (50000, Decimal("0.1961"))


def test_next_month_from_the_last_three_whole_months() -> None:
    nxt = forecast.next_month(steps(), transitions(), months=3)
    assert nxt is not None
    assert nxt.made_at == D(2026, 4, 30)
    assert nxt.months == (
        (D(2026, 1, 31), D(2026, 2, 28)),
        (D(2026, 2, 28), D(2026, 3, 31)),
        (D(2026, 3, 31), D(2026, 4, 30)),
    )
    assert nxt.start[0] == 90000 and nxt.start[CHARGED_OFF] == 165000 and nxt.start_total == 255000
    assert (nxt.forecast[0], nxt.forecast[1], nxt.forecast[CHARGED_OFF]) == (58966, 31034, 165000)
    assert nxt.forecast_total == 255000


def test_too_few_whole_months_give_no_forecast() -> None:
    assert forecast.next_month(steps(), transitions(), months=5) is None
    assert forecast.backtest(steps(), transitions(), months=4) == []
    # A period starting mid-month: its first span is not a whole month and is not used.
    assert not forecast.whole_month((D(2026, 1, 15), D(2026, 1, 31)))
    assert forecast.whole_month((D(2026, 1, 31), D(2026, 2, 28)))


def test_average_rates_keep_a_state_that_owed_nothing_in_place() -> None:
    rates = forecast.average_rates([kpis.RollMatrix(counts={(0, 1): 1}, balances={(0, 1): 100})])
    assert rates[0, 1] == 1 and rates[5, 5] == 1 and rates[CHARGED_OFF, CHARGED_OFF] == 1
    assert forecast.forecast({0: 250, 5: 40}, rates) == {**dict.fromkeys(forecast.STATES, 0), 1: 250, 5: 40}


def facts() -> Facts:
    day = D(2026, 4, 10)
    return Facts(
        start=ENDS[0],
        end=ENDS[-1],
        transitions=tuple(transitions()),
        months=tuple(steps()),
        contacts=(
            ContactFact(keys=A, reached=True, right_party=True, on=D(2026, 3, 5)),
            ContactFact(keys=A, reached=False, right_party=False, on=D(2026, 3, 6)),
            ContactFact(keys=B, reached=True, right_party=True, on=day),
            ContactFact(keys=B, reached=True, right_party=False, on=day),
        ),
        promises=(
            PromiseFact(
                keys=A, taken_on=D(2026, 3, 5), promised_date=D(2026, 3, 9), amount_fen=100, paid_fen=100, status=KEPT
            ),
            PromiseFact(keys=B, taken_on=day, promised_date=D(2026, 4, 12), amount_fen=100, paid_fen=0, status=BROKEN),
            PromiseFact(
                keys=B, taken_on=day, promised_date=D(2026, 4, 12), amount_fen=100, paid_fen=0, status=CANCELLED
            ),
        ),
    )


def test_a_leads_share_and_the_funnel() -> None:
    """All: 4 attempts, 2 right-party (50 %), 2 promises not cancelled (100 % of right-party), 1 kept
    (50 %). Team A's share: 2 attempts, 1 right-party, 1 promise, kept."""
    f = board.funnel(facts())
    assert f.steps == [
        ("attempts", 4, None),
        ("right_party", 2, Decimal("0.5000")),
        ("promises", 2, Decimal("1.0000")),
        ("kept", 1, Decimal("0.5000")),
    ]
    a = board.only_teams(facts(), ["A"])
    assert {t.account_id for t in a.transitions} == {1, 3} and {s.account_id for s in a.months} == {1, 3}
    assert board.funnel(a) == board.Funnel(attempts=2, right_party=1, promises=1, kept=1)


def test_monthly_trends() -> None:
    """Cure: of the accounts in M1 ... M7 at the start. Jan: a3, a4 in M1, a3 cures, a4 rolls to M2:
    roll M1 -> M2 1/2, cure 1/2; Feb: a2 (M1) rolls, a4 (M2) too: roll 1/1, cure 0/2; Mar: no M1,
    a2 (M2) and a4 (M3) do not cure: 0/2; Apr: a1 M1 -> M0 (roll 0/1), a2 M3 -> charged off, a4
    charged off is not delinquent: cure 1/2.
    RPC: Mar 1 of 2, Apr 1 of 2; kept: Mar 1 of 1, Apr 0 of 1 (the cancelled one is not judged)."""
    months = board.trends(facts(), "count")
    assert [(m.end, m.roll_m1_m2, m.cure, m.rpc, m.kept) for m in months] == [
        (ENDS[1], Decimal("0.5000"), Decimal("0.5000"), None, None),
        (ENDS[2], Decimal("1.0000"), Decimal("0.0000"), None, None),
        (ENDS[3], None, Decimal("0.0000"), Decimal("0.5000"), Decimal("1.0000")),
        (ENDS[4], Decimal("0.0000"), Decimal("0.5000"), Decimal("0.5000"), Decimal("0.0000")),
    ]
