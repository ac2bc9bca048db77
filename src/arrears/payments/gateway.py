"""The outgoing side of a payment gateway: the cardholder starts a checkout, the gateway confirms it, and
the confirmation posts the payment through the ledger door (`post_payment`, reference = the checkout ref).

The gateway is chosen by settings.ARREARS_PAYMENT_GATEWAY, as the SMS adapter is:

- "test" (the default): Arrears serves a test gateway page at /pay/test/<ref>/ whose Pay and Cancel
  buttons call `confirm_checkout` exactly as a real gateway's callback would;
- "file": each checkout request is appended as a JSON line to settings.ARREARS_PAYMENT_OUTBOX, and the
  cardholder is sent to settings.ARREARS_PAYMENT_GATEWAY_URL (with `{ref}` filled in); the gateway's
  confirmations come back through `arrears payments confirm FILE` (JSON lines).

A checkout's ref is unguessable (secrets.token_urlsafe), confirmed once and expires after
settings.ARREARS_CHECKOUT_MINUTES, so a page that only knows the ref cannot be used to pay twice or late.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from arrears.audit.operations import record
from arrears.errors import Conflict, NotFound, ValidationFailed
from arrears.kernel import clock
from arrears.ledger.models import Account, AccountStatus
from arrears.money import format_fen, from_fen, to_fen
from arrears.payments.models import Checkout, CheckoutStatus
from arrears.payments.operations import PaymentIn, post_payment
from arrears.payments.rules import product_refusal
from arrears.products.models import versions_in_force
from arrears.products.rules import ProductParams

GATEWAYS = ("test", "file")
PAYABLE = (AccountStatus.OPEN, AccountStatus.BLOCKED, AccountStatus.CHARGED_OFF)


def gateway_name() -> str:
    name = str(getattr(settings, "ARREARS_PAYMENT_GATEWAY", "test"))
    if name not in GATEWAYS:
        raise ValueError(f"unknown payment gateway {name!r}: ARREARS_PAYMENT_GATEWAY must be one of {GATEWAYS}")
    return name


def amount_owed_fen(account: Account) -> int:
    """What a payment may pay at most: the balance, and of a charged-off account what is still owed."""
    still_owed = account.charged_off_fen - account.recovered_fen if account.status == AccountStatus.CHARGED_OFF else 0
    return max(account.balance_fen, 0) + max(still_owed, 0)


def start_checkout(
    *, actor: str, account: Account, amount: Decimal, business_date: dt.date, return_url: str
) -> Checkout:
    """A checkout of `amount` on the account, waiting for the gateway; send the cardholder to
    `checkout_url(checkout)`. The amount is more than zero, at most what is owed and within the product's
    limit for one payment; the return URL is a path on this site (or under ARREARS_PUBLIC_URL)."""
    if not actor:
        raise ValidationFailed("the actor must be named", field="actor", code="required")
    fen = to_fen(amount, field="amount")
    account = Account.objects.get(pk=account.pk)  # the balance as it is now, not as the caller read it
    if fen <= 0:
        raise ValidationFailed("must be greater than zero", field="amount", code="must_be_positive")
    if account.status not in PAYABLE:
        raise ValidationFailed(
            f"account {account.masked_number} is {account.status}: it takes no payments", field="account"
        )
    owed = amount_owed_fen(account)
    if fen > owed:
        raise ValidationFailed(
            f"{format_fen(fen)} is more than the {format_fen(owed)} owed on the account",
            field="amount",
            code="above_amount_owed",
            params={"owed": format_fen(owed)},
        )
    params = versions_in_force(business_date).get(account.product_id) or ProductParams()
    refused = product_refusal(
        amount=from_fen(fen), value_date=business_date, business_date=business_date, params=params
    )
    if refused:
        raise ValidationFailed(refused.message, field=refused.field, code=refused.code, params=refused.params)
    _check_return_url(return_url)
    gateway = gateway_name()
    now = clock.now()
    with transaction.atomic():
        checkout = Checkout.objects.create(
            ref=f"CO-{secrets.token_urlsafe(24)}",
            customer_id=account.customer_id,
            account=account,
            amount_fen=fen,
            gateway=gateway,
            started_by=actor[:150],
            started_on=business_date,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=settings.ARREARS_CHECKOUT_MINUTES),
            return_url=return_url,
        )
        # The audit names the checkout by its id: its ref is a bearer token until it is used.
        record(
            actor=actor,
            action="checkout.start",
            object_type="checkout",
            object_id=checkout.pk,
            after={"account": account.ref, "amount_fen": fen, "gateway": gateway, "expires_at": checkout.expires_at},
        )
        if gateway == "file":
            transaction.on_commit(lambda: _write_request(checkout))
    return checkout


def checkout_url(checkout: Checkout) -> str:
    """Where to send the cardholder to pay: the test gateway's page, or the file gateway's address."""
    if checkout.gateway == "test":
        return reverse("pay-test", args=[checkout.ref])
    return str(settings.ARREARS_PAYMENT_GATEWAY_URL).format(ref=checkout.ref)


def find_checkout(ref: str) -> Checkout:
    checkout = Checkout.objects.select_related("account").filter(ref=ref).first() if _looks_like_ref(ref) else None
    if checkout is None:
        raise NotFound("no such checkout", field="ref")
    return checkout


def is_expired(checkout: Checkout) -> bool:
    return checkout.status == CheckoutStatus.PENDING and clock.now() >= checkout.expires_at


def confirm_checkout(
    *, ref: str, gateway_reference: str, amount_fen: int, succeeded: bool, business_date: dt.date, actor: str
) -> Checkout:
    """The gateway's answer for a checkout. Paid: the payment is posted (reference = the ref) and the
    checkout is paid; not paid: it is cancelled. Idempotent: the same answer again changes nothing and
    returns the checkout; an answer that contradicts the first one is a conflict. The amount must be
    the checkout's; an expired checkout is refused (and recorded as expired)."""
    gateway_reference = (gateway_reference or "").strip()
    if not gateway_reference or len(gateway_reference) > 128:
        raise ValidationFailed("the gateway's reference must be 1-128 characters", field="gateway_reference")
    if not actor:
        raise ValidationFailed("the actor must be named", field="actor", code="required")
    expired = False
    with transaction.atomic():
        checkout = find_checkout(ref)
        checkout = Checkout.objects.select_for_update().select_related("account").get(pk=checkout.pk)
        if checkout.status != CheckoutStatus.PENDING:
            return _repeated(checkout, gateway_reference=gateway_reference, succeeded=succeeded)
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen != checkout.amount_fen:
            raise ValidationFailed(
                f"the amount {amount_fen!r} fen is not the checkout's {checkout.amount_fen} fen",
                field="amount_fen",
                code="checkout_amount_mismatch",
                params={"amount": format_fen(checkout.amount_fen)},
            )
        now = clock.now()
        if now >= checkout.expires_at:
            checkout.status = CheckoutStatus.EXPIRED
            checkout.finished_at = now
            checkout.save(update_fields=["status", "finished_at"])
            record(
                actor=actor,
                action="checkout.expired",
                object_type="checkout",
                object_id=checkout.pk,
                after={"gateway_reference": gateway_reference, "succeeded": succeeded},
            )
            expired = True
        elif succeeded:
            payment = post_payment(
                actor=actor,
                business_date=business_date,
                payment=PaymentIn(
                    account_number=checkout.account.number,
                    amount=from_fen(checkout.amount_fen),
                    value_date=business_date,
                    reference=checkout.ref,
                ),
                source=f"checkout:{checkout.gateway}",
            )
            checkout.status = CheckoutStatus.PAID
            checkout.payment = payment
        else:
            checkout.status = CheckoutStatus.CANCELLED
        if not expired:
            checkout.gateway_reference = gateway_reference
            checkout.finished_at = now
            checkout.save(update_fields=["status", "payment", "gateway_reference", "finished_at"])
            record(
                actor=actor,
                action=f"checkout.{checkout.status}",
                object_type="checkout",
                object_id=checkout.pk,
                after={
                    "gateway_reference": gateway_reference,
                    "amount_fen": checkout.amount_fen,
                    "payment": checkout.payment.reference if checkout.payment else None,
                },
            )
    if expired:
        raise Conflict("the checkout has expired; start a new one", field="ref", code="checkout_expired")
    return checkout


def _repeated(checkout: Checkout, *, gateway_reference: str, succeeded: bool) -> Checkout:
    """A second answer for a finished checkout: the same answer is a no-op, another one a conflict."""
    same = (checkout.status == CheckoutStatus.PAID) == succeeded and checkout.gateway_reference == gateway_reference
    if checkout.status in (CheckoutStatus.PAID, CheckoutStatus.CANCELLED) and same:
        return checkout
    if checkout.status == CheckoutStatus.EXPIRED:
        raise Conflict("the checkout has expired; start a new one", field="ref", code="checkout_expired")
    raise Conflict(
        f"the checkout was already {checkout.status}",
        field="ref",
        code="checkout_finished",
        params={"status": checkout.status},
    )


def _looks_like_ref(ref: str) -> bool:
    return isinstance(ref, str) and 0 < len(ref) <= 64


def _check_return_url(url: str) -> None:
    """A path on this site, or an address under ARREARS_PUBLIC_URL: the gateway never sends the
    cardholder somewhere else (an open redirect)."""
    if not isinstance(url, str) or not url or len(url) > 500 or any(c in url for c in "\\\r\n\t "):
        raise ValidationFailed("give a path on this site, at most 500 characters", field="return_url")
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//"):
        return
    public = urlsplit(str(settings.ARREARS_PUBLIC_URL))
    if (parts.scheme, parts.netloc) == (public.scheme, public.netloc) and parts.scheme in ("http", "https"):
        return
    raise ValidationFailed("the return address must be on this site", field="return_url")


def _write_request(checkout: Checkout) -> None:
    outbox = Path(settings.ARREARS_PAYMENT_OUTBOX)
    outbox.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "ref": checkout.ref,
        "amount": format_fen(checkout.amount_fen),
        "amount_fen": checkout.amount_fen,
        "currency": checkout.currency,
        "expires_at": checkout.expires_at.isoformat(),
        "return_url": checkout.return_url,
    }
    with outbox.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
