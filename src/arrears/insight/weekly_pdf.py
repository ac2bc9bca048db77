"""The weekly progress report drawn as a PDF, in zh-Hans or English (the report's language).

A lead's or a manager's report: for each team, the week's figures against the week before (the
funnel from attempts to kept promises, roll M1→M2, cure, kept, RPC, complaints per 1,000 contacts),
a bar chart of the funnel (reportlab graphics), and the collectors' scorecards. A collector's
report: only their own figures, chart and scorecard. Chinese text uses ReportLab's built-in CID font
STSong-Light (no font file needed). Pure drawing: figures in, bytes out; no ORM.
"""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from arrears.insight.scorecards import Scorecard
from arrears.insight.weekly import COLLECTOR, MANAGER, Figures, Report
from arrears.money import format_fen

CJK_FONT = "STSong-Light"
THIS_COLOUR = colors.HexColor("#1f5f8b")
PREVIOUS_COLOUR = colors.HexColor("#b0c4d8")

TEXT: dict[str, dict[str, str]] = {
    "zh-hans": {
        "title": "催收工作周报",
        "week": "统计周期",
        "for": "报送对象",
        "kind_lead": "团队主管",
        "kind_manager": "催收经理",
        "kind_collector": "催收员",
        "team": "团队",
        "figure": "指标",
        "this": "本周",
        "previous": "上周",
        "attempts": "联络尝试",
        "reached": "接通",
        "right_party": "本人联络",
        "promises": "承诺还款",
        "kept": "承诺兑现",
        "collected": "回收金额（元）",
        "roll": "迁徙率 M1→M2",
        "cure": "治愈率",
        "kept_rate": "承诺兑现率",
        "rpc_rate": "本人联络率",
        "complaints": "每千次联络投诉",
        "funnel": "漏斗：联络尝试 → 接通 → 本人联络 → 承诺 → 兑现",
        "scorecards": "催收员评分卡（CN-KPI：不以回收金额为唯一考核指标）",
        "own_card": "我的评分卡（CN-KPI：不以回收金额为唯一考核指标）",
        "team_card": "团队评分",
        "rank": "排名",
        "collector": "催收员",
        "quality": "质检得分",
        "breaches": "合规违规",
        "upheld": "投诉（成立）",
        "score": "综合得分",
        "not_reviewed": "未质检",
        "no_score": "数据不足",
        "none": "—",
        "no_collectors": "本团队没有催收员。",
        "no_figures": "本周没有您的数据。",
        "weights": "权重：质检 35、本人联络率 20、承诺兑现率 25、回收金额 20（上限）；"
        "每次合规违规扣 10 分，每件成立的投诉扣 15 分。未质检不计为 0 分，其余权重按比例折算。",
    },
    "en": {
        "title": "Weekly collections report",
        "week": "Week",
        "for": "Prepared for",
        "kind_lead": "team lead",
        "kind_manager": "collections manager",
        "kind_collector": "collector",
        "team": "Team",
        "figure": "Figure",
        "this": "This week",
        "previous": "Previous week",
        "attempts": "Contact attempts",
        "reached": "Reached",
        "right_party": "Right-party contacts",
        "promises": "Promises taken",
        "kept": "Promises kept",
        "collected": "Collected (yuan)",
        "roll": "Roll rate M1→M2",
        "cure": "Cure rate",
        "kept_rate": "Kept rate",
        "rpc_rate": "Right-party-contact rate",
        "complaints": "Complaints per 1,000 contacts",
        "funnel": "Funnel: attempts → reached → right party → promises → kept",
        "scorecards": "Collectors' scorecards (CN-KPI: never on amount alone)",
        "own_card": "My scorecard (CN-KPI: never on amount alone)",
        "team_card": "Team score",
        "rank": "Rank",
        "collector": "Collector",
        "quality": "Quality",
        "breaches": "Breaches",
        "upheld": "Complaints (upheld)",
        "score": "Score",
        "not_reviewed": "not reviewed",
        "no_score": "not enough to score",
        "none": "—",
        "no_collectors": "This team has no collectors.",
        "no_figures": "No figures of yours this week.",
        "weights": "Weights: quality 35, right-party-contact rate 20, kept rate 25, amount collected 20 (capped); "
        "each compliance breach deducts 10 points, each upheld complaint 15. Not reviewed is not 0: the other "
        "weights are re-normalised.",
    },
}


def percent(rate: Decimal | None, none: str = "—") -> str:
    """A fraction as a percentage, half up to two decimals: 0.75 -> '75.00%'; None -> '—'."""
    if rate is None:
        return none
    return f"{(Decimal(rate) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def number(value: Decimal | None, none: str = "—") -> str:
    return none if value is None else f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def figure_rows(t: dict[str, str], this: Figures, previous: Figures) -> list[list[str]]:
    """The table of a week's figures against the week before (the same strings the tests read)."""
    return [
        [t["figure"], t["this"], t["previous"]],
        [t["attempts"], str(this.attempts), str(previous.attempts)],
        [t["reached"], str(this.reached), str(previous.reached)],
        [t["right_party"], str(this.right_party), str(previous.right_party)],
        [t["promises"], str(this.promises), str(previous.promises)],
        [t["kept"], str(this.kept), str(previous.kept)],
        [t["collected"], format_fen(this.collected_fen), format_fen(previous.collected_fen)],
        [t["roll"], percent(this.roll_m1_m2), percent(previous.roll_m1_m2)],
        [t["cure"], percent(this.cure), percent(previous.cure)],
        [t["kept_rate"], percent(this.kept_rate), percent(previous.kept_rate)],
        [t["rpc_rate"], percent(this.rpc_rate), percent(previous.rpc_rate)],
        [t["complaints"], number(this.complaints_per_1000), number(previous.complaints_per_1000)],
    ]


