"""Money: the strict parser of amounts, exact Decimal amounts, fen in the database, half-up rounding,
largest-remainder split."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from arrears.errors import CODES, ValidationFailed
from arrears.money import (
    CENT,
    MAX_AMOUNT,
    AmountError,
    fen_half_up,
    format_fen,
    from_fen,
    parse_amount,
    parse_rate,
    round_cents,
    split_largest_remainder,
    to_fen,
)

AMOUNTS = st.decimals(min_value=0, max_value=MAX_AMOUNT - CENT, places=2, allow_nan=False, allow_infinity=False)
FULL_WIDTH = {str(d): chr(ord("０") + d) for d in range(10)}


def grouped(amount: Decimal) -> str:
    return f"{amount:,.2f}"


class TestParseAmount:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1200", "1200.00"),
            ("1200.5", "1200.50"),
            ("0.10", "0.10"),
            (" 1,234.56 ", "1234.56"),
            ("1,500.00", "1500.00"),
            ("12,345,678", "12345678.00"),
            ("999,999,999,999,999.99", "999999999999999.99"),
            ("0", "0.00"),
            (7, "7.00"),
            (Decimal("0.1"), "0.10"),
            (Decimal("1E+2"), "100.00"),
        ],
    )
    def test_reads_an_exact_amount_with_two_decimals(self, text: object, expected: str) -> None:
        assert parse_amount(text) == Decimal(expected)
        assert str(parse_amount(text)) == expected

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            # The probe's examples: a decimal comma read as a thousands separator, and Python's own leniency.
            ("1,50", "amount_grouping"),
            ("15,00", "amount_grouping"),
            ("1,5000", "amount_grouping"),
            ("1,2,3", "amount_grouping"),
            ("12,34.56", "amount_grouping"),
            (",500", "amount_grouping"),
            ("1,500,00", "amount_grouping"),
            ("0,500", "amount_grouping"),
            ("1.234,56", "not_a_number"),
            ("1_000", "amount_underscore"),
            ("1e2", "amount_exponent"),
            ("1E+2", "amount_exponent"),
            ("1.5e-3", "amount_exponent"),
            ("１２３", "amount_full_width"),
            ("1２3.00", "amount_full_width"),
            ("12．50", "amount_full_width"),
            ("١٢٣", "amount_full_width"),
            ("1 000", "amount_spaces"),
            ("1\u00a0000.00", "amount_spaces"),
            ("+5", "amount_plus_sign"),
            ("-5", "must_not_be_negative"),
            ("-0.01", "must_not_be_negative"),
            ("NaN", "not_finite"),
            ("-Infinity", "not_finite"),
            ("inf", "not_finite"),
            ("12.345", "too_many_decimals"),
            ("1,234.567", "too_many_decimals"),
            ("1000000000000000", "too_large"),
            ("1" * 100, "too_large"),
            ("999999999999999.999", "too_many_decimals"),
            ("", "required"),
            ("   ", "required"),
            ("abc", "not_a_number"),
            ("5.", "not_a_number"),
            (".5", "not_a_number"),
            ("1.2.3", "not_a_number"),
            ("--5", "not_a_number"),
            ("¥100", "not_a_number"),
            ("0x10", "not_a_number"),
        ],
    )
    def test_refuses_what_is_not_an_amount_with_a_code_for_each_reason_naming_the_field(
        self, text: str, code: str
    ) -> None:
        with pytest.raises(AmountError) as refused:
            parse_amount(text, field="price")

        assert (refused.value.code, refused.value.field, refused.value.status) == (code, "price", 422)
        assert str(refused.value).startswith("price: ")

    def test_says_why_a_comma_is_refused(self) -> None:
        with pytest.raises(AmountError, match=r"comma .* thousands.*groups? .*three.*point \(1\.50\)"):
            parse_amount("1,50")

    def test_takes_a_minus_sign_only_where_the_caller_allows_negatives(self) -> None:
        assert parse_amount("-1,500.25", allow_negative=True) == Decimal("-1500.25")
        assert parse_amount(-3, allow_negative=True) == Decimal("-3.00")
        with pytest.raises(AmountError, match="negative"):
            parse_amount(Decimal("-3"))

    @pytest.mark.parametrize("value", [0.1, None, True, [], {"amount": "1.00"}])
    def test_refuses_what_is_not_text_an_int_or_a_decimal(self, value: object) -> None:
        with pytest.raises(AmountError) as refused:
            parse_amount(value)
        assert refused.value.code == ("amount_not_a_string" if isinstance(value, float) else "not_a_number")

    @pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("1E15"), 10**15, Decimal("0.001")])
    def test_holds_a_decimal_or_an_int_to_the_same_rules_by_value(self, value: object) -> None:
        with pytest.raises(AmountError):
            parse_amount(value)

    @given(AMOUNTS, st.booleans())
    def test_every_two_decimal_amount_written_plain_or_grouped_reads_back_as_itself(
        self, amount: Decimal, group: bool
    ) -> None:
        text = grouped(amount) if group else f"{amount:.2f}"
        assert parse_amount(text) == amount
        assert parse_amount(f"-{text}", allow_negative=True) == -amount

    @given(st.integers(min_value=10, max_value=10**14), st.data())
    def test_a_comma_anywhere_but_between_groups_of_three_is_refused(self, whole: int, data: st.DataObject) -> None:
        digits = str(whole)
        right = {i for i in range(1, len(digits)) if (len(digits) - i) % 3 == 0}
        commas = data.draw(st.sets(st.integers(min_value=0, max_value=len(digits)), min_size=1))
        assume(commas != right)
        text = "".join("," * (i in commas) + d for i, d in enumerate(digits)) + "," * (len(digits) in commas)
        decimals = data.draw(st.sampled_from(["", ".5", ".50"]))

        with pytest.raises(AmountError) as refused:
            parse_amount(text + decimals)
        assert refused.value.code == "amount_grouping"

    @given(AMOUNTS, st.booleans(), st.data())
    def test_an_underscore_an_exponent_or_a_full_width_digit_is_refused(
        self, amount: Decimal, group: bool, data: st.DataObject
    ) -> None:
        text = grouped(amount) if group else f"{amount:.2f}"
        at = data.draw(st.integers(min_value=0, max_value=len(text)))
        digit_at = data.draw(st.sampled_from([i for i, ch in enumerate(text) if ch.isdigit()]))
        exponent = data.draw(st.sampled_from(["e2", "E-1", "e+0", "E5"]))

        for spoiled, code in [
            (text[:at] + "_" + text[at:], "amount_underscore"),
            (f"{amount:.2f}".rstrip("0").rstrip(".") + exponent, "amount_exponent"),
            (text[:digit_at] + FULL_WIDTH[text[digit_at]] + text[digit_at + 1 :], "amount_full_width"),
        ]:
            with pytest.raises(AmountError) as refused:
                parse_amount(spoiled)
            assert refused.value.code == code, spoiled

    @given(
        st.text(alphabet="0123456789,.-+eE_ 　０１９．，٣", max_size=24)
        | st.from_regex(r"-?[0-9,]{1,25}(\.[0-9]{0,4})?")
    )
    def test_never_returns_more_than_two_decimals_or_an_amount_beyond_the_bound(self, text: str) -> None:
        try:
            value = parse_amount(text, allow_negative=True)
        except AmountError as refused:
            assert refused.code in CODES and CODES[refused.code] in ("amount_invalid", "validation_failed")
            return
        assert value.as_tuple().exponent == -2
        assert abs(value) < MAX_AMOUNT
        assert text.strip().isascii() and "e" not in text.lower() and "_" not in text


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
        assert parse_amount(format_fen(fen), allow_negative=True) == from_fen(fen)

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


class TestParseRate:
    @pytest.mark.parametrize("text", ["0.18", "0", "12.5", "0.00012345", " 0.2 "])
    def test_reads_a_decimal_fraction_exactly(self, text: str) -> None:
        assert parse_rate(text, field="annual_rate") == Decimal(text.strip())

    @pytest.mark.parametrize(
        "text", ["1e-2", "1_0", "０.１", "-0.1", "+0.1", "0,18", "1,000", "NaN", "Infinity", "", ".5", "1000"]
    )
    def test_refuses_what_is_not_written_out_in_ascii_digits(self, text: str) -> None:
        with pytest.raises(ValidationFailed) as refused:
            parse_rate(text, field="fee_rate")
        assert refused.value.field == "fee_rate"

    def test_refuses_a_number_that_is_not_text(self) -> None:
        with pytest.raises(ValidationFailed):
            parse_rate(0.18, field="annual_rate")

    @given(st.decimals(min_value=0, max_value=Decimal("999.99999999"), places=8, allow_nan=False))
    def test_every_rate_written_out_reads_back_as_itself(self, rate: Decimal) -> None:
        assert parse_rate(f"{rate:f}", field="annual_rate") == rate
