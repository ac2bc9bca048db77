"""`check --deploy` is clean under the production settings, and no server starts without a secret key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from arrears.secret_key import KEY_FILE

PRODUCTION_KEY = "x7" * 32 + "-production-secret"
ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = "dev-only-" + "insecure-key"  # the key the settings once fell back to (spelt apart, not to match here)
LITERAL_KEY = re.compile(r"^\s*SECRET_KEY\s*=\s*[\"']", re.MULTILINE)  # a key written into a settings file


def production_env(**changes: str) -> dict[str, str]:
    """This environment without the tests' own demo mode, key and async switch (production has none)."""
    dropped = {"DJANGO_ALLOW_ASYNC_UNSAFE", "ARREARS_DEMO", "ARREARS_DEBUG", "ARREARS_SECRET_KEY"}
    return {**{k: v for k, v in os.environ.items() if k not in dropped}, **changes}


def arrears(*args: str, env: dict[str, str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "arrears.cli", *args],
        env={**env, "DATABASE_URL": f"sqlite:///{cwd}/unused.sqlite3"},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    env = production_env(ARREARS_SECRET_KEY=PRODUCTION_KEY, ARREARS_ALLOWED_HOSTS="arrears.example.com")
    done = arrears("check", "--deploy", "--fail-level", "WARNING", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout


def test_debug_is_off_by_default_and_there_is_no_key_at_all(tmp_path: Path) -> None:
    show = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, repr(s._wrapped.SECRET_KEY), s.ARREARS_SECRET_KEY_SOURCE)"  # _wrapped: no refusal on reading
    )
    done = arrears("shell", "--no-startup", "--no-imports", "--command", show, env=production_env(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "''", "none"]
    assert not (tmp_path / "var" / KEY_FILE).exists()


@pytest.mark.parametrize("command", [["runserver", "--noreload", "127.0.0.1:0"], ["testserver", "--noinput"]])
def test_a_server_refuses_to_start_without_a_secret_key_and_says_what_to_set(
    command: list[str], tmp_path: Path
) -> None:
    done = arrears(*command, env=production_env(), cwd=tmp_path)
    assert done.returncode != 0
    assert "ARREARS_SECRET_KEY" in done.stderr and "ARREARS_DEMO=1" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_server_refuses_a_weak_secret_key(tmp_path: Path) -> None:
    done = arrears(
        "runserver", "--noreload", "127.0.0.1:0", env=production_env(ARREARS_SECRET_KEY="secret"), cwd=tmp_path
    )
    assert done.returncode != 0
    assert "too weak" in done.stderr


def test_the_wsgi_application_refuses_to_load_without_a_secret_key(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import arrears.wsgi"],
        env=production_env(DATABASE_URL=f"sqlite:///{tmp_path}/unused.sqlite3"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "ARREARS_SECRET_KEY" in done.stderr


def test_the_wsgi_application_loads_with_a_strong_key(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import arrears.wsgi; print('loaded')"],
        env=production_env(ARREARS_SECRET_KEY=PRODUCTION_KEY, DATABASE_URL=f"sqlite:///{tmp_path}/unused.sqlite3"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "loaded" in done.stdout


def test_batch_commands_run_without_a_key_until_one_needs_it(tmp_path: Path) -> None:
    env = production_env()
    assert arrears("migrate", "--verbosity", "0", env=env, cwd=tmp_path).returncode == 0
    signing = arrears(
        "shell",
        "--no-startup",
        "--no-imports",
        "--command",
        "from django.core import signing; signing.dumps(1)",
        env=env,
        cwd=tmp_path,
    )
    assert signing.returncode != 0
    assert "SECRET_KEY" in signing.stderr


def test_demo_mode_keeps_one_random_key_in_var_readable_by_its_owner_only(tmp_path: Path) -> None:
    show = "from django.conf import settings as s; print(s.SECRET_KEY, s.ARREARS_SECRET_KEY_SOURCE, s.DEBUG)"
    env = production_env(ARREARS_DEMO="1")
    first = arrears("shell", "--no-startup", "--no-imports", "--command", show, env=env, cwd=tmp_path)
    second = arrears("shell", "--no-startup", "--no-imports", "--command", show, env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr

    key, source, debug = first.stdout.split()
    assert (source, debug) == ("file", "False")
    assert second.stdout == first.stdout  # generated once, then reused
    kept = tmp_path / "var" / KEY_FILE
    assert kept.read_text().strip() == key and len(key) >= 50
    assert kept.stat().st_mode & 0o777 == 0o600
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert (
        arrears("shell", "--no-startup", "--no-imports", "--command", show, env=env, cwd=other).stdout.split()[0] != key
    )


def test_debug_mode_without_a_key_uses_the_kept_key_too(tmp_path: Path) -> None:
    show = "from django.conf import settings as s; print(s.ARREARS_SECRET_KEY_SOURCE, s.DEBUG)"
    done = arrears(
        "shell", "--no-startup", "--no-imports", "--command", show, env=production_env(ARREARS_DEBUG="1"), cwd=tmp_path
    )
    assert done.stdout.split() == ["file", "True"]
    assert (tmp_path / "var" / KEY_FILE).exists()


def test_no_published_key_is_left_in_the_repository() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".py", ".md", ".toml", ".yaml", ".yml", ".html", ".cfg", ".ini"} or name == "Makefile":
            text = path.read_text(encoding="utf-8", errors="replace")
            assert PUBLISHED not in text, name
            assert not LITERAL_KEY.search(text), name
