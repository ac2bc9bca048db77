"""Where the secret key comes from, and the refusal to serve without one.

The key signs sessions, CSRF tokens and the opt-out links in messages, so a key anyone can read lets
anyone forge them. It comes from ARREARS_SECRET_KEY. Without it:

- in demo mode (ARREARS_DEMO=1, which `make demo` sets) or debug mode (ARREARS_DEBUG=1), a random key
  is generated once into var/secret_key (mode 0600) and reused, so sessions and links survive restarts;
- otherwise there is no key: a server (runserver, the WSGI application) refuses to start, and a batch
  command that needs the key (one that signs an opt-out link) stops when it first asks for it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

KEY_FILE = "secret_key"
# Django's own bar for a strong key (`check --deploy`, security.W009).
MIN_LENGTH, MIN_UNIQUE = 50, 5

REFUSAL = (
    "Arrears will not serve without a secret key. Set ARREARS_SECRET_KEY to at least 50 random characters "
    "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or run the demo with ARREARS_DEMO=1 "
    "(a random key is kept in var/secret_key), or develop with ARREARS_DEBUG=1."
)


@dataclass(frozen=True)
class Key:
    value: str  # "" when there is none
    source: str  # "environment", "file" or "none"


def is_strong(value: str) -> bool:
    return len(value) >= MIN_LENGTH and len(set(value)) >= MIN_UNIQUE and not value.startswith("django-insecure")


def choose(environ: Mapping[str, str], var_dir: Path) -> Key:
    """The key from the environment; in demo or debug mode the one kept in var/; else none."""
    given = environ.get("ARREARS_SECRET_KEY", "")
    if given:
        return Key(given, "environment")
    if environ.get("ARREARS_DEMO") == "1" or environ.get("ARREARS_DEBUG") == "1":
        return Key(kept_in(var_dir / KEY_FILE), "file")
    return Key("", "none")


def kept_in(path: Path) -> str:
    """The key in `path`, generated there first (mode 0600) when missing. Two processes starting at
    once agree on one key: the file appears whole (a private temporary file, then a hard link that
    fails when the name exists) and the loser reads the winner's."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # created 0600
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(64))
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    value = path.read_text().strip()
    if not is_strong(value):
        raise ImproperlyConfigured(f"{path} does not hold a usable secret key: remove it and a new one is made")
    return value


def refuse_to_serve(settings: Any) -> None:
    """Raise unless a server may start with the settings' key: a strong one given, or the demo's or debug's."""
    if settings.ARREARS_SECRET_KEY_SOURCE == "none":
        raise ImproperlyConfigured(REFUSAL)
    if not is_strong(settings.SECRET_KEY):
        raise ImproperlyConfigured(
            "ARREARS_SECRET_KEY is too weak to serve with: at least 50 characters, 5 of them different. " + REFUSAL
        )
