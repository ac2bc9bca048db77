"""Loaded by pytest before Django reads its settings (`-p tests.environment` in pyproject.toml).

The tests run as the demo does (ARREARS_DEMO=1: DEBUG off, plain HTTP) with a random secret key of
their own, never one written in the repository. The key goes into the environment so that the
`arrears` commands the tests start in subprocesses share it; no var/secret_key file is made.
"""

from __future__ import annotations

import os
import secrets

os.environ.setdefault("ARREARS_DEMO", "1")
os.environ.setdefault("ARREARS_SECRET_KEY", secrets.token_urlsafe(50))
