"""The wording lexicon: prohibited phrases in zh-Hans and English, found by a pure checker."""

from __future__ import annotations

import pytest

from arrears.compliance.wording import Finding, check_wording


def categories(
    text: str, *, language: str, to_third_party: bool = False, pack: str = "CN", time_barred: bool = False
) -> set[tuple[str, str]]:
    return {
        (f.rule, f.category)
        for f in check_wording(
            text, language=language, to_third_party=to_third_party, pack=pack, time_barred=time_barred
        )
    }


class TestChinese:
    @pytest.mark.parametrize(
        ("text", "category"),
        [
            ("三天内不还就让你坐牢", "threat"),
            ("我们会爆通讯录", "threat"),
            ("你就是个老赖", "insult"),
            ("这里是朝阳区人民法院", "impersonation"),
            ("我是警察，请配合", "impersonation"),
            ("实在不行就去网贷先还上", "borrow_to_repay"),
            ("以贷养贷也得还", "borrow_to_repay"),
        ],
    )
    def test_finds_prohibited_wording(self, text: str, category: str) -> None:
        assert categories(text, language="zh-hans") == {("CN-CONDUCT", category)}

    def test_returns_the_matched_phrase(self) -> None:
        assert check_wording("你这个老赖", language="zh-hans", to_third_party=False) == [
            Finding(rule="CN-CONDUCT", category="insult", phrase="老赖", language="zh-hans")
        ]

    def test_spaces_and_full_width_letters_do_not_hide_a_phrase(self) -> None:
        assert categories("以 贷 养\u200b贷", language="zh-hans") == {("CN-CONDUCT", "borrow_to_repay")}
        assert categories("ＤＥＡＤＢＥＡＴ", language="en") == {("CN-CONDUCT", "insult")}

    def test_the_debt_is_a_finding_only_in_text_to_a_third_party(self) -> None:
        text = "请转告张三，他的信用卡欠款已逾期"
        assert categories(text, language="zh-hans") == set()
        assert categories(text, language="zh-hans", to_third_party=True) == {("CN-CONDUCT", "third_party_disclosure")}

    def test_a_polite_reminder_has_no_finding(self) -> None:
        assert categories("您好，您的账单已到期，请及时还款，如有疑问请致电客服。", language="zh-hans") == set()


class TestEnglish:
    @pytest.mark.parametrize(
        ("text", "rule", "category"),
        [
            ("We know where you live.", "US-HARASS", "threat"),
            ("You will be arrested tomorrow.", "US-HARASS", "threat"),
            ("Stop being an idiot.", "US-HARASS", "insult"),
            ("This is the police department.", "US-FALSE", "impersonation"),
            ("I am an officer of the court.", "US-FALSE", "impersonation"),
            ("Borrow money to pay us.", "US-CONDUCT", "borrow_to_repay"),
        ],
    )
    def test_finds_prohibited_wording_with_the_us_rule(self, text: str, rule: str, category: str) -> None:
        assert categories(text, language="en", pack="US") == {(rule, category)}

    def test_matches_whole_words_only(self) -> None:
        assert categories("Our stupidity-free service is a debtless joy", language="en", to_third_party=True) == set()

    def test_the_debt_is_a_finding_only_in_text_to_a_third_party(self) -> None:
        assert categories("Ask Jane about her debt.", language="en", pack="US") == set()
        assert categories("Ask Jane about her debt.", language="en", pack="US", to_third_party=True) == {
            ("US-3P", "third_party_disclosure")
        }

    def test_a_threat_to_sue_is_a_finding_only_on_a_time_barred_debt(self) -> None:
        assert categories("We will take you to court.", language="en", pack="US") == set()
        assert categories("We will take you to court.", language="en", pack="US", time_barred=True) == {
            ("US-TBD", "lawsuit_threat")
        }
        assert categories("We will take you to court.", language="en", pack="CN", time_barred=True) == set()
