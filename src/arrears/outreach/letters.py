"""Collection letters (催收函) as PDF, with the content CN-LETTER makes mandatory.

The approved template gives the letter's own words; the mandatory items are always set from the
account and the issuer's settings, each under its own heading, so no template can leave one out:
the cardholder's name, the balance, the reason and legal basis, the cardholder's rights and duties,
how to query, repay and dispute with evidence, the issuer's contact, and the business seal. It also
states the amount that brings the account current, the date to pay it by, and the consequences the
bank may lawfully state (interest and late fees under the contract, credit reporting as the law
allows, collection continuing): no threat and no legal step that is not taken.

The text is set in ReportLab's CID font STSong-Light (UniGB-UCS2-H), which viewers supply. A
character outside that CMap shows as an empty box: `uncovered` finds such characters, and a test
runs it over every heading and standard wording here and in the plan document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import math
import re
from pathlib import Path
from typing import Any

from arrears.errors import ValidationFailed
from arrears.kernel.pan import mask_pan

FONT = "STSong-Light"
ENCODING = "UniGB-UCS2-H"
# Where the CMap of the font's encoding is found (Debian's poppler-data; Adobe's cmap-resources).
CMAP_DIRS = (
    Path("/usr/share/poppler/cMap/Adobe-GB1"),
    Path("/usr/share/fonts/cmap/adobe-gb1"),
    Path("/usr/share/fonts/cmap"),
)
# Characters outside the CMap that have a covered look-alike: drawn as the look-alike.
SUBSTITUTES = {"\u00b7": "\u30fb", "\u2022": "\u30fb", "\u00a0": " "}
PAY_WITHIN_DAYS = 10  # the date to pay by: this many days after the letter's date
SEAL_RADIUS = 48
SEAL_ARC_DEGREES = 250  # the issuer's name runs over this much of the ring, centred at the top
SEAL_MAX_SIZE = 12.0
SEAL_MIN_SIZE = 5.0

HEADINGS = {
    "zh-hans": {
        "title": "催收函",
        "name": "持卡人姓名",
        "balance": "欠款金额",
        "due": "需还款金额及还款期限",
        "consequences": "逾期未还的后果",
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
        "due": "Amount to pay and date to pay by",
        "consequences": "If the amount is not paid",
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
    due: str  # the amount that brings the account current and the date to pay it by
    consequences: str
    reason: str
    rights: str
    how: str
    contact: str
    body: str
    title: str = ""  # another kind of letter than a collection letter (e.g. the answer to a dispute)

    def check(self) -> None:
        """CN-LETTER: every mandatory item is present and not blank."""
        for field in ("issuer", "name", "balance", "due", "consequences", "reason", "rights", "how", "contact"):
            if not str(getattr(self, field)).strip():
                raise ValidationFailed("a collection letter must state it (CN-LETTER)", field=field)


def letter_date(day: dt.date, language: str) -> str:
    """One date format per language: 2026年12月6日 in Chinese, 6 December 2026 in English."""
    if language == "zh-hans":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B} {day.year}"


def pay_by(day: dt.date) -> dt.date:
    """The date the letter asks the amount to be paid by."""
    return day + dt.timedelta(days=PAY_WITHIN_DAYS)


def standard_items(
    *,
    language: str,
    issuer: dict[str, str],
    balance: str,
    to_bring_current: str,
    pay_by: str,
    accounts: list[str],
) -> dict[str, str]:
    """The mandatory items' standard wording, in the customer's language."""
    masked = [mask_pan(a) for a in accounts]  # a letter never prints a full card number
    numbers = "、".join(masked) if language == "zh-hans" else ", ".join(masked)
    if language == "zh-hans":
        return {
            "balance": f"人民币 {balance} 元（账户 {numbers}）",
            "due": f"请于 {pay_by} 前归还逾期款项人民币 {to_bring_current} 元，即可使账户恢复正常还款状态。",
            "consequences": "如未在上述日期前还款：逾期款项将按您与我行签订的信用卡领用合约继续计收利息和违约金；"
            "我行将依照《征信业管理条例》，如实向中国人民银行征信中心报送您的逾期信息；"
            "我行将继续通过电话、短信、信函等合法方式与您联系。",
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
        "due": f"Please pay the past-due amount of CNY {to_bring_current} by {pay_by}; this brings your account "
        "back to normal.",
        "consequences": "If it is not paid by then: interest and late fees continue on the past-due amount as your "
        "card agreement provides; we will report the late payment truthfully to the Credit Reference Center of "
        "the People's Bank of China, as the Regulation on the Administration of Credit Reporting provides; and "
        "we will keep contacting you by lawful means such as calls, text messages and letters.",
        "reason": "Your card account has not paid its minimum payment by the due date and is past due. Under the "
        "Measures for the Supervision of Credit Card Business of Commercial Banks and your card agreement, we "
        "remind you of your duty to repay.",
        "rights": "You may ask for your account details, dispute any statement line and receive an answer, and "
        "apply for a personalised instalment plan; you must repay what is owed as agreed.",
        "how": f"To ask or pay: call {issuer['phone']}, visit {issuer['website']} or a branch. To dispute, write to "
        "us with your evidence (such as a payment receipt) after receiving this letter; we will check and reply.",
        "contact": f"{issuer['name']}, phone {issuer['phone']}, {issuer['address']}",
    }


# --- the font's coverage ------------------------------------------------------------------------


@functools.cache
def covered_code_points() -> frozenset[int]:
    """The code points the font's CMap maps to a glyph (CID), read from the CMap file."""
    for folder in CMAP_DIRS:
        path = folder / ENCODING
        if path.is_file():
            text = path.read_text(encoding="latin-1")
            break
    else:
        raise FileNotFoundError(f"the CMap {ENCODING} was not found in {', '.join(map(str, CMAP_DIRS))}")
    points: set[int] = set()
    for block in re.findall(r"begincidrange(.*?)endcidrange", text, re.S):
        for low, high in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*\d+", block):
            points.update(range(int(low, 16), int(high, 16) + 1))
    for block in re.findall(r"begincidchar(.*?)endcidchar", text, re.S):
        points.update(int(code, 16) for code in re.findall(r"<([0-9a-fA-F]+)>\s*\d+", block))
    return frozenset(points)


