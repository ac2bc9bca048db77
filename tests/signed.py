"""A system calling the API as an integration: its requests signed as docs/architecture.md shows."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

from django.test import Client

from arrears.integrations.models import Integration
from arrears.integrations.operations import create_integration
from arrears.integrations.signing import signed_headers
from arrears.kernel import clock


@dataclasses.dataclass
class System:
    integration: Integration
    secret: str
    client: Client = dataclasses.field(default_factory=Client)

    @property
    def name(self) -> str:
        return self.integration.name

    def headers(self, path: str, body: bytes, *, key: str, timestamp: int | None = None) -> dict[str, str]:
        return signed_headers(
            name=self.name,
            secret=self.secret,
            method="POST",
            path=path,
            body=body,
            idempotency_key=key,
            timestamp=int(clock.now().timestamp()) if timestamp is None else timestamp,
        )

    def post(self, path: str, payload: Any, *, key: str | None = None, **signing: Any) -> Any:
        """POST `payload` as JSON, signed now (or as `signing` says: timestamp, headers to override)."""
        body = json.dumps(payload).encode()
        overrides = signing.pop("headers", {})
        headers = {**self.headers(path, body, key=uuid.uuid4().hex if key is None else key, **signing), **overrides}
        return self.client.post(path, data=body, content_type="application/json", headers=headers)


def system(name: str, kind: str) -> System:
    integration, secret = create_integration(actor="test", name=name, kind=kind)
    return System(integration, secret)
