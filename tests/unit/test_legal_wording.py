"""The wording check learns the legal stages: a claim of a legal step is blocked unless this
customer's legal case reached it; threats of what the law does not allow are always blocked; the gate
cites CN-CONDUCT with the claim it found."""

from __future__ import annotations

import pytest

from arrears.compliance.wording import check_wording
from arrears.errors import ValidationFailed
from tests.compliance_docs import check, cn_doc, with_

ALL_REACHED = ["referral", "filing", "hearing", "judgment", "enforcement"]


def found(text: str, stages: frozenset[str] | None, language: str = "zh-hans", pack: str = "CN") -> set[str]:
    return {
        f.category for f in check_wording(text, language=language, to_third_party=False, pack=pack, legal_stages=stages)
    }


@pytest.mark.parametrize(
    ("text", "category", "stage"),
    [
        ("您的欠款我行已向法院立案。", "legal_filing", "filing"),
        ("我行已起诉，请尽快还款。", "legal_filing", "filing"),
        ("法院传票已寄出，请注意查收。", "legal_hearing", "hearing"),
        ("本案将于下周开庭。", "legal_hearing", "hearing"),
        ("法院已判决您偿还欠款。", "legal_judgment", "judgment"),
        ("法院将强制执行。", "legal_enforcement", "enforcement"),
        ("法院将上门执行。", "legal_enforcement", "enforcement"),
    ],
)
def test_a_claim_is_found_until_the_case_reaches_its_stage(text: str, category: str, stage: str) -> None:
    assert found(text, frozenset()) == {category}
    assert found(text, frozenset({"referral"})) == {category}
    assert found(text, frozenset(ALL_REACHED[: ALL_REACHED.index(stage) + 1])) == set()


def test_english_claims_too() -> None:
    assert found("A lawsuit has been filed against you.", frozenset(), language="en") == {"legal_filing"}
    assert found("A lawsuit has been filed against you.", frozenset({"filing"}), language="en") == set()
    assert found("The bailiffs will come.", frozenset({"judgment"}), language="en", pack="US") == {"legal_enforcement"}


def test_without_a_customer_legal_claims_are_not_judged() -> None:
    # A template or a note: no customer, so no stage to judge a claim against.
    assert found("我行已起诉", None) == set()


@pytest.mark.parametrize("text", ["再不还钱就拘留", "你会坐牢的", "我们会通知单位或家人", "我们将通知你的单位"])
def test_threats_the_law_does_not_allow_are_always_found(text: str) -> None:
    assert found(text, frozenset(ALL_REACHED)) == {"threat"}
    assert found(text, None) == {"threat"}


def test_the_gate_cites_cn_conduct_with_the_claim_it_found() -> None:
    doc = cn_doc(channel="sms", text="您好，法院已判决，请于十日内还款。")
    verdict = check(doc)
    assert not verdict.allowed and verdict.rules == ("CN-CONDUCT",)
    assert "判决" in verdict.reasons[0] and "CN-CONDUCT" in verdict.reasons[0]
    english = check(with_(doc, language="en"))
    assert "judgment the customer's legal case has not reached" in english.reasons[0]
    reached = with_(doc, **{"customer.legal_stages": ["referral", "filing", "hearing", "judgment"]})
    assert check(reached).allowed
    # Reached stages never let an unlawful threat through.
    threat = with_(reached, **{"proposed.text": "法院已判决，不还就拘留你"})
    assert not check(threat).allowed and check(threat).rules == ("CN-CONDUCT",)


def test_the_door_refuses_an_unknown_stage() -> None:
    doc = with_(cn_doc(channel="sms", text="请还款"), **{"customer.legal_stages": ["verdict"]})
    with pytest.raises(ValidationFailed) as exc:
        check(doc)
    assert exc.value.field == "customer.legal_stages[0]"
