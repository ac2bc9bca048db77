"""The evidence pack of a dispute as a PDF: the dispute, the statement(s), the ledger entries concerned
with their explanations, the contact history and the letters and messages sent. Set in the letters'
CID font (STSong-Light), so the Chinese text is text a reader (and pdftotext) can extract."""

from __future__ import annotations

import io
import json
from typing import Any

from arrears.contacts.models import Contact
from arrears.disputes.models import Dispute
from arrears.kernel import clock
from arrears.ledger.models import Entry
from arrears.money import format_fen
from arrears.outreach import letters
from arrears.outreach.models import Message
from arrears.statements.models import Statement

HEADINGS = {
    "zh-hans": {
        "title": "异议证据材料",
        "dispute": "异议",
        "statements": "对账单",
        "entries": "相关账务记录及计算说明",
        "contacts": "联系记录",
        "messages": "已发送的信函及消息",
        "none": "无",
        "opened": "受理日期",
        "due": "答复期限",
        "kind": "类型",
        "amount": "争议金额",
        "reason": "理由",
        "status": "状态",
        "account": "账户",
        "name": "持卡人",
    },
    "en": {
        "title": "Dispute evidence pack",
        "dispute": "Dispute",
        "statements": "Statements",
        "entries": "Ledger entries concerned and how they were computed",
        "contacts": "Contact history",
        "messages": "Letters and messages sent",
        "none": "none",
        "opened": "Opened on",
        "due": "Answer due on",
        "kind": "Kind",
        "amount": "Amount disputed",
        "reason": "Reason",
        "status": "Status",
        "account": "Account",
        "name": "Cardholder",
    },
}


class _Writer:
    """Lines of text down A4 pages, a new page when one is full."""

    def __init__(self, title: str) -> None:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        letters._register()
        self.buffer = io.BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=A4, invariant=True)
        self.pdf.setTitle(title)
        self.width, self.height = A4
        self.left, self.right = 50.0, self.width - 50.0
        self.y = self.height - 56

    def line(self, text: str, *, size: float = 9.5, indent: float = 0) -> None:
        self.pdf.setFont(letters.FONT, size)
        for chunk in letters._wrap(letters._drawable(text), size=size, width=self.right - self.left - indent):
            if self.y < 50:
                self.pdf.showPage()
                self.y = self.height - 56
                self.pdf.setFont(letters.FONT, size)
            self.pdf.drawString(self.left + indent, self.y, chunk)
            self.y -= size + 4.5

    def heading(self, text: str) -> None:
        self.y -= 6
        self.line(text, size=12.5)

    def done(self) -> bytes:
        self.pdf.showPage()
        self.pdf.save()
        return self.buffer.getvalue()


def _explained(explanation: Any) -> str:
    return json.dumps(explanation, ensure_ascii=False, sort_keys=True) if explanation else ""


def evidence_pack(dispute: Dispute, language: str) -> bytes:
    lang = "zh-hans" if language == "zh-hans" else "en"
    h = HEADINGS[lang]
    account, customer = dispute.account, dispute.customer
    w = _Writer(h["title"])
    w.line(h["title"], size=18)
    w.line(f"{h['name']}: {customer.name} · {h['account']}: {account.masked_number} ({account.ref})")
    w.heading(f"{h['dispute']} #{dispute.pk}")
    w.line(f"{h['kind']}: {dispute.get_kind_display()} · {h['amount']}: {format_fen(dispute.amount_fen)}")
    w.line(f"{h['opened']}: {dispute.opened_on.isoformat()} · {h['due']}: {dispute.due_on.isoformat()}")
    w.line(f"{h['status']}: {dispute.get_status_display()}")
    w.line(f"{h['reason']}: {dispute.reason}")
    if dispute.payment_date:
        claimed = format_fen(dispute.payment_amount_fen or 0)
        w.line(f"{dispute.payment_date.isoformat()} {claimed} {dispute.payment_reference}")

    w.heading(h["statements"])
    statements = Statement.objects.filter(account=account).order_by("statement_date")
    if dispute.statement_id:
        statements = statements.filter(pk=dispute.statement_id)
    for s in statements:
        w.line(
            f"{s.statement_date.isoformat()} [{s.period_start.isoformat()} – {s.statement_date.isoformat()}) "
            f"new balance {format_fen(s.new_balance_fen)} · principal {format_fen(s.principal_fen)} · "
            f"interest {format_fen(s.interest_fen)} · fees {format_fen(s.fees_fen)} · "
            f"minimum {format_fen(s.minimum_payment_fen)} · due {s.due_date.isoformat()} · "
            f"paid by due {format_fen(s.paid_by_due_fen or 0)} · grace kept {s.grace_kept}"
        )
    if not statements:
        w.line(h["none"])

    w.heading(h["entries"])
    since = dispute.entry.posting_date if dispute.entry else (dispute.payment_date or dispute.opened_on)
    entries = Entry.objects.filter(account=account, posting_date__gte=since).order_by("posting_date", "id")
    if dispute.entry_id:
        entries = Entry.objects.filter(account=account).filter(pk=dispute.entry_id) | entries
    for e in entries.order_by("posting_date", "id"):
        w.line(
            f"#{e.pk} {e.posting_date.isoformat()} (value {e.value_date.isoformat()}) {e.kind} {e.component} "
            f"{format_fen(e.amount_fen)} {e.reference} {e.description}"
        )
        if e.explanation:
            w.line(_explained(e.explanation), size=8, indent=14)

    w.heading(h["contacts"])
    contacts = Contact.objects.filter(case__customer=customer).order_by("at")
    for c in contacts:
        at = c.at.astimezone(clock.bank_zone()).strftime("%Y-%m-%d %H:%M")
        w.line(f"{at} {c.channel} {c.direction} {c.party} {c.result} {c.notes[:200]}")
    if not contacts:
        w.line(h["none"])

    w.heading(h["messages"])
    messages = Message.objects.filter(customer=customer).order_by("created_at")
    for m in messages:
        at = m.created_at.astimezone(clock.bank_zone()).strftime("%Y-%m-%d %H:%M")
        w.line(f"{at} {m.channel} {m.status} {m.subject} {m.body[:200]}")
    answered = Dispute.objects.filter(customer=customer, letter__isnull=False).order_by("decided_on")
    for d in answered:
        w.line(f"{d.decided_on} letter: dispute #{d.pk} {d.get_status_display()} — {d.proposed_reasons[:200]}")
    if not messages and not answered:
        w.line(h["none"])
    return w.done()
