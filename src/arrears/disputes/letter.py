"""The answer to a dispute that is not upheld: a letter with the reasons, built on the collection letter's
mandatory items (CN-LETTER: name, balance, reason and legal basis, rights, how to query, repay and
dispute with evidence, the issuer's contact, the seal) through `outreach.letters`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings

from arrears.application.figures import account_figures
from arrears.money import from_fen
from arrears.outreach import letters

if TYPE_CHECKING:
    from arrears.disputes.models import Dispute

TITLE = {"zh-hans": "异议处理结果通知书", "en": "Answer to your dispute"}
WHAT = {
    "zh-hans": {
        "statement_line": "对账单交易",
        "fee": "费用",
        "payment_not_credited": "未入账还款",
        "debt": "债务本身",
        "credit_data": "征信信息",
    },
    "en": {
        "statement_line": "a statement line",
        "fee": "a fee",
        "payment_not_credited": "a payment not credited",
        "debt": "the debt itself",
        "credit_data": "your credit data",
    },
}


def _amount(fen: int) -> str:
    return f"{from_fen(fen):,.2f}"


def rejection_letter(dispute: Dispute, *, language: str, business_date: dt.date) -> bytes:
    """The PDF sent when a dispute is not upheld: what was disputed, the reasons, and the mandatory items."""
    lang = "zh-hans" if language == "zh-hans" else "en"
    issuer = settings.ARREARS_ISSUER
    account = dispute.account
    figures = account_figures([account.pk], business_date=business_date).get(account.pk)
    items = letters.standard_items(
        language=lang,
        issuer=issuer,
        balance=_amount(account.balance_fen),
        to_bring_current=_amount(figures.to_bring_current_fen if figures else 0),
        pay_by=letters.letter_date(letters.pay_by(business_date), lang),
        accounts=[account.number],
    )
    opened = letters.letter_date(dispute.opened_on, lang)
    what = WHAT[lang][dispute.kind]
    disputed = _amount(dispute.amount_fen)
    if lang == "zh-hans":
        body = (
            f"您于 {opened} 提出的异议（编号 {dispute.pk}，涉及{what}，金额人民币 {disputed} 元）"
            f"经我行核实，不予支持。异议处理期间暂停的催收将恢复。"
        )
        items["reason"] = (
            f"不予支持的理由：{dispute.proposed_reasons}。依据《商业银行信用卡业务监督管理办法》第六十九条"
            "及您与我行签订的信用卡领用合约，我行已对异议进行核实并作出本答复。"
        )
        items["rights"] += "如对本答复仍有异议，您可提供新的证据再次提出，或向金融消费者权益保护部门投诉。"
    else:
        body = (
            f"We have examined the dispute you raised on {opened} (number {dispute.pk}, about {what}, "
            f"CNY {disputed}) and it is not upheld. Collection paused while it was examined resumes."
        )
        items["reason"] = (
            f"Why it is not upheld: {dispute.proposed_reasons}. Under article 69 of the Measures for the "
            "Supervision of Credit Card Business of Commercial Banks and your card agreement, we have verified "
            "the dispute and give this answer."
        )
        items["rights"] += (
            " If you still disagree, you may raise it again with new evidence, or complain to the financial "
            "consumer protection authority."
        )
    content = letters.LetterContent(
        language=lang,
        issuer=issuer["name"],
        date=letters.letter_date(business_date, lang),
        name=dispute.customer.name,
        address=dispute.customer.address,
        body=body,
        title=TITLE[lang],
        **items,
    )
    return letters.render_pdf(content)
