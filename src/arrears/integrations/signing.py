"""How a system signs a request to Arrears. Standard library only, so a client may copy this file.

The signature is the hex HMAC-SHA256, keyed with the integration's secret, of five lines:

    METHOD\nPATH\nTIMESTAMP\nIDEMPOTENCY-KEY\nsha256hex(body)

PATH is the path with its query string as sent (`/api/v1/gateway/payments`), TIMESTAMP the Unix time in
whole seconds, the body the exact bytes sent. The headers that carry it are in HEADERS.
"""

from __future__ import annotations

import hashlib
import hmac

INTEGRATION = "X-Arrears-Integration"
TIMESTAMP = "X-Arrears-Timestamp"
SIGNATURE = "X-Arrears-Signature"
IDEMPOTENCY_KEY = "Idempotency-Key"
HEADERS = (INTEGRATION, TIMESTAMP, IDEMPOTENCY_KEY, SIGNATURE)


def canonical(*, method: str, path: str, timestamp: str, idempotency_key: str, body: bytes) -> bytes:
    """The text that is signed."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((method.upper(), path, timestamp, idempotency_key, digest)).encode()


def sign(*, secret: str, method: str, path: str, timestamp: str | int, idempotency_key: str, body: bytes) -> str:
    text = canonical(method=method, path=path, timestamp=str(timestamp), idempotency_key=idempotency_key, body=body)
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


def signed_headers(
    *, name: str, secret: str, method: str, path: str, body: bytes, idempotency_key: str, timestamp: int
) -> dict[str, str]:
    """The four headers of a signed request."""
    signature = sign(
        secret=secret, method=method, path=path, timestamp=timestamp, idempotency_key=idempotency_key, body=body
    )
    return {
        INTEGRATION: name,
        TIMESTAMP: str(timestamp),
        IDEMPOTENCY_KEY: idempotency_key,
        SIGNATURE: signature,
    }
