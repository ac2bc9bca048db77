"""Policy packs as data: every rule of docs/regulations.md, typed parameters, effective dates, overrides."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from arrears.compliance.packs import PACKS_DIR, load_pack
from arrears.errors import ValidationFailed

ON = dt.date(2026, 3, 1)
REGULATIONS = Path(__file__).resolve().parents[2] / "docs" / "regulations.md"
_PACK_HEADING = re.compile(r"^## .*\(pack (?P<pack>[A-Z]{2})\)\s*$")
_RULE_ROW = re.compile(r"^\|\s*`(?P<id>[A-Z]{2}-[A-Z0-9-]+)`\s*\|")


def documented_rules(text: str) -> dict[str, dict[str, str]]:
    """{pack: {rule id: its Enforced cell}} from the tables under each `## ... (pack XX)` heading of
    docs/regulations.md; rows under any other heading (rules not in a pack yet) are not a pack's."""
    packs: dict[str, dict[str, str]] = {}
    pack: str | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            heading = _PACK_HEADING.match(line)
            pack = heading["pack"] if heading else None
            continue
        row = _RULE_ROW.match(line)
        if pack and row:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            assert row["id"] not in packs.setdefault(pack, {}), f"{row['id']} documented twice"
            packs[pack][row["id"]] = cells[-1]
    return packs


DOCUMENTED = documented_rules(REGULATIONS.read_text())


def write(directory: Path, name: str, data: object) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def base_cn() -> dict[str, object]:
    return yaml.safe_load((PACKS_DIR / "cn.yaml").read_text())


class TestRuleCoverage:
    def test_the_regulations_document_has_a_table_for_each_shipped_pack(self) -> None:
        shipped = {path.stem.upper() for path in PACKS_DIR.glob("*.yaml")}

        assert set(DOCUMENTED) == shipped
        assert all(len(rules) >= 10 for rules in DOCUMENTED.values())

    @pytest.mark.parametrize("code", ["CN", "US"])
    def test_each_pack_holds_exactly_the_rules_documented_for_it(self, code: str) -> None:
        pack = load_pack(code, on=ON)

        missing = set(DOCUMENTED[code]) - set(pack.rules)
        undocumented = set(pack.rules) - set(DOCUMENTED[code])

        assert not missing, f"documented in docs/regulations.md, not in the {code} pack: {sorted(missing)}"
        assert not undocumented, f"in the {code} pack, not in docs/regulations.md: {sorted(undocumented)}"

    @pytest.mark.parametrize("code", ["CN", "US"])
    def test_the_rules_documented_as_gate_rules_are_the_pack_s_gate_rules(self, code: str) -> None:
        pack = load_pack(code, on=ON)

        documented = {rule_id for rule_id, enforced in DOCUMENTED[code].items() if enforced == "gate"}

        assert documented == {rule_id for rule_id, rule in pack.rules.items() if rule.scope == "gate"}

    def test_the_reader_takes_only_rows_under_a_pack_heading(self) -> None:
        text = (
            "## China (pack CN)\n| id | x | Enforced |\n|---|---|---|\n| `CN-A` | a | gate |\n"
            "## Not in a pack yet\n| `CN-B` | b | not yet |\n"
            "## United States (pack US)\n| `US-A` | a | not yet |\n"
        )

        assert documented_rules(text) == {"CN": {"CN-A": "gate"}, "US": {"US-A": "not yet"}}


class TestShippedPacks:
    def test_the_cn_pack_speaks_chinese_in_beijing_time(self) -> None:
        pack = load_pack("CN", on=ON)
        assert pack.timezone == "Asia/Shanghai" and pack.language == "zh-hans"

    def test_the_us_pack_speaks_english(self) -> None:
        pack = load_pack("US", on=ON)
        assert pack.language == "en"

    def test_every_rule_has_a_source_a_confidence_and_titles_in_both_languages(self) -> None:
        for code in ("CN", "US"):
            for rule in load_pack(code, on=ON).rules.values():
                assert rule.source and rule.confidence in "HML"
                assert set(rule.title) == {"en", "zh-hans"}

    def test_the_numbers_are_parameters(self) -> None:
        cn, us = load_pack("CN", on=ON), load_pack("US", on=ON)
        assert (cn.time_param("CN-HOURS", "start"), cn.time_param("CN-HOURS", "end")) == (dt.time(8), dt.time(22))
        assert cn.int_param("CN-DIALS", "max_unanswered_per_number_per_day") == 6
        assert cn.int_param("CN-3P-LOST", "consecutive_failed_attempts") == 3
        assert us.int_param("US-7IN7", "max_calls") == 7 and us.int_param("US-7IN7", "window_days") == 7
        assert us.int_param("US-CONV7", "window_days") == 7
        assert us.int_param("US-EXCL", "consent_max_days") == 7
        assert us.int_param("US-VAL", "validation_period_days") == 30
        assert cn.rule("CN-PLAN").params["max_instalments"] == 60

    def test_the_pack_is_frozen(self) -> None:
        pack = load_pack("CN", on=ON)
        with pytest.raises(AttributeError):
            pack.version = "x"  # type: ignore[misc]
        with pytest.raises(TypeError):
            pack.rules["CN-HOURS"].params["end"] = dt.time(23)  # type: ignore[index]

    def test_no_pack_before_its_effective_date(self) -> None:
        with pytest.raises(ValidationFailed, match="no CN pack in force on 2025-12-31"):
            load_pack("CN", on=dt.date(2025, 12, 31))