def uncovered(text: str) -> list[str]:
    """The characters of `text` the font cannot draw (as drawn: after SUBSTITUTES), each once."""
    points = covered_code_points()
    out: list[str] = []
    for ch in _drawable(text):
        if ch not in "\n\r\t\f\v" and ord(ch) not in points and ch not in out:
            out.append(ch)
    return out


def _drawable(text: str) -> str:
    return "".join(SUBSTITUTES.get(ch, ch) for ch in text)


# --- drawing ------------------------------------------------------------------------------------


def render_pdf(content: LetterContent) -> bytes:
    """The letter as a one-page PDF whose Chinese text renders (and extracts) as text."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    content.check()
    _register()
    h = HEADINGS["zh-hans" if content.language == "zh-hans" else "en"]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    width, height = A4
    left, right = 60.0, width - 60.0
    title = content.title or h["title"]
    pdf.setTitle(title)
    # The letterhead: the issuer, then the title (no separator the font lacks).
    y = height - 56
    pdf.setFont(FONT, 13)
    pdf.drawCentredString(width / 2, y, _drawable(content.issuer))
    y -= 30
    pdf.setFont(FONT, 20)
    pdf.drawCentredString(width / 2, y, _drawable(title))
    y -= 34

    def line(text: str, *, size: float = 10.5, indent: float = 0) -> None:
        nonlocal y
        pdf.setFont(FONT, size)
        for chunk in _wrap(_drawable(text), size=size, width=right - left - indent):
            pdf.drawString(left + indent, y, chunk)
            y -= size + 5.5

    colon = "：" if content.language == "zh-hans" else ": "
    line(f"{h['name']}{colon}{content.name}")
    if content.address:
        line(content.address)
    line(f"{h['date']}{colon}{content.date}")
    y -= 6
    for paragraph in content.body.splitlines():
        if paragraph.strip():
            line(paragraph.strip())
    y -= 4
    for key in ("balance", "due", "consequences", "reason", "rights", "how", "contact"):
        line(f"{h[key]}{colon}", size=11.5)
        line(getattr(content, key), indent=12)
        y -= 2
    seal_y = max(y - SEAL_RADIUS - 14, SEAL_RADIUS + 30)
    _seal(pdf, right - SEAL_RADIUS - 20, seal_y, _drawable(content.issuer), HexColor("#c8102e"))
    pdf.setFont(FONT, 9)
    pdf.drawCentredString(right - SEAL_RADIUS - 20, seal_y - SEAL_RADIUS - 14, h["seal"])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _register() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclasses.dataclass(frozen=True)
class SealGlyph:
    char: str
    degrees: float  # where on the ring, counter-clockwise from 3 o'clock
    width: float


@dataclasses.dataclass(frozen=True)
class SealLayout:
    size: float
    text_radius: float
    glyphs: tuple[SealGlyph, ...]


def seal_layout(issuer: str, *, radius: float = SEAL_RADIUS) -> SealLayout:
    """The issuer's name on an arc inside the ring, read clockwise and centred at the top; the font
    shrinks until the whole name fits the arc (down to SEAL_MIN_SIZE, then the letters close up)."""
    from reportlab.pdfbase import pdfmetrics

    _register()
    chars = [ch for ch in issuer.strip() if ch not in "\n\t"] or [" "]
    size = SEAL_MAX_SIZE
    while True:
        text_radius = radius - 4 - size * 0.85
        arc = math.radians(SEAL_ARC_DEGREES) * text_radius
        widths = [pdfmetrics.stringWidth(ch, FONT, size) for ch in chars]
        gap = size * 0.12
        needed = sum(widths) + gap * (len(chars) - 1)
        if needed <= arc or size <= SEAL_MIN_SIZE:
            break
        size = max(SEAL_MIN_SIZE, size - 0.5)
    if needed > arc:  # even the smallest size is too wide: no gaps, and squeeze the advance
        squeeze = arc / sum(widths)
        widths, gap = [w * squeeze for w in widths], 0.0
        needed = arc
    glyphs = []
    at = 90 + math.degrees(needed / text_radius) / 2  # the left end of the text
    for ch, w in zip(chars, widths, strict=True):
        centre = at - math.degrees(w / 2 / text_radius)
        glyphs.append(SealGlyph(ch, centre, w))
        at -= math.degrees((w + gap) / text_radius)
    return SealLayout(size, text_radius, tuple(glyphs))


def _seal(pdf: Any, x: float, y: float, issuer: str, red: Any) -> None:
    """The business seal: a red ring, the issuer's name along its top and a star in the middle."""
    layout = seal_layout(issuer)
    pdf.saveState()
    pdf.setStrokeColor(red)
    pdf.setFillColor(red)
    pdf.setLineWidth(2.5)
    pdf.circle(x, y, SEAL_RADIUS)
    pdf.setFont(FONT, layout.size)
    for glyph in layout.glyphs:
        angle = math.radians(glyph.degrees)
        pdf.saveState()
        pdf.translate(x + layout.text_radius * math.cos(angle), y + layout.text_radius * math.sin(angle))
        pdf.rotate(glyph.degrees - 90)
        pdf.drawCentredString(0, -layout.size * 0.35, glyph.char)
        pdf.restoreState()
    pdf.setFont(FONT, 24)
    pdf.drawCentredString(x, y - 12, "★")
    pdf.restoreState()


# Closing punctuation never starts a line; a Latin word (with what sticks to it) is never split.
_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)")
_TOKEN = re.compile(r"[\x21-\x7e\u00a0-\u024f]+\s*|\s+|.", re.S)


def _wrap(text: str, *, size: float, width: float) -> list[str]:
    """Break a paragraph into lines that fit `width` points, measured in the font."""
    from reportlab.pdfbase import pdfmetrics

    lines: list[str] = []
    current = ""
    for token in _TOKEN.findall(text):
        candidate = current + token
        fits = pdfmetrics.stringWidth(candidate.rstrip(), FONT, size) <= width
        if fits or not current.strip() or token[0] in _NO_LINE_START:
            current = candidate
            continue
        lines.append(current.rstrip())
        current = token.lstrip()
    lines.append(current.rstrip())
    return lines
