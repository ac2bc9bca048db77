"""Card numbers shown masked (PCI DSS 3.4: at most the first six and last four digits) and the
internal account reference that stands in for them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from arrears.kernel.pan import REF_ALPHABET, is_account_ref, mask_pan, new_account_ref

digits = st.text(alphabet="0123456789", min_size=0, max_size=32)


def test_a_sixteen_digit_card_number_keeps_its_first_six_and_last_four_digits() -> None:
    assert mask_pan("6225881234561234") == "622588******1234"


def test_a_nineteen_digit_card_number_keeps_its_first_six_and_last_four_digits() -> None:
    assert mask_pan("6212345678901234567") == "621234*********4567"


def test_a_short_number_keeps_only_its_last_four_digits() -> None:
    assert mask_pan("620000000001") == "********0001"


def test_a_number_of_four_digits_or_fewer_is_hidden_entirely() -> None:
    assert mask_pan("1234") == "****"
    assert mask_pan("") == ""


def test_masking_a_masked_number_changes_nothing() -> None:
    assert mask_pan(mask_pan("6225881234561234")) == "622588******1234"


@given(digits)
def test_never_more_than_ten_digits_are_revealed(pan: str) -> None:
    masked = mask_pan(pan)
    assert len(masked) == len(pan)
    assert sum(c.isdigit() for c in masked) <= 10
    assert sum(c.isdigit() for c in masked) <= max(len(pan) - 1, 0)  # something is always hidden


@given(digits.filter(lambda p: len(p) > 4))
def test_a_masked_number_always_ends_in_the_last_four_digits(pan: str) -> None:
    masked = mask_pan(pan)
    assert masked.endswith(pan[-4:])
    assert all(m in ("*", p) for m, p in zip(masked, pan, strict=True))
    assert masked != pan


@given(digits.filter(lambda p: len(p) >= 13))
def test_a_card_number_shows_at_most_its_bin(pan: str) -> None:
    masked = mask_pan(pan)
    assert masked[:6] == pan[:6] and masked[6:-4] == "*" * (len(pan) - 10)


def test_an_account_reference_is_opaque_and_recognised_in_any_case() -> None:
    refs = {new_account_ref() for _ in range(2000)}
    assert len(refs) == 2000
    for ref in refs:
        assert ref.startswith("AC") and len(ref) == 14 and all(c in REF_ALPHABET for c in ref[2:])
        assert is_account_ref(ref) and is_account_ref(ref.lower())
    assert not is_account_ref("6225881234561234")
    assert not is_account_ref("AC12")
