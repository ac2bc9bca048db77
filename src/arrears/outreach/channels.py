"""The ways a message leaves Arrears: e-mail over SMTP, SMS through a provider adapter.

The SMS adapter is chosen by settings.ARREARS_SMS_BACKEND: "file" (the default) appends each message
as a JSON line to settings.ARREARS_SMS_OUTBOX, which a provider's gateway or an operator picks up.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection


class SendFailed(Exception):
    pass


def send_email(*, to: str, subject: str, body: str, unsubscribe_url: str) -> str:
    ref = f"<{uuid.uuid4().hex}@arrears>"
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": ref, "List-Unsubscribe": f"<{unsubscribe_url}>"},
    )
    try:
        message.send(fail_silently=False)
    except OSError as exc:  # smtplib errors are OSErrors
        raise SendFailed(str(exc)) from exc
    return ref


def send_report(*, to: str, subject: str, body: str, filename: str, pdf: bytes) -> str:
    """A report to a member of staff, the PDF attached (no opt-out: it is their work)."""
    ref = f"<{uuid.uuid4().hex}@arrears>"
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], headers={"Message-ID": ref}
    )
    message.attach(filename, pdf, "application/pdf")
    try:
        message.send(fail_silently=False)
    except OSError as exc:  # smtplib errors are OSErrors
        raise SendFailed(str(exc)) from exc
    return ref


def send_sms_batch(messages: list[tuple[str, str]]) -> list[str]:
    """(number, text) pairs out through the configured adapter; returns the provider references."""
    backend = getattr(settings, "ARREARS_SMS_BACKEND", "file")
    if backend != "file":
        raise SendFailed(f"unknown SMS backend {backend!r}")
    outbox = Path(settings.ARREARS_SMS_OUTBOX)
    outbox.parent.mkdir(parents=True, exist_ok=True)
    refs = [f"sms-{uuid.uuid4().hex}" for _ in messages]
    with outbox.open("a", encoding="utf-8") as out:
        for ref, (number, text) in zip(refs, messages, strict=True):
            out.write(json.dumps({"ref": ref, "to": number, "text": text}, ensure_ascii=False) + "\n")
    return refs


def email_connection_ok() -> bool:
    try:
        connection = get_connection()
        connection.open()
        connection.close()
        return True
    except OSError:
        return False