def card_row(t: dict[str, str], card: Scorecard, name: str) -> list[str]:
    i = card.inputs
    return [
        str(card.rank) if card.rank is not None else t["none"],
        name,
        number(i.quality) if i.quality is not None else t["not_reviewed"],
        percent(card.parts.get("right_party")),
        percent(card.parts.get("kept")),
        format_fen(i.collected_fen),
        str(i.breaches),
        f"{i.complaints} ({i.substantiated})",
        number(card.score) if card.score is not None else t["no_score"],
    ]


def card_header(t: dict[str, str]) -> list[str]:
    return [t["rank"], t["collector"], t["quality"], t["rpc_rate"], t["kept_rate"], t["collected"], t["breaches"],
            t["upheld"], t["score"]]  # fmt: skip


def funnel_chart(t: dict[str, str], font: str, this: Figures, previous: Figures) -> Drawing:
    """The funnel, this week against the week before, as grouped bars."""
    drawing = Drawing(170 * mm, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 12 * mm
    chart.width, chart.height = 110 * mm, 44 * mm
    chart.data = [[v for _, v in this.funnel], [v for _, v in previous.funnel]]
    chart.categoryAxis.categoryNames = [t[name] for name, _ in this.funnel]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    highest = max([v for _, v in this.funnel] + [v for _, v in previous.funnel] + [1])
    chart.valueAxis.valueStep = max(1, -(-highest // 5))  # whole numbers: these are counts
    chart.bars[0].fillColor = THIS_COLOUR
    chart.bars[1].fillColor = PREVIOUS_COLOUR
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 128 * mm, 50 * mm
    legend.fontName = font
    legend.fontSize = 7
    legend.colorNamePairs = [(THIS_COLOUR, t["this"]), (PREVIOUS_COLOUR, t["previous"])]
    drawing.add(legend)
    drawing.add(String(12 * mm, 58 * mm, t["funnel"], fontName=font, fontSize=7))
    return drawing


def _table(rows: list[list[str]], font: str, widths: list[float] | None = None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def render(report: Report) -> bytes:
    """The report as a PDF in its language."""
    lang = "zh-hans" if report.language.startswith("zh") else "en"
    t = TEXT[lang]
    if lang == "zh-hans":
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        font = CJK_FONT
    else:
        font = "Helvetica"
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK" if lang == "zh-hans" else None)
    head = ParagraphStyle("head", parent=body, fontSize=12, leading=18, spaceBefore=8)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=1)
    kind = t.get(f"kind_{report.kind}", report.kind)
    story: list[Flowable] = [
        Paragraph(t["title"], title),
        Spacer(1, 3 * mm),
        Paragraph(f"{t['week']}: {report.start.isoformat()} – {report.week_ending.isoformat()}", body),
        Paragraph(f"{t['for']}: {report.name} ({kind})", body),
    ]
    if report.kind == COLLECTOR:
        own = report.own
        if own is None:
            story.append(Paragraph(t["no_figures"], body))
        else:
            story += [
                Paragraph(f"{t['team']}: {own.team}", head),
                _table(figure_rows(t, own.this, own.previous), font, [70 * mm, 35 * mm, 35 * mm]),
                Spacer(1, 3 * mm),
                funnel_chart(t, font, own.this, own.previous),
                Paragraph(t["own_card"], head),
                _table([card_header(t), card_row(t, own.card, own.name)], font),
                Spacer(1, 2 * mm),
                Paragraph(t["weights"], body),
            ]
    else:
        for team in report.teams:
            story += [
                Paragraph(f"{t['team']}: {team.team}", head),
                _table(figure_rows(t, team.this, team.previous), font, [70 * mm, 35 * mm, 35 * mm]),
                Spacer(1, 3 * mm),
                funnel_chart(t, font, team.this, team.previous),
                Paragraph(t["scorecards"], head),
            ]
            if team.collectors:
                rows = [card_header(t)] + [card_row(t, c.card, c.name) for c in team.collectors]
                story.append(_table(rows, font))
            else:
                story.append(Paragraph(t["no_collectors"], body))
            team_score = number(team.card.score) if team.card.score is not None else t["no_score"]
            if report.kind == MANAGER:
                team_score += f" ({t['rank']} {team.card.rank or t['none']})"
            story.append(Paragraph(f"{t['team_card']}: {team_score}", body))
        story += [Spacer(1, 2 * mm), Paragraph(t["weights"], body)]
    buffer = io.BytesIO()
    doc: Any = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=t["title"],
    )
    doc.build(story)
    return buffer.getvalue()
