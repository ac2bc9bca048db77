"""Integrations: create, rotate and revoke them; authenticate their signed requests; answer a retried
request key with the first response.

The secret is derived, not stored: HMAC-SHA256 keyed with SECRET_KEY over the integration's name, its
random salt and its key version (`secret_of`). A copy of the database alone cannot sign a request, there
is nothing to decrypt or leak from the table, and rotating (a new version) or revoking needs no key
store. The price: changing SECRET_KEY changes every integration's secret, so each must be given its
new one (`arrears integration rotate`). The secret is printed once, when created or rotated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from arrears.audit.operations import record
from arrears.errors import ArrearsError, Conflict, Duplicate, NotAuthenticated, NotFound, ValidationFailed
from arrears.integrations import signing
from arrears.integrations.models import IdempotentRequest, Integration, IntegrationKind, SeenSignature
from arrears.kernel import clock

# How far a request's timestamp may be from the server's clock, either way.
WINDOW = dt.timedelta(seconds=300)
# How long a request key is remembered.
KEEP_RESPONSES = dt.timedelta(days=30)
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,59}")
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")
SECRET_PREFIX = "ais_"
HEX64 = re.compile(r"[0-9a-f]{64}")


def secret_of(integration: Integration) -> str:
    value = f"{integration.name}|{integration.salt}|{integration.key_version}"
    return SECRET_PREFIX + salted_hmac("arrears.integrations.secret", value, algorithm="sha256").hexdigest()


def create_integration(*, actor: str, name: str, kind: str) -> tuple[Integration, str]:
    """A new integration and its secret (shown once). A name is never reused, even once revoked."""
    name = name.strip()
    if not NAME.fullmatch(name):
        raise ValidationFailed(
            "use 1 to 60 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", field="name"
        )
    if kind not in IntegrationKind.values:
        raise ValidationFailed(
            f"must be one of {', '.join(IntegrationKind.values)}",
            field="kind",
            code="not_a_choice",
            params={"values": ", ".join(IntegrationKind.values)},
        )
    if Integration.objects.filter(name=name).exists():
        raise Duplicate(f"an integration named {name!r} exists (or existed): choose another name", field="name")
    with transaction.atomic():
        integration = Integration.objects.create(
            name=name, kind=kind, salt=secrets.token_hex(16), created_at=clock.now(), created_by=actor
        )
        record(
            actor=actor,
            action="integration.create",
            object_type="integration",
            object_id=name,
            after={"kind": kind, "key_version": integration.key_version},
        )
    return integration, secret_of(integration)


def _active(name: str) -> Integration:
    integration = Integration.objects.filter(name=name).first()
    if integration is None:
        raise NotFound(f"no integration named {name!r}", field="name")
    if not integration.active:
        raise Conflict(f"the integration {name!r} was revoked on {integration.revoked_at:%Y-%m-%d}", field="name")
    return integration


def rotate_secret(*, actor: str, name: str) -> tuple[Integration, str]:
    """A new secret (the next key version); the old one stops working at once."""
    with transaction.atomic():
        integration = _active(name)
        integration.key_version += 1
        integration.save(update_fields=["key_version"])
        record(
            actor=actor,
            action="integration.rotate",
            object_type="integration",
            object_id=name,
            after={"key_version": integration.key_version},
        )
    return integration, secret_of(integration)


def revoke_integration(*, actor: str, name: str) -> Integration:
    with transaction.atomic():
        integration = _active(name)
        integration.active, integration.revoked_at, integration.revoked_by = False, clock.now(), actor
        integration.save(update_fields=["active", "revoked_at", "revoked_by"])
        record(actor=actor, action="integration.revoke", object_type="integration", object_id=name)
    return integration


def integrations() -> list[Integration]:
    return list(Integration.objects.order_by("name"))


# --- requests ------------------------------------------------------------------------------------


def _refused(message: str, *, field: str, code: str = "signature_invalid") -> NotAuthenticated:
    return NotAuthenticated(message, field=field, code=code)


def authenticate(*, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Integration:
    """The integration that signed this request; NotAuthenticated otherwise. A signature is accepted once."""
    name = headers.get(signing.INTEGRATION, "").strip()
    if not name:
        raise _refused(
            f"sign the request as an integration: the {signing.INTEGRATION} header is missing",
            field=signing.INTEGRATION,
        )
    signature = headers.get(signing.SIGNATURE, "").strip().lower()
    if not signature:
        raise _refused(f"the {signing.SIGNATURE} header is missing", field=signing.SIGNATURE)
    stamp = headers.get(signing.TIMESTAMP, "").strip()
    now = clock.now()
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        raise _refused("give the Unix time in whole seconds", field=signing.TIMESTAMP, code="timestamp_out_of_window")
    if abs(int(stamp) - now.timestamp()) > WINDOW.total_seconds():
        raise _refused(
            f"more than {WINDOW.seconds} seconds from the server's clock ({int(now.timestamp())})",
            field=signing.TIMESTAMP,
            code="timestamp_out_of_window",
        )
    integration = Integration.objects.filter(name=name, active=True).first()
    # An unknown or revoked name is checked against a random secret, so it answers like a bad signature.
    secret = secret_of(integration) if integration else secrets.token_hex(32)
    expected = signing.sign(
        secret=secret,
        method=method,
        path=path,
        timestamp=stamp,
        idempotency_key=headers.get(signing.IDEMPOTENCY_KEY, ""),
        body=body,
    )
    if integration is None or not HEX64.fullmatch(signature) or not hmac.compare_digest(expected, signature):
        raise _refused(
            "the signature does not match the request, or the integration is unknown or revoked",
            field=signing.SIGNATURE,
        )
    try:
        with transaction.atomic():
            expires_at = dt.datetime.fromtimestamp(int(stamp), dt.UTC) + WINDOW
            SeenSignature.objects.create(integration=integration, signature=signature, expires_at=expires_at)
    except IntegrityError:
        raise _refused(
            "this signature has been used already: sign every request afresh, retries too",
            field=signing.SIGNATURE,
            code="signature_replayed",
        ) from None
    # A signature whose timestamp has left the window can no longer pass, so it need not be remembered.
    SeenSignature.objects.filter(expires_at__lt=now - WINDOW).delete()
    return integration


def idempotency_key(headers: Mapping[str, str]) -> str:
    key = headers.get(signing.IDEMPOTENCY_KEY, "")
    if not key:
        raise ValidationFailed(
            "give every request a key of your own, the same for its retries",
            field=signing.IDEMPOTENCY_KEY,
            code="required",
        )
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ValidationFailed("use 1 to 200 visible ASCII characters, no spaces", field=signing.IDEMPOTENCY_KEY)
    return key


def fingerprint(*, method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(
        b"\n".join((method.upper().encode(), path.encode(), hashlib.sha256(body).digest()))
    ).hexdigest()


def _stored(integration: Integration, key: str, print_: str) -> tuple[int, str] | None:
    row = IdempotentRequest.objects.filter(integration=integration, key=key).first()
    if row is None:
        return None
    if not hmac.compare_digest(row.fingerprint, print_):
        raise Conflict(
            f"the {signing.IDEMPOTENCY_KEY} {key!r} was used for another request; give each request its own key",
            field=signing.IDEMPOTENCY_KEY,
            code="idempotency_key_reused",
        )
    return row.status, row.response


def run_once(
    *, integration: Integration, key: str, fingerprint: str, work: Callable[[], tuple[int, Any]]
) -> tuple[int, str, bool]:
    """(status, JSON body, replayed): the work's answer, or the answer the first request with this key got.

    The work runs in the transaction that stores its answer, so the answer exists exactly when the work
    was done. A refusal (an ArrearsError) is an answer too, and is stored; a crash stores nothing, so a
    retry does the work. Of two concurrent requests with one key, the second waits on the key's unique
    index and then gets the first one's answer."""
    stored = _stored(integration, key, fingerprint)
    if stored is not None:
        return (*stored, True)
    try:
        with transaction.atomic():
            row = IdempotentRequest.objects.create(
                integration=integration, key=key, fingerprint=fingerprint, status=0, response="", created_at=clock.now()
            )
            try:
                with transaction.atomic():
                    status, body = work()
            except ArrearsError as exc:
                status, body = type(exc).status, exc.as_dict()
            text = json.dumps(body, cls=DjangoJSONEncoder)
            row.status, row.response = status, text
            row.save(update_fields=["status", "response"])
    except IntegrityError:
        stored = _stored(integration, key, fingerprint)
        if stored is None:
            raise
        return (*stored, True)
    IdempotentRequest.objects.filter(created_at__lt=clock.now() - KEEP_RESPONSES).delete()
    return status, text, False
