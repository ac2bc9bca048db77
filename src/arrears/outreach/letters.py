"""Collection letters (催收函) as PDF, with the content CN-LETTER makes mandatory.

The approved template gives the letter's own words; the mandatory items are always set from the
account and the issuer's settings, each under its own heading, so no template can leave one out:
the cardholder's name, the balance, the reason and legal basis, the cardholder's rights and duties,
how to query, repay and dispute with evidence, the issuer's contact, and the business seal.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

from arrears.errors import ValidationFailed
from arrears.kernel.pan import mask_pan

FONT = "STSong-Light"

HEADINGS = {
    "zh-hans": {
        "title": "催收函",
        "name": "持卡人姓名",
        "balance": "欠款金额",
        "reason": "催收事由及法律依据",
        "rights": "持卡人的权利与义务",
        "how": "查询、还款及异议方式",
        "contact": "发卡机构联系方式",
        "seal": "（业务专用章）",
        "date": "日期",
    },
    "en": {
        "title": "Collection letter",
        "name": "Cardholder",
        "balance": "Amount owed",
        "reason": "Reason and legal basis",
        "rights": "Your rights and duties",
        "how": "How to query, repay or dispute",
        "contact": "Issuer's contact",
        "seal": "(Business seal)",
        "date": "Date",
    },
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class LetterContent:
    language: str
    issuer: str
    date: str
    name: str
    address: str
    balance: str
    reason: str
    rights: str
    how: str
    contact: str
    body: str

    def check(self) -> None:
        """CN-LETTER: every mandatory item is present and not blank."""
        for field in ("issuer", "name", "balance", "reason", "rights", "how", "contact"):
            if not str(getattr(self, field)).strip():
                raise ValidationFailed("a collection letter must state it (CN-LETTER)", field=field)


def standard_items(*, language: str, issuer: dict[str, str], balance: str, accounts: list[str]) -> dict[str, str]:
    """The mandatory items' standard wording, in the customer's language."""
    masked = [mask_pan(a) for a in accounts]  # a letter never prints a full card number
    numbers = "、".join(masked) if language == "zh-hans" else ", ".join(masked)
    if language == "zh-hans":
        return {
            "balance": f"人民币 {balance} 元（账户 {numbers}）",
            "reason": "您的信用卡账户未按约定在到期还款日前偿还最低还款额，已逾期。"
            "依据《商业银行信用卡业务监督管理办法》"
            "及您与我行签订的信用卡领用合约，特此提示您履行还款义务。",
            "rights": "您有权查询账户明细、对账单内容提出异议并获得答复，有权申请个性化分期；您有义务按约定偿还欠款。",
            "how": f"查询或还款：致电 {issuer['phone']}、登录 {issuer['website']} 或到网点办理。"
            f"如有异议，请在收到本函后携带相关证据材料（如还款凭证）书面提出，我行将核实并答复。",
            "contact": f"{issuer['name']}，电话 {issuer['phone']}，地址 {issuer['address']}",
        }
    return {
        "balance": f"CNY {balance} (account {numbers})",
        "reason": "Your card account has not paid its minimum payment by the due date and is past due. Under the "
        "Measures for the Supervision of Credit Card Business of Commercial Banks and your card agreement, we "
        "remind you of your duty to repay.",
        "rights": "You may ask for your account details, dispute any statement line and receive an answer, and "
        "apply for a personalised instalment plan; you must repay what is owed as agreed.",
        "how": f"To ask or pay: call {issuer['phone']}, visit {issuer['website']} or a branch. To dispute, write to "
        "us with your evidence (such as a payment receipt) after receiving this letter; we will check and reply.",
        "contact": f"{issuer['name']}, phone {issuer['phone']}, {issuer['address']}",
    }


def render_pdf(content: LetterContent) -> bytes:
    """The letter as a one-page PDF whose Chinese text renders (and extracts) as text."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    content.check()
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    h = HEADINGS["zh-hans" if content.language == "zh-hans" else "en"]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    pdf.setTitle(h["title"])
    y = height - 60
    pdf.setFont(FONT, 18)
    pdf.drawCentredString(width / 2, y, f"{content.issuer} · {h['title']}")
    y -= 36
    pdf.setFont(FONT, 11)

    def line(text: str, *, size: int = 11, indent: int = 0) -> None:
        nonlocal y
        pdf.setFont(FONT, size)
        for chunk in _wrap(text, 46 if content.language == "zh-hans" else 92):
            pdf.drawString(60 + indent, y, chunk)
            y -= size + 6

    line(f"{h['name']}：{content.name}")
    if content.address:
        line(content.address)
    line(f"{h['date']}：{content.date}")
    y -= 6
    for paragraph in content.body.splitlines():
        if paragraph.strip():
            line(paragraph.strip())
    y -= 6
    for key in ("balance", "reason", "rights", "how", "contact"):
        line(f"{h[key]}：", size=12)
        line(getattr(content, key), indent=12)
    _seal(pdf, width - 150, max(y - 70, 80), content.issuer, HexColor("#c8102e"))
    pdf.setFont(FONT, 9)
    pdf.drawString(width - 190, max(y - 140, 20), h["seal"])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _seal(pdf: Any, x: float, y: float, issuer: str, red: Any) -> None:
    """The business seal: a red ring with the issuer's name and a star."""
    pdf.saveState()
    pdf.setStrokeColor(red)
    pdf.setFillColor(red)
    pdf.setLineWidth(3)
    pdf.circle(x, y, 48)
    pdf.setFont(FONT, 9)
    pdf.drawCentredString(x, y + 22, issuer[:14])
    pdf.setFont(FONT, 22)
    pdf.drawCentredString(x, y - 8, "★")
    pdf.restoreState()


def _wrap(text: str, width: int) -> list[str]:
    """Wrap by characters for Chinese and by words for English."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return [text[i : i + width] for i in range(0, len(text), width)] or [""]
    lines, current = [], ""
    for word in text.split():
        if len(current) + len(word) + 1 > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current]
