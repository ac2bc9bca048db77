"""Integration credentials: created, rotated and revoked from the command line, the secret shown once
and never stored; the signing documented in docs/architecture.md is the one the server checks."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from arrears.audit.models import AuditEntry
from arrears.errors import NotAuthenticated
from arrears.integrations.models import Integration
from arrears.integrations.operations import authenticate, create_integration, secret_of
from arrears.integrations.signing import canonical, sign, signed_headers
from arrears.kernel import clock

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def arrears(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("integration", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def signed_now(name: str, secret: str, body: bytes = b"{}", key: str = "k") -> dict[str, str]:
    return signed_headers(
        name=name,
        secret=secret,
        method="POST",
        path="/api/v1/x",
        body=body,
        idempotency_key=key,
        timestamp=int(clock.now().timestamp()),
    )


@pytest.mark.django_db
class TestCommand:
    def test_create_prints_the_secret_once_and_list_never_shows_it(self) -> None:
        out, err = arrears("create", "--name", "dialer-a", "--kind", "dialer")
        created = json.loads(out)
        assert created["name"] == "dialer-a" and created["secret"].startswith("ais_") and "not shown again" in err
        listed, _ = arrears("list")
        assert created["secret"] not in listed and json.loads(listed)["kind"] == "dialer"
        row = Integration.objects.get()
        assert created["secret"] not in json.dumps([getattr(row, f.attname) for f in row._meta.fields], default=str)
        assert AuditEntry.objects.get(action="integration.create").actor == "cli"

    def test_the_secret_printed_signs_requests_until_it_is_rotated_or_revoked(self) -> None:
        secret = json.loads(arrears("create", "--name", "sms-a", "--kind", "sms_gateway")[0])["secret"]
        headers = signed_now("sms-a", secret)
        assert authenticate(method="POST", path="/api/v1/x", headers=headers, body=b"{}").name == "sms-a"
        new = json.loads(arrears("rotate", "--name", "sms-a")[0])["secret"]
        assert new != secret
        with pytest.raises(NotAuthenticated):
            authenticate(method="POST", path="/api/v1/x", headers=signed_now("sms-a", secret, key="2"), body=b"{}")
        arrears("revoke", "--name", "sms-a")
        with pytest.raises(NotAuthenticated):
            authenticate(method="POST", path="/api/v1/x", headers=signed_now("sms-a", new, key="3"), body=b"{}")
        assert json.loads(arrears("list")[0])["active"] is False

    @pytest.mark.parametrize(
        ("args", "says"),
        [
            (("revoke", "--name", "nobody"), "no integration"),
            (("create", "--name", "Has Spaces", "--kind", "dialer"), "lower-case"),
        ],
    )
    def test_bad_requests_are_refused_with_a_reason(self, args: tuple[str, ...], says: str) -> None:
        with pytest.raises(CommandError, match=says):
            arrears(*args)

    def test_a_name_is_never_reused_even_after_revocation(self) -> None:
        arrears("create", "--name", "gw", "--kind", "payment_gateway")
        arrears("revoke", "--name", "gw")
        with pytest.raises(CommandError, match="exists"):
            arrears("create", "--name", "gw", "--kind", "payment_gateway")
        with pytest.raises(CommandError, match="revoked"):
            arrears("revoke", "--name", "gw")

    def test_the_secret_depends_on_the_secret_key(self, settings: Any) -> None:
        integration, secret = create_integration(actor="t", name="host", kind="card_host")
        settings.SECRET_KEY = "another-key-" + "x" * 40
        assert secret_of(integration) != secret


class TestSigning:
    def test_the_worked_example_in_the_architecture_document_is_what_sign_computes(self) -> None:
        doc = ARCHITECTURE.read_text(encoding="utf-8")
        body = re.search(r"body \(exact bytes\):\s+(\{.*\})", doc)
        secret = re.search(r"With the secret `(ais_\w+)`", doc)
        signature = re.search(r"X-Arrears-Signature: ([0-9a-f]{64})", doc)
        assert body and secret and signature
        computed = sign(
            secret=secret.group(1),
            method="POST",
            path="/api/v1/gateway/payments",
            timestamp=1777773600,
            idempotency_key="pay-0001",
            body=body.group(1).encode(),
        )
        assert computed == signature.group(1)

    parts = st.tuples(
        st.sampled_from(["POST", "GET"]),
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20),
        st.integers(min_value=0, max_value=10**11).map(str),
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=0, max_size=20),
        st.binary(max_size=40),
    )

    @given(parts, parts)
    def test_two_different_requests_never_sign_the_same_text(self, a: tuple[Any, ...], b: tuple[Any, ...]) -> None:
        names = ("method", "path", "timestamp", "idempotency_key", "body")
        if a != b:
            assert canonical(**dict(zip(names, a, strict=True))) != canonical(**dict(zip(names, b, strict=True)))
