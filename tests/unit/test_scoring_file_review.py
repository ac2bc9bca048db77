"""Review of issue 13: a legacy file or mapping that reads as something other than what it says is
refused, naming the column or key (before, each of these was read silently, keeping one of two)."""

from __future__ import annotations

import pytest

from arrears.errors import ValidationFailed
from arrears.scoring import rules

MAPPING = """
target: bad
id: id
features: {status_m1: s1, balance_m1: bal}
protected: [sex]
"""


def csv_text(header: str = "id,s1,bal,sex,bad", extra: str = "") -> str:
    lines = [header]
    for i in range(40):
        lines.append(f"{i},{i % 4 - 1},{1000 + i}.50,{'F' if i % 2 else 'M'},{1 if i % 4 == 3 else 0}{extra}")
    return "\n".join(lines) + "\n"


def refused(text: str, mapping: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        rules.read_training(text, rules.parse_mapping(mapping))
    return caught.value


def test_a_header_naming_a_column_twice_is_refused() -> None:
    # Before: {name: index} kept the last "bal" (the 9s), so balance_m1 was trained on the wrong column.
    error = refused(csv_text(header="id,s1,bal,sex,bad,bal", extra=",9"), MAPPING)
    assert error.field == "bal" and "twice" in error.message and "columns 3 and 6" in error.message


def test_a_mapping_giving_a_key_twice_is_refused() -> None:
    # Before: PyYAML kept the last status_m1 (bal) and dropped s1 without a word.
    error = refused(csv_text(), MAPPING.replace("{status_m1: s1, balance_m1: bal}", "{status_m1: s1, status_m1: bal}"))
    assert error.field == "mapping.features.status_m1" and "twice" in error.message
    error = refused(csv_text(), MAPPING + "target: sex\n")
    assert error.field == "mapping.target"


def test_one_column_under_two_canonical_names_is_refused() -> None:
    error = refused(csv_text(), MAPPING.replace("balance_m1: bal", "status_m2: s1"))
    assert error.field == "mapping.features.status_m2" and "already mapped to status_m1" in error.message


@pytest.mark.parametrize("column", ["bad", "s1", "sex"])
def test_the_id_is_not_also_the_target_a_feature_or_protected(column: str) -> None:
    error = refused(csv_text(), MAPPING.replace("id: id", f"id: {column}"))
    assert error.field == "mapping.id"


def test_an_id_given_twice_or_empty_names_its_rows() -> None:
    lines = csv_text().splitlines()
    lines[6] = "2" + lines[6][1:]  # row 6 (id 5) now repeats row 3's id 2
    error = refused("\n".join(lines) + "\n", MAPPING)
    assert (error.field, error.message) == ("id", "row 6: id '2' is also on row 3")
    lines = csv_text().splitlines()
    lines[6] = lines[6][1:]  # row 6 without its id
    error = refused("\n".join(lines) + "\n", MAPPING)
    assert (error.field, error.message) == ("id", "row 6: the id is empty")


def test_a_byte_order_mark_and_crlf_still_read() -> None:
    data = rules.read_training("\ufeff" + csv_text().replace("\n", "\r\n"), rules.parse_mapping(MAPPING))
    assert len(data.y) == 40 and data.x[0] == [-1.0, 1000.5]
