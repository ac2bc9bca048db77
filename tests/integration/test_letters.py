"""Collection letters (CN-LETTER PDFs): every character is in the font, the issuer fits the seal, the
letter states the amount to bring the account current, the date to pay by and the lawful consequences,
and the rendered page (pdftoppm) as well as its text (pdftotext) shows them."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from PIL import Image

from arrears.application.figures import customer_figures
from arrears.application.outreach import send_message
from arrears.compliance.wording import check_wording
from arrears.outreach import letters
from arrears.plans import document
from tests.integration.test_outreach import TODAY, approved, customer_with_contacts

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None, reason="needs poppler-utils"
)
LONG_ISSUER = "中国示范商业银行股份有限公司信用卡中心华北区域催收管理分中心"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _every_letter_text() -> list[str]:
    texts = _strings(letters.HEADINGS) + _strings(document.TEXT) + ["★", settings.ARREARS_ISSUER["name"]]
    for language in ("zh-hans", "en"):
        texts += _strings(
            letters.standard_items(
                language=language,
                issuer=settings.ARREARS_ISSUER,
                balance="12,345.67",
                to_bring_current="1,234.50",
                pay_by=letters.letter_date(dt.date(2026, 12, 16), language),
                accounts=["6225880000000017"],
            )
        )
        texts.append(letters.letter_date(dt.date(2026, 12, 16), language))
    return texts


class TestFontCoverage:
    def test_the_check_finds_a_character_the_font_lacks(self) -> None:
        assert letters.uncovered("催收函²¹") == ["²", "¹"]
        assert letters.uncovered("催收函 ★ 1,234.50") == []

    def test_every_heading_and_standard_wording_of_letters_and_plan_documents_is_in_the_font(self) -> None:
        missing = {text[:30]: letters.uncovered(text) for text in _every_letter_text() if letters.uncovered(text)}
        assert missing == {}

    def test_the_title_no_longer_joins_issuer_and_title_with_a_middle_dot(self) -> None:
        # U+00B7 is outside UniGB-UCS2-H: drawn, it was the box in the title. What is drawn is covered.
        assert "\u00b7" not in letters.uncovered("\u00b7")
        assert ord("\u00b7") not in letters.covered_code_points()


class TestWording:
    @pytest.mark.parametrize("language", ["zh-hans", "en"])
    def test_the_standard_wording_threatens_nothing_even_by_the_strictest_lexicon(self, language: str) -> None:
        items = letters.standard_items(
            language=language,
            issuer=settings.ARREARS_ISSUER,
            balance="12,345.67",
            to_bring_current="1,234.50",
            pay_by=letters.letter_date(dt.date(2026, 12, 16), language),
            accounts=["6225880000000017"],
        )
        findings = {
            key: check_wording(text, language=language, to_third_party=False, time_barred=True)
            for key, text in items.items()
        }
        assert {key: f for key, f in findings.items() if f} == {}
        assert check_wording("逾期后果自负", language="zh-hans", to_third_party=False, time_barred=True)


class TestSeal:
    def test_a_long_issuer_name_shrinks_to_fit_the_arc_inside_the_ring(self) -> None:
        short, long = letters.seal_layout("示例银行"), letters.seal_layout(LONG_ISSUER)
        assert long.size < short.size
        assert long.size >= letters.SEAL_MIN_SIZE
        half = letters.SEAL_ARC_DEGREES / 2
        for layout in (short, long):
            assert len(layout.glyphs) in (4, len(LONG_ISSUER))
            assert all(90 - half - 1 <= g.degrees <= 90 + half + 1 for g in layout.glyphs)
            assert layout.text_radius + layout.size / 2 < letters.SEAL_RADIUS
            angles = [g.degrees for g in layout.glyphs]
            assert angles == sorted(angles, reverse=True)  # read clockwise, no overlap in order
        centre = sum(g.degrees for g in short.glyphs) / len(short.glyphs)
        assert abs(centre - 90) < 1  # centred at the top


def _render(tmp_path: Path, pdf: bytes) -> tuple[str, Image.Image]:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    return text, Image.open(tmp_path / "page.png").convert("RGB")


def _red_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box of the seal's red ink (the letter's text is black)."""
    mask = Image.frombytes("L", image.size, bytes(255 if _red(p) else 0 for p in _pixels(image)))
    return mask.getbbox()


def _pixels(image: Image.Image) -> list[tuple[int, int, int]]:
    raw = image.tobytes()
    return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]


def _red(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return r > 150 and g < 110 and b < 120


@needs_poppler
@pytest.mark.django_db
class TestRenderedLetter:
    @pytest.mark.parametrize("language", ["zh-hans", "en"])
    def test_the_page_shows_the_amount_the_date_the_consequences_and_a_round_seal(
        self, tmp_path: Path, settings: Any, language: str
    ) -> None:
        settings.ARREARS_ISSUER = {**settings.ARREARS_ISSUER, "name": LONG_ISSUER}
        approved("letter", "letter", "{{ name }}：\n您的信用卡账户已逾期，请尽快还款。", language=language)
        customer = customer_with_contacts()
        customer.language = language
        customer.save()
        message = send_message(
            actor="test", customer=customer, channel="letter", template_code="letter", business_date=TODAY
        )
        text, image = _render(tmp_path, bytes(message.document))
        flat = "".join(text.split())
        due_fen = customer_figures(customer.pk, business_date=TODAY)[customer.pk].to_bring_current_fen
        assert due_fen > 0
        amount = f"{due_fen / 100:,.2f}"  # display only; the figure itself comes from the figures
        pay_by = letters.letter_date(TODAY + dt.timedelta(days=letters.PAY_WITHIN_DAYS), language)
        wanted = [amount, "".join(pay_by.split()), LONG_ISSUER, "王小明"]
        if language == "zh-hans":
            wanted += ["需还款金额及还款期限", "违约金", "中国人民银行征信中心", "业务专用章", "催收函"]
        else:
            wanted += ["Amounttopayanddatetopayby", "latefees", "CreditReferenceCenter", "Businessseal"]
        for item in wanted:
            assert item in flat, item
        assert "\ufffd" not in text and "\u25a1" not in text  # no replacement character, no drawn box
        assert letters.uncovered(text) == []  # every character pdftotext read back is one the font draws
        box = _red_box(image)
        assert box is not None, "the seal has no ink"
        left, top, right, bottom = box
        ring = 2 * letters.SEAL_RADIUS  # points = pixels at 72 dpi
        # The name stays inside the ring: the red ink is a circle's box, not wider than it is tall.
        assert ring - 2 <= right - left <= ring + 6
        assert ring - 2 <= bottom - top <= ring + 6
        # The seal's middle has ink (the star) and the letter's text is not red.
        cx, cy = (left + right) // 2, (top + bottom) // 2
        middle = image.crop((cx - 10, cy - 10, cx + 10, cy + 10))
        assert any(_red(p) for p in _pixels(middle))
