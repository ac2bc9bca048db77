"""`check --deploy` is clean under the production settings."""

from __future__ import annotations

import os
import subprocess
import sys


def test_check_deploy_is_clean_under_production_settings() -> None:
    # The browser tests allow Django's async-unsafe mode in this process; production never does.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "ARREARS_DEBUG": "0",
        "ARREARS_SECRET_KEY": "x7" * 32 + "-production-secret",
        "ARREARS_ALLOWED_HOSTS": "arrears.example.com",
    }
    done = subprocess.run(
        [sys.executable, "-m", "arrears.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {"ARREARS_DEBUG": "0", "ARREARS_SECRET_KEY": ""}
    done = subprocess.run(
        [sys.executable, "-m", "arrears.cli", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr
