"""Signing a cardholder in and keeping their portal session: the only code that writes the portal's tables.

Sign-in is two steps. `request_code` takes the last four digits of a card and the national ID; when they
name a customer with a mobile on file, a six-digit code goes to it by SMS. Whether they name anyone is never
told: the answer, the counting and the time taken are the same. `verify_code` checks the code (expired,
used, or tried too often: wrong) and opens a `PortalSession`, whose token only the browser holds.

Wrong codes count against the identity typed and the client's address; enough of them within the window
lock both (the rule is `arrears.logins.rules`, the staff's). Every code sent, failure, lock, sign-in and
sign-out is audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from arrears.audit.operations import record
from arrears.errors import Conflict, ValidationFailed
from arrears.kernel import clock
from arrears.ledger.models import Customer
from arrears.logins.rules import Throttle, locked_until
from arrears.outreach.channels import SendFailed, send_sms_batch
from arrears.portal.models import PortalFailure, PortalSession, SignInCode
from arrears.portal.rules import (
    Lifetime,
    normalise_code,
    normalise_last_four,
    normalise_national_id,
    session_end_reason,
)

CODE_DIGITS = 6
ACTOR = "portal"
SEEN_GRANULARITY = dt.timedelta(minutes=1)


def cardholder(customer_id: int) -> str:
    """The audit trail's actor for what a cardholder does on the portal."""
    return f"cardholder:{customer_id}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _keyed(*parts: str) -> str:
    key = hashlib.sha256(f"arrears.portal:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def identity_key(last_four: str, national_id: str) -> str:
    """The identity typed, keyed: what the throttle counts, without storing the ID number."""
    return _keyed("identity", last_four, national_id)


def _throttles() -> dict[str, Throttle]:
    window = dt.timedelta(minutes=settings.ARREARS_PORTAL_WINDOW_MINUTES)
    lock = dt.timedelta(minutes=settings.ARREARS_PORTAL_LOCK_MINUTES)
    return {
        "identity": Throttle(settings.ARREARS_PORTAL_FAILURES_PER_IDENTITY, window, lock),
        "address": Throttle(settings.ARREARS_PORTAL_FAILURES_PER_ADDRESS, window, lock),
    }


def _locks(identity: str, address: str | None, now: dt.datetime) -> dict[str, dt.datetime]:
    locks = {}
    for scope, throttle in _throttles().items():
        value = identity if scope == "identity" else address
        if not value:
            continue
        times = PortalFailure.objects.filter(**{scope: value, "at__gte": now - throttle.memory}).values_list(
            "at", flat=True
        )
        until = locked_until(times, throttle, now)
        if until is not None:
            locks[scope] = until
    return locks


def _refuse_if_locked(identity: str, address: str | None, now: dt.datetime) -> None:
    locks = _locks(identity, address, now)
    if locks:
        until = max(locks.values())
        raise Conflict(
            f"too many wrong codes: signing in is locked until {until.isoformat()}",
            field=None,
            code="sign_in_locked",
            params={"until": until.isoformat()},
        )


@dataclasses.dataclass(frozen=True)
class CodeRequest:
    token: str  # the browser keeps it (a cookie) to say which code it answers
    expires_at: dt.datetime


def request_code(*, last_four: str, national_id: str, address: str | None) -> CodeRequest:
    """Send a one-time code to the mobile on file of the customer the identity names (if any)."""
    four, nid = normalise_last_four(last_four), normalise_national_id(national_id)
    identity = identity_key(four, nid)
    now = clock.now()
    _refuse_if_locked(identity, address, now)
    window = now - dt.timedelta(minutes=settings.ARREARS_PORTAL_WINDOW_MINUTES)
    recent = SignInCode.objects.filter(created_at__gte=window)
    if recent.filter(identity=identity).count() >= settings.ARREARS_PORTAL_CODES_PER_WINDOW or (
        address and recent.filter(address=address).count() >= settings.ARREARS_PORTAL_FAILURES_PER_ADDRESS
    ):
        raise Conflict("too many codes asked for: wait before asking again", code="too_many_codes")
    customer = Customer.objects.filter(national_id__iexact=nid, accounts__number__endswith=four).order_by("id").first()
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    expires = now + dt.timedelta(minutes=settings.ARREARS_PORTAL_CODE_MINUTES)
    with transaction.atomic():
        row = SignInCode.objects.create(
            token_hash=_sha256(token),
            identity=identity,
            customer=customer,
            code_hash=_keyed("code", token, code),
            address=address,
            created_at=now,
            expires_at=expires,
        )
        if customer is None:
            record(
                actor=ACTOR,
                action="portal.code_unknown",
                object_type="portal_identity",
                object_id=identity[:16],
                after={"address": address, "request": row.pk},
            )
        elif not customer.mobile:
            record(
                actor=ACTOR,
                action="portal.code_no_mobile",
                object_type="customer",
                object_id=customer.pk,
                after={"address": address, "request": row.pk},
            )
        else:
            with translation.override(customer.language or settings.LANGUAGE_CODE):
                text = gettext(
                    "%(issuer)s: your sign-in code is %(code)s. It is valid for %(minutes)s minutes. "
                    "Never tell it to anyone, not even our staff."
                ) % {
                    "issuer": settings.ARREARS_ISSUER["name"],
                    "code": code,
                    "minutes": settings.ARREARS_PORTAL_CODE_MINUTES,
                }
            try:
                [ref] = send_sms_batch([(customer.mobile, text)])
            except SendFailed as exc:
                ref = f"failed: {exc}"[:80]
            record(
                actor=ACTOR,
                action="portal.code_sent",
                object_type="customer",
                object_id=customer.pk,
                after={"address": address, "request": row.pk, "sms": ref, "expires_at": expires},
            )
    return CodeRequest(token=token, expires_at=expires)


@dataclasses.dataclass(frozen=True)
class SignedIn:
    session: PortalSession
    token: str  # the session cookie's value; only its hash is stored


def verify_code(*, token: str, code: str, address: str | None, user_agent: str) -> SignedIn:
    """Open a portal session for the right code, once; anything else is a wrong code (counted)."""
    now = clock.now()
    row = SignInCode.objects.filter(token_hash=_sha256(token)).select_related("customer").first() if token else None
    identity = row.identity if row is not None else ""
    _refuse_if_locked(identity, address, now)
    typed = normalise_code(code, CODE_DIGITS)
    good = (
        row is not None
        and row.customer is not None
        and row.used_at is None
        and row.expires_at > now
        and row.tries < settings.ARREARS_PORTAL_CODE_TRIES
        and typed is not None
        and hmac.compare_digest(row.code_hash, _keyed("code", token, typed))
    )
    if not good:
        _failed(row, identity, address, now)
        raise ValidationFailed(
            "the code is wrong or no longer valid; ask for a new one if it expired",
            field="code",
            code="wrong_sign_in_code",
        )
    assert row is not None and row.customer is not None
    session_token = secrets.token_urlsafe(32)
    with transaction.atomic():
        used = SignInCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now, tries=row.tries + 1)
        if not used:  # another request took it meanwhile: single use
            raise ValidationFailed("the code has already been used", field="code", code="wrong_sign_in_code")
        session = PortalSession.objects.create(
            token_hash=_sha256(session_token),
            customer=row.customer,
            created_at=now,
            seen_at=now,
            address=address,
            user_agent=user_agent[:300],
        )
        PortalFailure.objects.filter(identity=row.identity).delete()
        record(
            actor=cardholder(row.customer.pk),
            action="portal.sign_in",
            object_type="customer",
            object_id=row.customer.pk,
            after={"session": session.pk, "address": address, "user_agent": user_agent[:300]},
        )
    return SignedIn(session=session, token=session_token)


def _failed(row: SignInCode | None, identity: str, address: str | None, now: dt.datetime) -> None:
    with transaction.atomic():
        before = _locks(identity, address, now)
        if row is not None:
            SignInCode.objects.filter(pk=row.pk).update(tries=row.tries + 1)
        PortalFailure.objects.create(at=now, identity=identity, address=address)
        subject = (
            ("customer", row.customer_id) if row is not None and row.customer_id else ("portal_identity", identity[:16])
        )
        record(
            actor=ACTOR,
            action="portal.sign_in_failed",
            object_type=subject[0],
            object_id=subject[1],
            after={"address": address, "request": row.pk if row is not None else None},
        )
        for scope, until in _locks(identity, address, now).items():
            if scope not in before:
                record(
                    actor=ACTOR,
                    action="portal.locked",
                    object_type=subject[0],
                    object_id=subject[1],
                    after={"scope": scope, "address": address, "until": until},
                )
        longest = max(t.memory for t in _throttles().values())
        PortalFailure.objects.filter(at__lt=now - longest).delete()


def lifetime() -> Lifetime:
    return Lifetime(
        idle=dt.timedelta(minutes=settings.ARREARS_PORTAL_IDLE_MINUTES),
        longest=dt.timedelta(hours=settings.ARREARS_PORTAL_MAX_HOURS),
    )


def session_for(token: str) -> PortalSession | None:
    """The live session this token opens (its last activity noted), or None; an idle or too old one ends."""
    if not token:
        return None
    session = (
        PortalSession.objects.filter(token_hash=_sha256(token), ended_at__isnull=True)
        .select_related("customer")
        .first()
    )
    if session is None:
        return None
    now = clock.now()
    reason = session_end_reason(started=session.created_at, seen=session.seen_at, now=now, lifetime=lifetime())
    if reason is not None:
        PortalSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=now, end_reason=reason)
        return None
    if now - session.seen_at >= SEEN_GRANULARITY:
        PortalSession.objects.filter(pk=session.pk).update(seen_at=now)
        session.seen_at = now
    return session


def sign_out(*, token: str) -> None:
    session = session_for(token)
    if session is None:
        return
    with transaction.atomic():
        PortalSession.objects.filter(pk=session.pk).update(ended_at=clock.now(), end_reason="signed_out")
        record(
            actor=cardholder(session.customer_id),
            action="portal.sign_out",
            object_type="customer",
            object_id=session.customer_id,
            after={"session": session.pk},
        )
