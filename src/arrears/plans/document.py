"""The plan document (PDF) with every CN-PLAN content item, in zh-Hans or English.

CN-PLAN (2011 art. 70) items, each a headed section: the balance, the currency, the schedule and
amounts, whether fees and interest run, the cardholder's undertaking to apply for no new card
until settled, rights, duties, and the consequences of default. Chinese text uses ReportLab's
built-in CID font STSong-Light (no font file needed). Pure: bytes in, bytes out; no ORM.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from arrears.money import format_fen
from arrears.plans.summary import PlanFacts, plan_summary

CJK_FONT = "STSong-Light"


@dataclasses.dataclass(frozen=True)
class Row:
    n: int
    due_date: dt.date
    amount_fen: int
    principal_fen: int
    interest_fen: int
    fee_fen: int


TEXT: dict[str, dict[str, Any]] = {
    "zh-hans": {
        "title": "个性化分期还款计划书",
        "plan": "计划编号",
        "date": "出具日期",
        "cardholder": "持卡人",
        "account": "卡账户",
        "balance_h": "一、欠款余额与币种",
        "balance": "本计划分期偿还的欠款余额为 {balance} 元，币种：{currency}（人民币）。账户当前欠款总额 {owed} 元。",
        "schedule_h": "二、还款计划与每期金额",
        "schedule": "共 {n} 期，按月还款，每期还款日及金额如下：",
        "cols": ["期数", "还款日", "应还金额", "本金", "利息", "手续费"],
        "total": "合计",
        "charges_h": "三、费用与利息",
        "charges": "本计划{rate}。计划生效后，分期部分不再计收信用卡循环利息，也不再收取违约金；"
        "利息和手续费合计 {cost} 元，年化利率 {apr}。",
        "rate_interest": "按年利率 {rate} 计收利息",
        "rate_fee": "每期按分期本金的 {rate} 收取手续费",
        "rate_none": "不收取利息和手续费",
        "undertaking_h": "四、持卡人承诺",
        "undertaking": "持卡人承诺：在本计划项下欠款全部结清前，不向本行或其他机构申请新的信用卡。",
        "rights_h": "五、持卡人的权利",
        "rights": "持卡人有权随时提前还清剩余本金（当期尚未到期的利息和手续费免收）；有权查询每期还款情况；"
        "对账务有异议的，可凭证据向本行提出，本行核实后书面答复；本计划履行期间，本行停止就分期部分催收。",
        "duties_h": "六、持卡人的义务",
        "duties": "持卡人应在每期还款日前足额还款；联系方式变更时应及时告知本行；如实提供财务状况信息。",
        "default_h": "七、违约责任",
        "default": "某期在还款日后 {grace} 天内仍未足额还款的，视为该期未还；累计 {k} 期未还的，本计划终止，"
        "剩余欠款回到信用卡账户，按信用卡章程重新计算逾期、利息和违约金，本行恢复催收，"
        "并可依法报送征信（不良记录自结清之日起保存五年）。",
        "summary_h": "八、通俗说明",
        "sign": "持卡人签字：____________    日期：____________    本行（盖章）：____________",
    },
    "en": {
        "title": "Personalised Instalment Repayment Plan",
        "plan": "Plan number",
        "date": "Issued on",
        "cardholder": "Cardholder",
        "account": "Card account",
        "balance_h": "1. Balance and currency",
        "balance": "The balance repaid under this plan is {balance} {currency}. The account owes {owed} in all today.",
        "schedule_h": "2. Schedule and amounts",
        "schedule": "{n} monthly instalments, each due on the date and for the amount below:",
        "cols": ["No.", "Due date", "Amount", "Principal", "Interest", "Fee"],
        "total": "Total",
        "charges_h": "3. Fees and interest",
        "charges": "This plan {rate}. While it runs, the restructured amount bears no card revolving interest and "
        "no late fees; interest and fees total {cost}, an annualised rate of {apr}.",
        "rate_interest": "charges interest at {rate} a year",
        "rate_fee": "charges a fee of {rate} of the plan principal on each instalment",
        "rate_none": "charges no interest and no fees",
        "undertaking_h": "4. The cardholder's undertaking",
        "undertaking": "The cardholder undertakes to apply for no new credit card, with this bank or any other, "
        "until the balance under this plan is settled.",
        "rights_h": "5. The cardholder's rights",
        "rights": "The cardholder may pay off the remaining principal at any time (the current period's interest "
        "and fee are then waived); may ask for the state of every instalment; may dispute an amount "
        "with evidence and receive a written answer; and is not contacted for collection of the "
        "restructured amount while the plan is kept.",
        "duties_h": "6. The cardholder's duties",
        "duties": "To pay each instalment in full by its due date; to tell the bank of a change of contact "
        "details; to give true information about their financial situation.",
        "default_h": "7. Default",
        "default": "An instalment not paid in full {grace} days after its due date is missed. When {k} instalments "
        "are missed, this plan ends: the remaining balance returns to the card account, days past due, "
        "interest and late fees run again under the card terms, collection resumes, and the default may "
        "be reported to the credit bureau (a negative record is kept five years from settlement).",
        "summary_h": "8. In plain words",
        "sign": "Cardholder's signature: ____________   Date: ____________   Bank (seal): ____________",
    },
}


def _pct(rate: object) -> str:
    from decimal import Decimal

    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.01'))}%"


def render_plan_pdf(
    *,
    plan_number: str,
    issued_on: dt.date,
    language: str,
    facts: PlanFacts,
    method: str,
    annual_rate: object,
    fee_rate: object,
    schedule: Sequence[Row],
) -> bytes:
    lang = "zh-hans" if language.startswith("zh") else "en"
    t = TEXT[lang]
    if lang == "zh-hans":
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        font = CJK_FONT
    else:
        font = "Helvetica"
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK" if lang == "zh-hans" else None)
    head = ParagraphStyle("head", parent=body, fontSize=12, leading=18, spaceBefore=8)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=1)
    cost = facts.total_interest_fen + facts.total_fee_fen
    if method == "flat_fee":
        rate = t["rate_fee"].format(rate=_pct(fee_rate))
    elif cost:
        rate = t["rate_interest"].format(rate=_pct(annual_rate))
    else:
        rate = t["rate_none"]
    story = [
        Paragraph(t["title"], title),
        Spacer(1, 4 * mm),
        Paragraph(f"{t['plan']}: {plan_number}    {t['date']}: {issued_on.isoformat()}", body),
        Paragraph(f"{t['cardholder']}: {facts.customer_name}    {t['account']}: {facts.account_number}", body),
        Paragraph(t["balance_h"], head),
        Paragraph(
            t["balance"].format(
                balance=format_fen(facts.restructured_fen), currency=facts.currency, owed=format_fen(facts.owed_now_fen)
            ),
            body,
        ),
        Paragraph(t["schedule_h"], head),
        Paragraph(t["schedule"].format(n=facts.instalments), body),
    ]
    rows = (
        [t["cols"]]
        + [
            [
                str(r.n),
                r.due_date.isoformat(),
                format_fen(r.amount_fen),
                format_fen(r.principal_fen),
                format_fen(r.interest_fen),
                format_fen(r.fee_fen),
            ]
            for r in schedule
        ]
        + [
            [
                t["total"],
                "",
                format_fen(facts.total_amount_fen),
                format_fen(facts.restructured_fen),
                format_fen(facts.total_interest_fen),
                format_fen(facts.total_fee_fen),
            ]
        ]
    )
    table = Table(rows, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, "black"),
            ]
        )
    )
    story += [
        table,
        Paragraph(t["charges_h"], head),
        Paragraph(t["charges"].format(rate=rate, cost=format_fen(cost), apr=_pct(facts.apr)), body),
        Paragraph(t["undertaking_h"], head),
        Paragraph(t["undertaking"], body),
        Paragraph(t["rights_h"], head),
        Paragraph(t["rights"], body),
        Paragraph(t["duties_h"], head),
        Paragraph(t["duties"], body),
        Paragraph(t["default_h"], head),
        Paragraph(t["default"].format(grace=facts.grace_days, k=facts.missed_to_break), body),
        Paragraph(t["summary_h"], head),
        Paragraph(plan_summary(facts, lang), body),
        Spacer(1, 10 * mm),
        Paragraph(t["sign"], body),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=t["title"],
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        invariant=True,
    )
    doc.build(story)
    return out.getvalue()
