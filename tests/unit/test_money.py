"""Money: exact Decimal amounts, fen in the database, half-up rounding, largest-remainder split."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.money import (
    AmountError,
    fen_half_up,
    format_fen,
    from_fen,
    parse_amount,
    round_cents,
    split_largest_remainder,
    to_fen,
)


class TestParseAmount:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [("1200", "1200.00"), ("1200.5", "1200.50"), (" 1,234.56 ", "1234.56"), (7, "7.00"), (Decimal("0.1"), "0.10")],
    )
    def test_reads_an_exact_amount_with_two_decimals(self, text: object, expected: str) -> None:
        assert parse_amount(text) == Decimal(expected)
        assert str(parse_amount(text)) == expected

    @pytest.mark.parametrize(
        ("text", "words"),
        [("12.345", "more than two decimals"), ("abc", "not a number"), ("", "not a number"), ("NaN", "finite")],
    )
    def test_refuses_what_is_not_an_amount_naming_the_field(self, text: str, words: str) -> None:
        with pytest.raises(AmountError, match=f"^price: .*{words}"):
            parse_amount(text, field="price")

    def test_refuses_a_float(self) -> None:
        with pytest.raises(AmountError, match="not a float"):
            parse_amount(0.1)

    @pytest.mark.parametrize("text", ["1e30", "99999999999999999999999999999", "-1E+40"])
    def test_refuses_an_amount_too_large_to_hold_in_cents_with_an_amount_error(self, text: str) -> None:
        with pytest.raises(AmountError, match=r"^amount: .* too large"):
            parse_amount(text)


class TestFen:
    def test_converts_yuan_to_fen_exactly(self) -> None:
        assert to_fen(Decimal("1234.56")) == 123456
        assert to_fen(Decimal("-0.01")) == -1
        assert from_fen(123456) == Decimal("1234.56")
        assert format_fen(-5) == "-0.05"

    def test_refuses_sub_cent_amounts_instead_of_rounding(self) -> None:
        with pytest.raises(AmountError, match="more than two decimals"):
            to_fen(Decimal("0.005"))

    def test_refuses_floats(self) -> None:
        with pytest.raises(AmountError, match="Decimal"):
            to_fen(0.5)  # type: ignore[arg-type]

    def test_rounds_half_up_to_the_cent_and_the_fen(self) -> None:
        # 11.475 -> 11.48 and 1147.5 fen -> 1148; banker's rounding would give 11.48/1148 too,
        # so also 0.125 -> 0.13 (banker's: 0.12) and 2.5 fen -> 3 (banker's: 2).
        assert round_cents(Decimal("11.475")) == Decimal("11.48")
        assert round_cents(Decimal("0.125")) == Decimal("0.13")
        assert fen_half_up(Decimal("2.5")) == 3
        assert fen_half_up(Decimal("-2.5")) == -3
        assert fen_half_up(Decimal("2.4999")) == 2

    @given(st.integers(min_value=-(10**15), max_value=10**15))
    def test_fen_round_trip(self, fen: int) -> None:
        assert to_fen(from_fen(fen)) == fen
        assert parse_amount(format_fen(fen)) == from_fen(fen)

    def test_the_float_trap_is_on(self) -> None:
        with pytest.raises(decimal.FloatOperation):
            Decimal("1.00") < 0.5  # noqa: B015


class TestSplitLargestRemainder:
    def test_gives_the_leftover_fen_to_the_largest_remainders(self) -> None:
        # 100 fen over weights 1, 1, 1: exact 33.33 each -> 33, 33, 33 and 1 fen left,
        # which goes to the first (equal remainders: ties to the earlier part).
        assert split_largest_remainder(100, [Decimal(1)] * 3) == [34, 33, 33]
        # 1000 fen over 0.5, 0.3, 0.2 of... weights 5, 3, 2 sum 10: 500, 300, 200 exactly.
        assert split_largest_remainder(1000, [Decimal(5), Decimal(3), Decimal(2)]) == [500, 300, 200]
        # 10 fen over 1, 2, 4 (sum 7): exact 1.43, 2.86, 5.71 -> floors 1, 2, 5 = 8;
        # 2 fen left to the largest remainders 0.86 (part 2) and 0.71 (part 3): 1, 3, 6.
        assert split_largest_remainder(10, [Decimal(1), Decimal(2), Decimal(4)]) == [1, 3, 6]

    def test_refuses_empty_or_zero_weights(self) -> None:
        with pytest.raises(ValueError, match="empty"):
            split_largest_remainder(10, [])
        with pytest.raises(ValueError, match="positive"):
            split_largest_remainder(10, [Decimal(0), Decimal(0)])

    @given(
        st.integers(min_value=-(10**12), max_value=10**12),
        st.lists(st.decimals(min_value=0, max_value=10**6, places=6), min_size=1, max_size=12).filter(
            lambda ws: sum(ws) > 0
        ),
    )
    def test_parts_sum_exactly_to_the_total_and_stay_within_a_fen_of_the_exact_share(
        self, total: int, weights: list[Decimal]
    ) -> None:
        parts = split_largest_remainder(total, weights)

        assert sum(parts) == total
        assert len(parts) == len(weights)
        weight_sum = sum(weights)
        for part, weight in zip(parts, weights, strict=True):
            exact = Decimal(total) * weight / weight_sum
            assert exact - 1 < part < exact + 1