class TestVersions:
    def test_the_version_in_force_on_the_day_is_loaded(self, tmp_path: Path) -> None:
        old = base_cn()
        new = base_cn() | {"version": "2026.2", "effective_from": "2026-07-01"}
        new["rules"]["CN-DIALS"]["params"]["max_unanswered_per_number_per_day"] = 5  # type: ignore[index]
        old["effective_to"] = "2026-07-01"
        write(tmp_path, "cn-2026-1.yaml", old)
        write(tmp_path, "cn-2026-2.yaml", new)
        assert load_pack("CN", on=dt.date(2026, 6, 30), directory=tmp_path).version == "2026.1"
        july = load_pack("CN", on=dt.date(2026, 7, 1), directory=tmp_path)
        assert july.version == "2026.2"
        assert july.int_param("CN-DIALS", "max_unanswered_per_number_per_day") == 5

    def test_a_misspelt_parameter_fails_the_load(self, tmp_path: Path) -> None:
        data = base_cn()
        data["rules"]["CN-DIALS"]["params"] = {"max_dials": 6, "counted_outcomes": ["unanswered"]}  # type: ignore[index]
        write(tmp_path, "cn.yaml", data)
        with pytest.raises(ValidationFailed) as err:
            load_pack("CN", on=ON, directory=tmp_path)
        assert err.value.field == "rules.CN-DIALS.params"

    def test_an_unquoted_time_fails_the_load(self, tmp_path: Path) -> None:
        (tmp_path / "cn.yaml").write_text((PACKS_DIR / "cn.yaml").read_text().replace('end: "22:00"', "end: 22:00"))
        with pytest.raises(ValidationFailed, match=r"CN-HOURS\.end: a quoted time"):
            load_pack("CN", on=ON, directory=tmp_path)


def overrides(tmp_path: Path, rules: dict[str, object], **extra: object) -> Path:
    return write(
        tmp_path,
        "bank.yaml",
        {"overrides": "CN", "name": "bank", "version": "1", "effective_from": "2026-01-01", "rules": rules, **extra},
    )


class TestOverrides:
    def test_a_stricter_pack_is_merged_on_top(self, tmp_path: Path) -> None:
        path = overrides(
            tmp_path,
            {
                "CN-HOURS": {"params": {"end": "21:00"}},
                "CN-DIALS": {"params": {"max_unanswered_per_number_per_day": 3}},
            },
        )
        pack = load_pack("CN", on=ON, overrides=[path])
        assert pack.time_param("CN-HOURS", "end") == dt.time(21)
        assert pack.time_param("CN-HOURS", "start") == dt.time(8)
        assert pack.int_param("CN-DIALS", "max_unanswered_per_number_per_day") == 3
        assert pack.layers == ("CN:2026.1", "bank:1")

    def test_a_looser_value_is_refused(self, tmp_path: Path) -> None:
        path = overrides(tmp_path, {"CN-HOURS": {"params": {"end": "23:00"}}})
        with pytest.raises(ValidationFailed, match="looser"):
            load_pack("CN", on=ON, overrides=[path])

    def test_a_looser_value_is_taken_when_the_officer_says_so(self, tmp_path: Path) -> None:
        path = overrides(
            tmp_path, {"CN-DIALS": {"params": {"max_unanswered_per_number_per_day": 8}}}, allow_looser=True
        )
        assert load_pack("CN", on=ON, overrides=[path]).int_param("CN-DIALS", "max_unanswered_per_number_per_day") == 8

    def test_an_overrides_pack_not_yet_in_force_is_not_applied(self, tmp_path: Path) -> None:
        path = overrides(tmp_path, {"CN-HOURS": {"params": {"end": "21:00"}}}, effective_from="2026-06-01")
        assert load_pack("CN", on=ON, overrides=[path]).time_param("CN-HOURS", "end") == dt.time(22)

    def test_an_unknown_rule_or_parameter_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationFailed) as err:
            load_pack("CN", on=ON, overrides=[overrides(tmp_path, {"CN-NOPE": {"params": {}}})])
        assert err.value.field == "rules.CN-NOPE"
        with pytest.raises(ValidationFailed) as err:
            load_pack("CN", on=ON, overrides=[overrides(tmp_path, {"CN-HOURS": {"params": {"close": "21:00"}}})])
        assert err.value.field == "rules.CN-HOURS.params.close"

    def test_an_overrides_pack_for_another_pack_is_refused(self, tmp_path: Path) -> None:
        path = overrides(tmp_path, {}, overrides="US")
        with pytest.raises(ValidationFailed, match="not the CN pack"):
            load_pack("CN", on=ON, overrides=[path])
